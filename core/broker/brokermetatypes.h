#pragma once
// Registers the broker value types (brokertypes.h, linkstatus.h, ChangeOp) with Qt's meta-type system under their
// qualified names, so queued signals and QMetaObject::invokeMethod by name carry them. Idempotent, thread-safe;
// the connector calls it in its constructor.

namespace bd::mt5 {
void registerBrokerMetaTypes();
}

#pragma once
// Meta-type declarations for values that cross threads or travel through queued signals.
// Call bd::registerModelMetaTypes() once at startup (app main, test initTestCase); it is idempotent.

#include "backtestengine.h"
#include "backtestrequest.h"
#include "barseries.h"

#include <QMetaType>

#include <memory>

Q_DECLARE_METATYPE(bd::BacktestRequest)
Q_DECLARE_METATYPE(std::shared_ptr<const bd::BacktestResult>)
Q_DECLARE_METATYPE(bd::BarSeries)

namespace bd {

using BacktestResultPtr = std::shared_ptr<const BacktestResult>;

void registerModelMetaTypes();

} // namespace bd

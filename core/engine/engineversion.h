#pragma once
// The version of the backtest engine that produced a run, stored with every run (BacktestRunRecord::engineVersion)
// so a rerun on another build can tell whether the same rules applied.

#include <QString>

namespace bd {

// Revision of the backtest model: the fill rules of docs/backtest-model.md, the statistics of backteststats.h
// and the indicators in core/indicators. Bump it with any change there that can change a run's trades, equity or
// stats. (A built-in strategy's own files are its versions' code, so their changes show in its code_hash.)
inline constexpr int kEngineModelRevision = 1;

// "botdesk <PROJECT_VERSION> engine <kEngineModelRevision>", e.g. "botdesk 0.1.0 engine 1". PROJECT_VERSION is
// the CMake project version this binary was built from.
QString engineVersion();

} // namespace bd

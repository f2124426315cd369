#pragma once
// The SHA-256 of a file's bytes: how a stored backtest run names the data it ran on (BacktestRunRecord::dataSha256),
// so a rerun can refuse a changed file.

#include "result.h"

#include <QString>

namespace bd {

// 64 lowercase hex digits of the SHA-256 of the bytes of `path` (read in pieces, not loaded whole). Errors: the file
// cannot be opened or read ("cannot read the data file PATH: REASON").
Result<QString> sha256OfFile(const QString &path);

} // namespace bd

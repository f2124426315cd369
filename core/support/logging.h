#pragma once
// Named spdlog loggers per subsystem ("backtest", "data", "strategy", "ui", "app", ...), all writing to
// one shared distribution sink (stderr by default). Fetch a logger once and keep the shared_ptr:
// the lookup takes the registry lock.

#include <spdlog/logger.h>

#include <memory>
#include <string>

namespace bd::logging {

// Returns the logger for `subsystem`, creating it over the shared sink on first use. Thread-safe.
std::shared_ptr<spdlog::logger> get(const std::string &subsystem);

// Adds a file sink (appending) to every logger, present and future. Returns false if the file cannot be opened.
bool addFileSink(const std::string &path);

// Sets the level of every logger, present and future ("trace".."off"; unknown names leave it unchanged).
void setLevel(const std::string &levelName);

} // namespace bd::logging

#include "logging.h"

#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/sinks/dist_sink.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <mutex>

namespace bd::logging {
namespace {

struct Hub {
    std::mutex mutex;
    std::shared_ptr<spdlog::sinks::dist_sink_mt> sink;
    spdlog::level::level_enum level = spdlog::level::info;
};

Hub &hub()
{
    // The logger registry is the one sanctioned process-wide object (STYLE.md rule 13).
    static Hub h;
    static std::once_flag once;
    std::call_once(once, [] {
        h.sink = std::make_shared<spdlog::sinks::dist_sink_mt>();
        h.sink->add_sink(std::make_shared<spdlog::sinks::stderr_color_sink_mt>());
        h.sink->set_pattern("%Y-%m-%d %H:%M:%S.%e %^%-5l%$ [%n] %v");
    });
    return h;
}

} // namespace

std::shared_ptr<spdlog::logger> get(const std::string &subsystem)
{
    Hub &h = hub();
    std::lock_guard lock(h.mutex);
    if (auto existing = spdlog::get(subsystem))
        return existing;
    auto logger = std::make_shared<spdlog::logger>(subsystem, h.sink);
    logger->set_level(h.level);
    logger->flush_on(spdlog::level::warn);
    spdlog::register_logger(logger);
    return logger;
}

bool addFileSink(const std::string &path)
{
    Hub &h = hub();
    try {
        auto file = std::make_shared<spdlog::sinks::basic_file_sink_mt>(path, false);
        file->set_pattern("%Y-%m-%d %H:%M:%S.%e %-5l [%n] [%t] %v");
        h.sink->add_sink(file);
        return true;
    } catch (const spdlog::spdlog_ex &) {
        return false;
    }
}

void setLevel(const std::string &levelName)
{
    const auto level = spdlog::level::from_str(levelName);
    if (level == spdlog::level::off && levelName != "off")
        return;
    Hub &h = hub();
    std::lock_guard lock(h.mutex);
    h.level = level;
    spdlog::apply_all([level](const std::shared_ptr<spdlog::logger> &l) { l->set_level(level); });
}

} // namespace bd::logging

#include "workerthread.h"

#include "logging.h"

#include <QDeadlineTimer>
#include <QThread>

#include <spdlog/logger.h>

namespace bd {

bool retireWorkerThread(QThread *thread, int waitMs, const char *logger, const char *busy)
{
    thread->quit();
    if (thread->wait(QDeadlineTimer(waitMs))) {
        delete thread;
        return true;
    }
    logging::get(logger)->warn("{}", busy);
    QObject::connect(thread, &QThread::finished, thread, &QObject::deleteLater);
    return false;
}

} // namespace bd

#include "accountdirectory.h"

#include "logging.h"
#include "workerthread.h"

#include <QDateTime>
#include <QPointer>
#include <QThread>

#include <algorithm>

namespace bd {

class AccountDirectoryWorker : public QObject {
public:
    explicit AccountDirectoryWorker(AccountDirectory::StoreFactory factory) : m_factory(std::move(factory)) {}
    // The store, made on first use on this (the worker's) thread; null when the factory gave none.
    LiveRunStore *store()
    {
        if (!m_made) {
            m_made = true;
            if (m_factory)
                m_store = m_factory();
        }
        return m_store.get();
    }
    void release() { m_store.reset(); }

private:
    AccountDirectory::StoreFactory m_factory;
    std::unique_ptr<LiveRunStore> m_store;
    bool m_made = false;
};

AccountDirectory::AccountDirectory(StoreFactory factory, QObject *parent)
    : QObject(parent)
    , m_thread(new QThread)
    , m_worker(new AccountDirectoryWorker(std::move(factory)))
{
    m_thread->setObjectName(QStringLiteral("botdesk-accounts"));
    m_worker->moveToThread(m_thread);
    m_thread->start();
}

AccountDirectory::~AccountDirectory()
{
    AccountDirectoryWorker *worker = m_worker;
    QMetaObject::invokeMethod(worker, [worker] { worker->release(); }, Qt::QueuedConnection);
    if (retireWorkerThread(m_thread, 2000, "accounts",
                           "the accounts worker is still in a database call; leaving it to end on its own"))
        delete worker;
}

void AccountDirectory::post(Operation operation, Task task)
{
    ++m_pending;
    QPointer<AccountDirectory> self(this);
    AccountDirectoryWorker *worker = m_worker;
    QMetaObject::invokeMethod(worker, [self, worker, operation, task = std::move(task)] {
        std::function<void()> apply;
        if (LiveRunStore *store = worker->store()) {
            apply = task(*store);
        } else {
            apply = [self, operation] {
                emit self->failed(operation, QStringLiteral("no live database is available; choose one in Settings > "
                                                            "Database…"));
            };
        }
        if (!self)
            return;
        QMetaObject::invokeMethod(self.data(), [self, apply = std::move(apply)] {
            if (!self)
                return;
            --self->m_pending;
            apply();
        }, Qt::QueuedConnection);
    }, Qt::QueuedConnection);
}

void AccountDirectory::refresh()
{
    QPointer<AccountDirectory> self(this);
    post(Operation::ListAccounts, [self](LiveRunStore &store) -> std::function<void()> {
        auto accounts = store.accounts();
        if (!accounts)
            return [self, message = accounts.error().message] { emit self->failed(Operation::ListAccounts, message); };
        auto runs = store.runs();
        if (!runs)
            return [self, message = runs.error().message] { emit self->failed(Operation::ListAccounts, message); };
        const qint64 now = QDateTime::currentMSecsSinceEpoch();
        std::vector<AccountRow> rows;
        for (const LiveAccount &a : *accounts) {
            AccountRow row;
            row.account = a;
            for (const LiveRunRecord &r : *runs) {
                if (r.spec.account != a.name)
                    continue;
                ++row.runs;
                if (r.status == LiveRunStatus::Pending || r.status == LiveRunStatus::Running
                    || r.status == LiveRunStatus::Stopping || r.status == LiveRunStatus::Halted)
                    ++row.activeRuns;
                if (isStale(r, now))
                    ++row.staleRuns;
                row.lastHeartbeatAtMs = std::max(row.lastHeartbeatAtMs, r.lastHeartbeatAtMs);
            }
            rows.push_back(std::move(row));
        }
        std::sort(rows.begin(), rows.end(),
                  [](const AccountRow &x, const AccountRow &y) { return x.account.name < y.account.name; });
        return [self, rows = std::move(rows), now] { emit self->accountsListed(rows, now); };
    });
}

void AccountDirectory::saveAccount(const LiveAccount &account, const QString &replacing)
{
    QPointer<AccountDirectory> self(this);
    post(Operation::SaveAccount, [self, account, replacing](LiveRunStore &store) -> std::function<void()> {
        if (!replacing.isEmpty()) {
            if (auto removed = store.removeAccount(replacing); !removed)
                return [self, message = removed.error().message] { emit self->failed(Operation::SaveAccount, message); };
        }
        if (auto added = store.addAccount(account); !added)
            return [self, message = added.error().message] { emit self->failed(Operation::SaveAccount, message); };
        logging::get("accounts")->info("saved account {} (bridge {}, magic {})", account.name.toStdString(),
                                       account.bridgeUrl.toStdString(), account.magic);
        return [self, account] {
            emit self->accountSaved(account);
            self->refresh();
        };
    });
}

void AccountDirectory::removeAccount(const QString &name)
{
    QPointer<AccountDirectory> self(this);
    post(Operation::RemoveAccount, [self, name](LiveRunStore &store) -> std::function<void()> {
        if (auto removed = store.removeAccount(name); !removed)
            return [self, message = removed.error().message] { emit self->failed(Operation::RemoveAccount, message); };
        return [self, name] {
            emit self->accountRemoved(name);
            self->refresh();
        };
    });
}

void AccountDirectory::createRun(const LiveRunSpec &spec)
{
    QPointer<AccountDirectory> self(this);
    post(Operation::CreateRun, [self, spec](LiveRunStore &store) -> std::function<void()> {
        auto created = store.createRun(spec);
        if (!created)
            return [self, message = created.error().message] { emit self->failed(Operation::CreateRun, message); };
        logging::get("accounts")->info("created live run {} of {} on {} {}", spec.id.toString(QUuid::WithoutBraces).toStdString(),
                                       spec.botName.toStdString(), spec.account.toStdString(), spec.symbol.toStdString());
        return [self, record = *created] { emit self->runCreated(record); };
    });
}

} // namespace bd

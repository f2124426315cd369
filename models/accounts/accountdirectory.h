#pragma once
// AccountDirectory: the GUI thread's access to the live accounts and runs of the database (issue 10 §2, §3), through
// the LiveRunStore port — the same calls `botdesk-cli accounts add|list|remove` and `live start` make
// (app/accountscommand.cpp, app/livecommand.cpp), never a second copy of their SQL.
//
// Every store call runs on ONE worker thread ("botdesk-accounts"), in the order asked, on a store the app's factory
// makes there (a store is one database connection used by the thread that made it; the factory is called at the
// first request, so a window that never shows the Accounts page never connects). Results come back on the GUI
// thread as values through the signals below; every failure as failed(operation, the store's message, which names
// the input and the fix). A factory returning nullptr makes every request fail with "no live database is available".
// Destroying the directory drops the answers still to come; it waits at most 2 s for the call in progress.

#include "liverunstore.h"

#include <QObject>
#include <QString>

#include <functional>
#include <memory>
#include <vector>

class QThread;

namespace bd {

class AccountDirectoryWorker;

// An account with what its runs say about it (the Accounts page's status light).
struct AccountRow {
    LiveAccount account;
    int runs = 0;                  // every run on it
    int activeRuns = 0;            // runs that should be trading (RUNNING, STOPPING, HALTED) or are starting (PENDING)
    int staleRuns = 0;             // isStale(run, now) (liverunstore.h)
    qint64 lastHeartbeatAtMs = 0;  // newest heartbeat of its runs, UTC epoch ms; 0 = none
};

class AccountDirectory : public QObject {
    Q_OBJECT
public:
    using StoreFactory = std::function<std::unique_ptr<LiveRunStore>()>;
    enum class Operation { ListAccounts, SaveAccount, RemoveAccount, CreateRun };
    Q_ENUM(Operation)

    explicit AccountDirectory(StoreFactory factory, QObject *parent = nullptr);
    ~AccountDirectory() override;

    // -> accountsListed(rows by name, the store's clock read at listing as `nowMs`).
    void refresh();
    // Adds `account` (LiveRunStore::addAccount: validated there; errors name the field). With `replacing` set (the
    // edit dialog), that account is removed first (refused while one of its runs is not STOPPED or ERROR) — the
    // store has no update. -> accountSaved(account), then a refresh.
    void saveAccount(const LiveAccount &account, const QString &replacing = {});
    // -> accountRemoved(name), then a refresh.
    void removeAccount(const QString &name);
    // Stores a new run from `spec` (LiveRunStore::createRun: PENDING, desired RUNNING), as `live start` does.
    // -> runCreated(record).
    void createRun(const LiveRunSpec &spec);

    int pendingCount() const { return m_pending; }

signals:
    void accountsListed(const std::vector<bd::AccountRow> &rows, qint64 nowMs);
    void accountSaved(const bd::LiveAccount &account);
    void accountRemoved(const QString &name);
    void runCreated(const bd::LiveRunRecord &run);
    void failed(bd::AccountDirectory::Operation operation, const QString &message);

private:
    using Task = std::function<std::function<void()>(LiveRunStore &store)>;
    void post(Operation operation, Task task);

    QThread *m_thread = nullptr;
    AccountDirectoryWorker *m_worker = nullptr;
    int m_pending = 0;
};

} // namespace bd

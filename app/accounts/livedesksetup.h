#pragma once
// LiveDeskSetup: the desktop's live accounts, start dialog and alerts wired into the MainWindow (issue 10 §2, §3, §7),
// so app/main.cpp adds them with two lines. Owns (as the window's child):
//   - the Accounts page: AccountsView over an AccountDirectory on the database choice (the same target as the Bots
//     page; rebuilt by setDatabase), bridge tokens in the system keychain (KeychainTokenStore), Test connection over
//     Mt5BridgeProbe with the keychain-first token rule, and the alert webhook's settings below it;
//   - "Start live…" from the Bots page: a StartRunDialog on the selected version;
//   - the AlertCenter and its tray (AlertTray); the webhook URL from QSettings "alerts/webhookUrl"; an AlertFeed that
//     reads the database's runs and events every 5 s (runs hosted anywhere raise alerts here), started once the
//     accounts were first listed (the Accounts page shown or a start dialog opened).
// The live host in the desktop (another part of issue 10) connects its signals to alerts(): runStatusChanged ->
// onRunStatusChanged, runStale -> onRunStale, accountFailed -> onAccountFailed; and takes tokenReader() for its
// LiveRunHost::Options::tokenFor (accountToken(account, tokenReader())).

#include "accountsview.h"
#include "accounttoken.h"
#include "startrundialog.h"
#include "bot.h"
#include "bridgeprobe.h"
#include "databaseurl.h"
#include "result.h"

#include <QObject>
#include <QPointer>

#include <memory>
#include <vector>

class QSettings;
class QWidget;

namespace bd {

class AccountDirectory;
class AlertCenter;
class AlertFeed;
class AlertTray;
class KeychainTokenStore;
class MainWindow;
class PendingPassword;

class LiveDeskSetup : public QObject {
    Q_OBJECT
public:
    // Adds the Accounts page to `window` and listens to its "Start live…". `settings` may be null.
    LiveDeskSetup(MainWindow &window, QSettings *settings);
    ~LiveDeskSetup() override;

    // Points the page and the start dialog at `target` (nothing connects until the page is shown or a dialog opens).
    void setDatabase(const Result<DatabaseTarget> &target);

    AccountDirectory *directory() const { return m_directory.get(); }
    AccountsView *accountsView() const;
    AlertCenter *alerts() const { return m_alerts; }
    AlertFeed *alertFeed() const { return m_feed.get(); }
    BridgeProbeFactory probeFactory() const;
    KeychainTokenReader tokenReader() const { return m_tokenReader; }

    // Opens the start dialog for `version` of `bot` (non-modal, deleted on close).
    StartRunDialog *openStartDialog(const Bot &bot, const BotVersion &version);

private:
    MainWindow &m_window;
    QSettings *m_settings;
    std::unique_ptr<KeychainTokenStore> m_tokens;
    KeychainTokenReader m_tokenReader;
    std::unique_ptr<AccountDirectory> m_directory;
    QWidget *m_page = nullptr;
    QPointer<AccountsView> m_view;
    AlertCenter *m_alerts = nullptr;
    AlertTray *m_tray = nullptr;
    std::unique_ptr<AlertFeed> m_feed;
    std::vector<std::shared_ptr<PendingPassword>> m_passwords;
    std::vector<QPointer<StartRunDialog>> m_dialogs;  // open start dialogs (closed when the database changes)
};

} // namespace bd

#include "livedesksetup.h"

#include "accountdirectory.h"
#include "accountsview.h"
#include "alertcenter.h"
#include "alertfeed.h"
#include "alertsettingswidget.h"
#include "alerttray.h"
#include "keychainpassword.h"
#include "keychaintokenstore.h"
#include "accountstores.h"
#include "mainwindow.h"
#include "mt5bridgeprobe.h"
#include "startrundialog.h"

#include <QStatusBar>
#include <QVBoxLayout>

namespace bd {

namespace {
constexpr int kKeychainWaitMs = 120000;  // the first connection may wait this long for the user to unlock the keychain
}

LiveDeskSetup::LiveDeskSetup(MainWindow &window, QSettings *settings)
    : QObject(&window)
    , m_window(window)
    , m_settings(settings)
    , m_tokens(std::make_unique<KeychainTokenStore>())
    , m_tokenReader(makeKeychainTokenReader(&window))
{
    m_alerts = new AlertCenter(this);
    m_tray = new AlertTray(m_alerts, this);
    m_page = new QWidget;
    auto *layout = new QVBoxLayout(m_page);
    layout->addWidget(new AlertSettingsWidget(m_alerts, m_settings, m_page));
    window.addAccountsPage(m_page);
    connect(&window, &MainWindow::startLiveRequested, this,
            [this](const Bot &bot, const BotVersion &version) { openStartDialog(bot, version); });
}

LiveDeskSetup::~LiveDeskSetup()
{
    for (const QPointer<StartRunDialog> &dialog : m_dialogs)
        delete dialog.data();
    for (const auto &password : m_passwords)
        password->abandon(QStringLiteral("BotDesk is closing"));
    delete m_view;
}

AccountsView *LiveDeskSetup::accountsView() const
{
    return m_view.data();
}

BridgeProbeFactory LiveDeskSetup::probeFactory() const
{
    KeychainTokenReader reader = m_tokenReader;
    return [reader](QObject *parent) -> BridgeProbe * { return new Mt5BridgeProbe(reader, parent); };
}

void LiveDeskSetup::setDatabase(const Result<DatabaseTarget> &target)
{
    PasswordSource password;
    if (target && needsStoredPassword(*target)) {
        auto pending = std::make_shared<PendingPassword>();
        m_passwords.push_back(pending);
        readKeychainPassword(keychainKey(target->url), this,
                             [pending](Result<QString> answer) { pending->set(std::move(answer)); });
        password = [pending] { return pending->wait(kKeychainWaitMs); };
    }
    // Open start dialogs and the page use the directory that is replaced.
    for (const QPointer<StartRunDialog> &dialog : m_dialogs)
        if (dialog)
            dialog->reject();
    m_dialogs.clear();
    delete m_view;
    m_feed.reset();
    m_feed = std::make_unique<AlertFeed>(makeDatabaseAlertStoresFactory(target, QStringLiteral("gui-alerts"), password),
                                         m_alerts);
    m_directory = std::make_unique<AccountDirectory>(makeDatabaseLiveRunStoreFactory(target, QStringLiteral("gui-accounts"), password));
    // Like the pages, the feed touches the database only once the trader uses the live side (the Accounts page or a
    // start dialog has listed the accounts): a window used for backtests never connects for it.
    connect(m_directory.get(), &AccountDirectory::accountsListed, m_feed.get(), [feed = m_feed.get()] {
        if (!feed->isActive())
            feed->start(5000);
    });
    m_view = new AccountsView(m_directory.get(), m_tokens.get(), probeFactory(), m_page);
    static_cast<QVBoxLayout *>(m_page->layout())->insertWidget(0, m_view, 1);
}

StartRunDialog *LiveDeskSetup::openStartDialog(const Bot &bot, const BotVersion &version)
{
    if (!m_directory)
        return nullptr;
    auto *dialog = new StartRunDialog(bot, version, m_directory.get(), m_window.botLibrary(), probeFactory(), &m_window);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    m_dialogs.emplace_back(dialog);
    connect(dialog, &QDialog::accepted, this, [this, dialog] {
        if (const auto run = dialog->createdRun())
            m_window.statusBar()->showMessage(
                tr("Live run %1 stored: %2 on %3 %4, PENDING until a host runs it (this desktop or botdesk-cli live serve).")
                    .arg(run->spec.id.toString(QUuid::WithoutBraces).left(8), run->spec.botName, run->spec.account,
                         run->spec.symbol));
        if (m_view)
            m_view->refresh();
    });
    dialog->open();
    return dialog;
}

} // namespace bd

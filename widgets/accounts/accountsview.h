#pragma once
// AccountsView: the Accounts page (issue 10 §2): the live accounts of the database with a status light each
// (AccountListModel), Add… / Edit… (AccountDialog), Remove, and Test connection — the bridge's welcome (login,
// server, terminal, trade allowed) or the error, from the injected BridgeProbe off the GUI thread.
//
// Injected: the AccountDirectory (the database, on its worker), the AccountTokenStore (the keychain), and a
// BridgeProbeFactory (app: Mt5BridgeProbe). The view never opens a database or a socket itself. The list is asked for
// when the view is first shown, after every change, and every 10 s while it is visible (heartbeat ages).

#include "bridgeprobe.h"

#include <QTimer>
#include <QWidget>

class QLabel;
class QPushButton;
class QTableView;

namespace bd {

class AccountDialog;
class AccountDirectory;
class AccountListModel;
class AccountTokenStore;

class AccountsView : public QWidget {
    Q_OBJECT
public:
    AccountsView(AccountDirectory *directory, AccountTokenStore *tokens, BridgeProbeFactory probes,
                 QWidget *parent = nullptr);

    // Interactive views confirm a removal in a message box; tests set false.
    void setInteractive(bool interactive) { m_interactive = interactive; }

    // The selected account's name; empty when none.
    QString selectedAccount() const;
    bool selectAccount(const QString &name);
    // Opens the add dialog (edit: for the selected account); returns it (non-modal, deleted on close).
    AccountDialog *openAddDialog();
    AccountDialog *openEditDialog();
    // Tests the selected account's bridge; false when none is selected. -> testFinished.
    bool testSelected();
    void removeSelected();
    void refresh();

    AccountListModel *model() const { return m_model; }
    QTableView *table() const { return m_table; }
    QLabel *testResultLabel() const { return m_testResult; }
    QLabel *statusLabel() const { return m_status; }
    QPushButton *testButton() const { return m_test; }

signals:
    void testFinished(const bd::BridgeProbeResult &result);
    // A list arrived (model updated) or a call failed (the message is in statusLabel()).
    void listed();
    void failed(const QString &message);

protected:
    void showEvent(QShowEvent *event) override;
    void hideEvent(QHideEvent *event) override;

private:
    void updateButtons();
    void showTest(const BridgeProbeResult &result);

    AccountDirectory *m_directory;
    AccountTokenStore *m_tokens;
    BridgeProbeFactory m_probeFactory;
    BridgeProbe *m_probe = nullptr;
    bool m_interactive = true;
    bool m_shownOnce = false;
    AccountListModel *m_model = nullptr;
    QTableView *m_table = nullptr;
    QPushButton *m_add = nullptr;
    QPushButton *m_edit = nullptr;
    QPushButton *m_remove = nullptr;
    QPushButton *m_test = nullptr;
    QPushButton *m_refresh = nullptr;
    QLabel *m_testResult = nullptr;
    QLabel *m_status = nullptr;
    QTimer m_refreshTimer;
};

} // namespace bd

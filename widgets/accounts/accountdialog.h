#pragma once
// AccountDialog: add or edit a live account (issue 10 §2): name, bridge URL, where the token is kept (the system
// keychain through the injected AccountTokenStore — the account record keeps only the entry's key — or an
// environment variable a headless host reads), magic number, the trade server's UTC offset and DST rule.
//
// OK stores the token first (keychain choice), then the account through AccountDirectory::saveAccount (the store
// validates it: its error, naming the field and the fix, is shown in the dialog, which stays open). The dialog closes
// (accepted) when the directory reports the account saved. Editing replaces the account (remove + add: the store has
// no update; refused while one of its runs is active). The token is never shown again, logged or kept here after OK.

#include "liverunstore.h"

#include <QDialog>

class QComboBox;
class QDialogButtonBox;
class QDoubleSpinBox;
class QLabel;
class QLineEdit;
class QSpinBox;

namespace bd {

class AccountDirectory;
class AccountTokenStore;

class AccountDialog : public QDialog {
    Q_OBJECT
public:
    // `existing` set: edit that account (its token is kept unless a new one is typed).
    AccountDialog(AccountDirectory *directory, AccountTokenStore *tokens, const std::optional<LiveAccount> &existing = {},
                  QWidget *parent = nullptr);

    // The account the fields describe (not validated).
    LiveAccount account() const;
    // Validates what the store cannot (a keychain choice without a token), stores the token and asks the directory
    // to save the account. The answer comes asynchronously: accepted, or the error in errorLabel().
    void save();

    QLineEdit *nameEdit() const { return m_name; }
    QLineEdit *bridgeEdit() const { return m_bridge; }
    QComboBox *tokenSourceBox() const { return m_tokenSource; }  // 0 keychain, 1 environment variable
    QLineEdit *tokenEdit() const { return m_token; }
    QLineEdit *tokenEnvEdit() const { return m_tokenEnv; }
    QSpinBox *magicBox() const { return m_magic; }
    QDoubleSpinBox *utcOffsetBox() const { return m_utcOffset; }
    QComboBox *dstBox() const { return m_dst; }
    QLabel *errorLabel() const { return m_error; }
    QDialogButtonBox *buttons() const { return m_buttons; }
    bool isSaving() const { return m_saving; }

signals:
    // The save failed (the message is in errorLabel()).
    void saveFailed(const QString &message);

private:
    void showError(const QString &message);
    void updateTokenFields();

    AccountDirectory *m_directory;
    AccountTokenStore *m_tokens;
    std::optional<LiveAccount> m_existing;
    bool m_saving = false;
    QLineEdit *m_name = nullptr;
    QLineEdit *m_bridge = nullptr;
    QComboBox *m_tokenSource = nullptr;
    QLineEdit *m_token = nullptr;
    QLineEdit *m_tokenEnv = nullptr;
    QSpinBox *m_magic = nullptr;
    QDoubleSpinBox *m_utcOffset = nullptr;
    QComboBox *m_dst = nullptr;
    QLabel *m_error = nullptr;
    QDialogButtonBox *m_buttons = nullptr;
};

} // namespace bd

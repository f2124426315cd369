#include "accountdialog.h"

#include "accountdirectory.h"
#include "accounttokenstore.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QVBoxLayout>

#include <cmath>
#include <limits>

namespace bd {

namespace {
constexpr qint64 kDefaultMagic = 900001;  // botdesk-cli accounts add's default (app/accountscommand.h)
}

AccountDialog::AccountDialog(AccountDirectory *directory, AccountTokenStore *tokens,
                             const std::optional<LiveAccount> &existing, QWidget *parent)
    : QDialog(parent), m_directory(directory), m_tokens(tokens), m_existing(existing)
{
    setWindowTitle(existing ? tr("Edit account %1").arg(existing->name) : tr("Add MT5 account"));
    auto *form = new QFormLayout;
    m_name = new QLineEdit(this);
    m_name->setObjectName(QStringLiteral("accountName"));
    m_name->setPlaceholderText(QStringLiteral("icm-demo"));
    m_bridge = new QLineEdit(this);
    m_bridge->setObjectName(QStringLiteral("bridgeUrl"));
    m_bridge->setPlaceholderText(QStringLiteral("ws://127.0.0.1:8765"));
    m_tokenSource = new QComboBox(this);
    m_tokenSource->addItems({tr("System keychain"), tr("Environment variable")});
    m_token = new QLineEdit(this);
    m_token->setObjectName(QStringLiteral("token"));
    m_token->setEchoMode(QLineEdit::Password);
    m_tokenEnv = new QLineEdit(this);
    m_tokenEnv->setObjectName(QStringLiteral("tokenEnv"));
    m_tokenEnv->setPlaceholderText(QStringLiteral("BOTDESK_MT5_TOKEN"));
    m_magic = new QSpinBox(this);
    m_magic->setRange(1, std::numeric_limits<int>::max());
    m_magic->setValue(int(kDefaultMagic));
    m_utcOffset = new QDoubleSpinBox(this);
    m_utcOffset->setRange(-12.0, 14.0);
    m_utcOffset->setSingleStep(0.25);
    m_utcOffset->setDecimals(2);
    m_utcOffset->setSuffix(tr(" h"));
    m_dst = new QComboBox(this);
    m_dst->addItem(tr("none"), QString());
    m_dst->addItem(tr("EET (Europe's DST)"), QStringLiteral("EET"));
    form->addRow(tr("Name"), m_name);
    form->addRow(tr("Bridge URL"), m_bridge);
    form->addRow(tr("Token kept in"), m_tokenSource);
    form->addRow(tr("Token"), m_token);
    form->addRow(tr("Token variable"), m_tokenEnv);
    form->addRow(tr("Magic number"), m_magic);
    form->addRow(tr("Server clock (UTC offset)"), m_utcOffset);
    form->addRow(tr("Server DST rule"), m_dst);
    m_error = new QLabel(this);
    m_error->setObjectName(QStringLiteral("accountError"));
    m_error->setWordWrap(true);
    m_error->setStyleSheet(QStringLiteral("color: #c0392b"));
    m_error->hide();
    m_buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(m_error);
    layout->addWidget(m_buttons);

    if (existing) {
        m_name->setText(existing->name);
        m_bridge->setText(existing->bridgeUrl);
        m_tokenSource->setCurrentIndex(existing->tokenEnv.isEmpty() ? 0 : 1);
        m_tokenEnv->setText(existing->tokenEnv);
        m_token->setPlaceholderText(tr("unchanged"));
        m_magic->setValue(int(std::min<qint64>(existing->magic, std::numeric_limits<int>::max())));
        m_utcOffset->setValue(existing->serverUtcOffsetMin / 60.0);
        m_dst->setCurrentIndex(existing->dstRule.isEmpty() ? 0 : 1);
    }
    updateTokenFields();
    connect(m_tokenSource, &QComboBox::currentIndexChanged, this, &AccountDialog::updateTokenFields);
    connect(m_buttons, &QDialogButtonBox::accepted, this, &AccountDialog::save);
    connect(m_buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(m_directory, &AccountDirectory::accountSaved, this, [this](const LiveAccount &saved) {
        if (m_saving && saved.name == m_name->text().trimmed()) {
            m_saving = false;
            m_token->clear();
            accept();
        }
    });
    connect(m_directory, &AccountDirectory::failed, this, [this](AccountDirectory::Operation op, const QString &message) {
        if (m_saving && op == AccountDirectory::Operation::SaveAccount) {
            m_saving = false;
            showError(message);
        }
    });
}

void AccountDialog::updateTokenFields()
{
    const bool keychain = m_tokenSource->currentIndex() == 0;
    m_token->setEnabled(keychain);
    m_tokenEnv->setEnabled(!keychain);
}

LiveAccount AccountDialog::account() const
{
    LiveAccount a;
    a.name = m_name->text().trimmed();
    a.bridgeUrl = m_bridge->text().trimmed();
    if (m_tokenSource->currentIndex() == 0)
        a.tokenKey = accountTokenKey(a.name);
    else
        a.tokenEnv = m_tokenEnv->text().trimmed();
    a.magic = m_magic->value();
    a.serverUtcOffsetMin = int(std::lround(m_utcOffset->value() * 60.0));
    a.dstRule = m_dst->currentData().toString();
    return a;
}

void AccountDialog::showError(const QString &message)
{
    m_error->setText(message);
    m_error->show();
    m_buttons->button(QDialogButtonBox::Ok)->setEnabled(true);
    emit saveFailed(message);
}

void AccountDialog::save()
{
    if (m_saving)
        return;
    const LiveAccount a = account();
    const QString replacing = m_existing ? m_existing->name : QString();
    const bool keychain = !a.tokenKey.isEmpty();
    const QString token = m_token->text();
    const bool keepToken = m_existing && !m_existing->tokenKey.isEmpty() && m_existing->name == a.name && token.isEmpty();
    if (keychain && token.isEmpty() && !keepToken) {
        showError(tr("give the bridge's token (the bridge's --token, or BOTDESK_MT5SIM_TOKEN for botdesk-mt5sim); it is "
                     "kept in the system keychain, never in the database"));
        return;
    }
    if (a.name.isEmpty()) {
        showError(tr("give the account a name (e.g. icm-demo)"));
        return;
    }
    m_saving = true;
    m_error->hide();
    m_buttons->button(QDialogButtonBox::Ok)->setEnabled(false);
    if (!keychain || keepToken) {
        m_directory->saveAccount(a, replacing);
        return;
    }
    if (!m_tokens) {
        m_saving = false;
        showError(tr("no keychain is available to BotDesk here; choose \"Environment variable\" and export the token "
                     "before starting BotDesk"));
        return;
    }
    m_tokens->writeToken(a.tokenKey, token, this, [this, a, replacing](Result<void> written) {
        if (!written) {
            m_saving = false;
            showError(written.error().message);
            return;
        }
        m_directory->saveAccount(a, replacing);
    });
}

} // namespace bd

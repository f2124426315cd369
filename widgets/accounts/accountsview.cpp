#include "accountsview.h"

#include "accountdialog.h"
#include "accountdirectory.h"
#include "accountlistmodel.h"
#include "accounttokenstore.h"

#include <QHBoxLayout>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLabel>
#include <QMessageBox>
#include <QPushButton>
#include <QTableView>
#include <QVBoxLayout>

namespace bd {

AccountsView::AccountsView(AccountDirectory *directory, AccountTokenStore *tokens, BridgeProbeFactory probes,
                           QWidget *parent)
    : QWidget(parent), m_directory(directory), m_tokens(tokens), m_probeFactory(std::move(probes))
{
    m_model = new AccountListModel(this);
    m_table = new QTableView(this);
    m_table->setObjectName(QStringLiteral("accountsTable"));
    m_table->setModel(m_model);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_table->verticalHeader()->hide();

    m_add = new QPushButton(tr("Add…"), this);
    m_edit = new QPushButton(tr("Edit…"), this);
    m_remove = new QPushButton(tr("Remove"), this);
    m_test = new QPushButton(tr("Test connection"), this);
    m_test->setObjectName(QStringLiteral("testConnectionButton"));
    m_refresh = new QPushButton(tr("Refresh"), this);
    auto *buttons = new QHBoxLayout;
    for (QPushButton *b : {m_add, m_edit, m_remove, m_test, m_refresh})
        buttons->addWidget(b);
    buttons->addStretch();

    m_testResult = new QLabel(tr("Select an account and press Test connection to see its bridge's welcome."), this);
    m_testResult->setObjectName(QStringLiteral("testResult"));
    m_testResult->setWordWrap(true);
    m_testResult->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_status = new QLabel(this);
    m_status->setObjectName(QStringLiteral("accountsStatus"));
    m_status->setWordWrap(true);

    auto *layout = new QVBoxLayout(this);
    layout->addLayout(buttons);
    layout->addWidget(m_table, 1);
    layout->addWidget(m_testResult);
    layout->addWidget(m_status);

    connect(m_add, &QPushButton::clicked, this, [this] { openAddDialog(); });
    connect(m_edit, &QPushButton::clicked, this, [this] { openEditDialog(); });
    connect(m_remove, &QPushButton::clicked, this, &AccountsView::removeSelected);
    connect(m_test, &QPushButton::clicked, this, &AccountsView::testSelected);
    connect(m_refresh, &QPushButton::clicked, this, &AccountsView::refresh);
    connect(m_table->selectionModel(), &QItemSelectionModel::selectionChanged, this, &AccountsView::updateButtons);

    connect(m_directory, &AccountDirectory::accountsListed, this, [this](const std::vector<AccountRow> &rows, qint64 now) {
        const QString selected = selectedAccount();
        m_model->setRows(rows, now);
        m_table->resizeColumnsToContents();
        if (!selected.isEmpty())
            selectAccount(selected);
        m_status->setStyleSheet({});
        m_status->setText(rows.empty() ? tr("No accounts yet: Add… one (its bridge URL and token).")
                                       : tr("%n account(s)", nullptr, int(rows.size())));
        updateButtons();
        emit listed();
    });
    connect(m_directory, &AccountDirectory::failed, this, [this](AccountDirectory::Operation op, const QString &message) {
        if (op == AccountDirectory::Operation::CreateRun || op == AccountDirectory::Operation::SaveAccount)
            return;  // shown by the dialog that asked
        m_status->setStyleSheet(QStringLiteral("color: #c0392b"));
        m_status->setText(message);
        emit failed(message);
    });
    m_refreshTimer.setInterval(10'000);
    connect(&m_refreshTimer, &QTimer::timeout, this, &AccountsView::refresh);
    updateButtons();
}

void AccountsView::showEvent(QShowEvent *event)
{
    QWidget::showEvent(event);
    if (!m_shownOnce) {
        m_shownOnce = true;
        refresh();
    }
    m_refreshTimer.start();
}

void AccountsView::hideEvent(QHideEvent *event)
{
    QWidget::hideEvent(event);
    m_refreshTimer.stop();
}

void AccountsView::refresh()
{
    m_directory->refresh();
}

QString AccountsView::selectedAccount() const
{
    const QModelIndexList rows = m_table->selectionModel()->selectedRows();
    if (rows.isEmpty())
        return {};
    return m_model->rows()[size_t(rows.first().row())].account.name;
}

bool AccountsView::selectAccount(const QString &name)
{
    const int row = m_model->rowOf(name);
    if (row < 0)
        return false;
    m_table->selectRow(row);
    return true;
}

void AccountsView::updateButtons()
{
    const bool selected = !selectedAccount().isEmpty();
    m_edit->setEnabled(selected);
    m_remove->setEnabled(selected);
    m_test->setEnabled(selected && m_probeFactory);
}

AccountDialog *AccountsView::openAddDialog()
{
    auto *dialog = new AccountDialog(m_directory, m_tokens, std::nullopt, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->open();
    return dialog;
}

AccountDialog *AccountsView::openEditDialog()
{
    const int row = m_model->rowOf(selectedAccount());
    if (row < 0)
        return nullptr;
    auto *dialog = new AccountDialog(m_directory, m_tokens, m_model->rows()[size_t(row)].account, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->open();
    return dialog;
}

void AccountsView::removeSelected()
{
    const QString name = selectedAccount();
    const int row = m_model->rowOf(name);
    if (row < 0)
        return;
    if (m_interactive
        && QMessageBox::question(this, tr("Remove account"),
                                 tr("Remove account %1 from the database? Its runs must be stopped first.").arg(name))
               != QMessageBox::Yes)
        return;
    const LiveAccount account = m_model->rows()[size_t(row)].account;
    m_directory->removeAccount(name);
    if (!account.tokenKey.isEmpty() && m_tokens)
        m_tokens->removeToken(account.tokenKey, this, [](Result<void>) {});
}

bool AccountsView::testSelected()
{
    const int row = m_model->rowOf(selectedAccount());
    if (row < 0 || !m_probeFactory)
        return false;
    if (!m_probe) {
        m_probe = m_probeFactory(this);
        connect(m_probe, &BridgeProbe::finished, this, &AccountsView::showTest);
    }
    const LiveAccount account = m_model->rows()[size_t(row)].account;
    m_testResult->setStyleSheet({});
    m_testResult->setText(tr("Testing %1 at %2…").arg(account.name, account.bridgeUrl));
    m_test->setEnabled(false);
    m_probe->probe(account, {});
    return true;
}

void AccountsView::showTest(const BridgeProbeResult &result)
{
    m_model->setTestResult(result);
    m_test->setEnabled(!selectedAccount().isEmpty());
    if (result.ok()) {
        m_testResult->setStyleSheet(QStringLiteral("color: #1e7e34"));
        m_testResult->setText(tr("%1: %2 — login %3 on %4 (%5), balance %6 %7, terminal %8, algo trading %9 (%10 ms)")
                                  .arg(result.account, result.url, result.login, result.server, result.company)
                                  .arg(result.balance, 0, 'f', 2)
                                  .arg(result.currency,
                                       result.terminalConnected ? tr("connected") : tr("NOT connected"),
                                       result.tradeAllowed ? tr("allowed") : tr("NOT allowed"))
                                  .arg(result.elapsedMs));
    } else {
        m_testResult->setStyleSheet(QStringLiteral("color: #c0392b"));
        m_testResult->setText(tr("%1: %2").arg(result.account, result.error));
    }
    emit testFinished(result);
}

} // namespace bd

#include "startrundialog.h"

#include "accountdirectory.h"
#include "botlibrary.h"
#include "timeframe.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QTimer>
#include <QVBoxLayout>

#include <cmath>

namespace bd {

namespace {

QDoubleSpinBox *percentBox(QWidget *parent, double value)
{
    auto *box = new QDoubleSpinBox(parent);
    box->setRange(0.0, 100.0);
    box->setDecimals(2);
    box->setSingleStep(0.5);
    box->setSuffix(QStringLiteral(" %"));
    box->setValue(value);
    return box;
}

QSpinBox *countBox(QWidget *parent, int max, int value, const QString &suffix = {})
{
    auto *box = new QSpinBox(parent);
    box->setRange(0, max);
    box->setValue(value);
    box->setSuffix(suffix);
    return box;
}

} // namespace

StartRunDialog::StartRunDialog(const Bot &bot, const BotVersion &version, AccountDirectory *directory,
                               BotLibrary *library, BridgeProbeFactory probes, QWidget *parent)
    : QDialog(parent), m_bot(bot), m_version(version), m_directory(directory), m_library(library),
      m_probeFactory(std::move(probes))
{
    setWindowTitle(tr("Start live: %1@%2").arg(bot.name, version.codeHash.left(12)));
    const LiveRunSpec defaults;
    const Guardrails g;

    auto *run = new QGroupBox(tr("Run"), this);
    auto *runForm = new QFormLayout(run);
    m_account = new QComboBox(run);
    m_account->setObjectName(QStringLiteral("account"));
    m_account->setPlaceholderText(tr("loading accounts…"));
    m_symbol = new QLineEdit(QStringLiteral("EURUSD"), run);
    m_symbol->setObjectName(QStringLiteral("symbol"));
    m_timeframe = new QComboBox(run);
    m_timeframe->addItems(timeframeNames());
    m_timeframe->setCurrentText(defaults.timeframe);
    m_decision = new QComboBox(run);
    m_decision->addItem(QStringLiteral("BAR"), int(DecisionMode::Bar));
    m_decision->addItem(QStringLiteral("TICK"), int(DecisionMode::Tick));
    m_approval = new QComboBox(run);
    m_approval->addItem(QStringLiteral("AUTO"), int(ApprovalMode::Auto));
    m_approval->addItem(QStringLiteral("APPROVE"), int(ApprovalMode::Approve));
    m_approvalTimeout = countBox(run, 7200, int(defaults.approvalTimeoutMs / 1000), tr(" s"));
    runForm->addRow(tr("Account"), m_account);
    runForm->addRow(tr("Symbol"), m_symbol);
    runForm->addRow(tr("Timeframe"), m_timeframe);
    runForm->addRow(tr("Decides on"), m_decision);
    runForm->addRow(tr("Orders"), m_approval);
    runForm->addRow(tr("Approval timeout"), m_approvalTimeout);

    auto *guard = new QGroupBox(tr("Guardrails"), this);
    auto *guardForm = new QFormLayout(guard);
    m_dailyLoss = percentBox(guard, g.dailyLossPercent);
    m_drawdownCap = percentBox(guard, g.drawdownCapPercent);
    m_maxRisk = percentBox(guard, g.maxRiskPercent);
    m_maxOpen = countBox(guard, 1000, g.maxOpenPerSymbol);
    m_maxOpenAccount = countBox(guard, 1000, g.maxOpenPerAccountSymbol);
    m_cooldown = countBox(guard, 86400, int(g.cooldownMs / 1000), tr(" s"));
    m_marginCheck = new QCheckBox(tr("refuse an entry whose margin exceeds the free margin"), guard);
    m_marginCheck->setChecked(g.marginCheck);
    guardForm->addRow(tr("Daily loss limit"), m_dailyLoss);
    guardForm->addRow(tr("Drawdown cap (halts)"), m_drawdownCap);
    guardForm->addRow(tr("Max risk per entry"), m_maxRisk);
    guardForm->addRow(tr("Max open on the symbol (0 = no limit)"), m_maxOpen);
    guardForm->addRow(tr("Max open, all runs of the account"), m_maxOpenAccount);
    guardForm->addRow(tr("Cooldown between entries"), m_cooldown);
    guardForm->addRow(QString(), m_marginCheck);

    auto *pre = new QGroupBox(tr("Pre-flight"), this);
    auto *preLayout = new QVBoxLayout(pre);
    m_backtestLabel = new QLabel(pre);
    m_backtestLabel->setObjectName(QStringLiteral("preflightBacktest"));
    m_symbolLabel = new QLabel(pre);
    m_symbolLabel->setObjectName(QStringLiteral("preflightSymbol"));
    m_tradingLabel = new QLabel(pre);
    m_tradingLabel->setObjectName(QStringLiteral("preflightTrading"));
    for (QLabel *l : {m_backtestLabel, m_symbolLabel, m_tradingLabel}) {
        l->setWordWrap(true);
        preLayout->addWidget(l);
    }
    m_recheck = new QPushButton(tr("Check again"), pre);
    preLayout->addWidget(m_recheck, 0, Qt::AlignLeft);

    m_error = new QLabel(this);
    m_error->setObjectName(QStringLiteral("startError"));
    m_error->setWordWrap(true);
    m_error->setStyleSheet(QStringLiteral("color: #c0392b"));
    m_error->hide();
    m_buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    m_buttons->button(QDialogButtonBox::Ok)->setText(tr("Start"));

    auto *columns = new QHBoxLayout;
    columns->addWidget(run);
    columns->addWidget(guard);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(new QLabel(tr("Bot %1, version %2 (%3)").arg(bot.name, version.codeHash.left(12),
                                                                   version.notes.isEmpty() ? tr("no notes") : version.notes), this));
    layout->addLayout(columns);
    layout->addWidget(pre);
    layout->addWidget(m_error);
    layout->addWidget(m_buttons);

    setCheck(m_backtestLabel, std::nullopt, tr("Backtested: asking…"));
    setCheck(m_symbolLabel, std::nullopt, tr("Symbol at the broker: waiting for an account"));
    setCheck(m_tradingLabel, std::nullopt, tr("Trading allowed: waiting for an account"));

    connect(m_buttons, &QDialogButtonBox::accepted, this, &StartRunDialog::submit);
    connect(m_buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(m_recheck, &QPushButton::clicked, this, &StartRunDialog::runPreflight);
    connect(m_directory, &AccountDirectory::accountsListed, this, [this](const std::vector<AccountRow> &rows, qint64) {
        const QString current = m_account->currentText();
        m_accounts.clear();
        m_account->clear();
        for (const AccountRow &r : rows) {
            m_accounts.push_back(r.account);
            m_account->addItem(r.account.name);
        }
        if (!current.isEmpty())
            m_account->setCurrentText(current);
        if (m_account->currentIndex() < 0 && m_account->count() > 0)
            m_account->setCurrentIndex(0);
        if (rows.empty())
            m_account->setPlaceholderText(tr("no accounts: add one on the Accounts page"));
        const bool first = !m_accountsLoaded;
        m_accountsLoaded = true;
        emit accountsLoaded();
        if (first)
            runPreflight();
    });
    connect(m_directory, &AccountDirectory::runCreated, this, [this](const LiveRunRecord &record) {
        if (!m_submitting || record.spec.id != m_submittedId)
            return;
        m_submitting = false;
        m_created = record;
        accept();
    });
    connect(m_directory, &AccountDirectory::failed, this, [this](AccountDirectory::Operation op, const QString &message) {
        if (op == AccountDirectory::Operation::CreateRun && m_submitting) {
            m_submitting = false;
            showError(message);
        } else if (op == AccountDirectory::Operation::ListAccounts) {
            showError(message);
        }
    });
    if (m_library) {
        connect(m_library, &BotLibrary::runsListed, this, [this](const QString &botName, const std::vector<BacktestRunSummary> &runs) {
            if (botName != m_bot.name || !m_runsPending)
                return;
            m_runsPending = false;
            int count = 0;
            for (const BacktestRunSummary &r : runs)
                if (r.codeHash == m_version.codeHash && r.status == RunStatus::Completed)
                    ++count;
            m_backtested = count > 0;
            setCheck(m_backtestLabel, m_backtested,
                     count > 0 ? tr("Backtested: %n stored backtest(s) of this version", nullptr, count)
                               : tr("Backtested: no stored backtest of this version; run \"Backtest this version\" "
                                    "first to see how it trades"));
            finishPreflightIfDone();
        });
        connect(m_library, &BotLibrary::failed, this, [this](BotLibrary::Operation op, const QString &message) {
            if (op != BotLibrary::Operation::ListRuns || !m_runsPending)
                return;
            m_runsPending = false;
            m_backtested.reset();
            setCheck(m_backtestLabel, std::nullopt, tr("Backtested: cannot tell (%1)").arg(message));
            finishPreflightIfDone();
        });
    }
    m_directory->refresh();
}

void StartRunDialog::setCheck(QLabel *label, std::optional<bool> state, const QString &text)
{
    const QString mark = !state ? QStringLiteral("…") : *state ? QStringLiteral("✔") : QStringLiteral("✘");
    label->setText(mark + QLatin1Char(' ') + text);
    label->setStyleSheet(!state ? QStringLiteral("color: #777") : *state ? QStringLiteral("color: #1e7e34")
                                                                         : QStringLiteral("color: #c0392b"));
    label->setProperty("state", !state ? QStringLiteral("unknown") : *state ? QStringLiteral("yes") : QStringLiteral("no"));
}

void StartRunDialog::runPreflight()
{
    m_backtested.reset();
    m_symbolResolved.reset();
    m_tradingAllowed.reset();
    if (m_library) {
        m_runsPending = true;
        setCheck(m_backtestLabel, std::nullopt, tr("Backtested: asking…"));
        m_library->refreshRuns(m_bot.name);
        // The library answers only its latest listing: a newer one asked elsewhere (the Bots page, another bot)
        // would leave this check waiting for ever.
        const quint64 generation = ++m_preflightGeneration;
        QTimer::singleShot(15'000, this, [this, generation] {
            if (generation != m_preflightGeneration || !m_runsPending)
                return;
            m_runsPending = false;
            setCheck(m_backtestLabel, std::nullopt, tr("Backtested: cannot tell (the bot database did not answer "
                                                       "within 15 s); press Check again"));
            finishPreflightIfDone();
        });
    } else {
        setCheck(m_backtestLabel, std::nullopt, tr("Backtested: cannot tell (no bot database)"));
    }
    const int index = m_account->currentIndex();
    if (index < 0 || index >= int(m_accounts.size()) || !m_probeFactory) {
        const QString why = !m_probeFactory ? tr("no bridge access here") : tr("choose an account");
        setCheck(m_symbolLabel, std::nullopt, tr("Symbol at the broker: %1").arg(why));
        setCheck(m_tradingLabel, std::nullopt, tr("Trading allowed: %1").arg(why));
        finishPreflightIfDone();
        return;
    }
    if (!m_probe) {
        m_probe = m_probeFactory(this);
        connect(m_probe, &BridgeProbe::finished, this, &StartRunDialog::onProbe);
    }
    m_probePending = true;
    const LiveAccount account = m_accounts[size_t(index)];
    setCheck(m_symbolLabel, std::nullopt, tr("Symbol at the broker: asking %1…").arg(account.bridgeUrl));
    setCheck(m_tradingLabel, std::nullopt, tr("Trading allowed: asking…"));
    m_probe->probe(account, m_symbol->text().trimmed().toUpper());
}

void StartRunDialog::onProbe(const BridgeProbeResult &r)
{
    m_probePending = false;
    if (!r.ok()) {
        m_symbolResolved.reset();
        m_tradingAllowed.reset();
        setCheck(m_symbolLabel, false, tr("Symbol at the broker: cannot tell: %1").arg(r.error));
        setCheck(m_tradingLabel, false, tr("Trading allowed: cannot tell (no connection)"));
        finishPreflightIfDone();
        return;
    }
    m_symbolResolved = r.symbolResolved;
    setCheck(m_symbolLabel, m_symbolResolved,
             r.symbolResolved ? tr("Symbol at the broker: %1 -> %2").arg(r.symbol, r.brokerSymbol)
                              : tr("Symbol at the broker: %1 not resolved: %2").arg(r.symbol, r.symbolError));
    m_tradingAllowed = r.tradeAllowed && r.terminalConnected && (!r.accountKnown || r.accountTradeAllowed)
                       && (!r.symbolResolved || r.symbolTradable);
    QStringList why;
    if (!r.terminalConnected)
        why << tr("the terminal is not connected to its trade server");
    if (!r.tradeAllowed)
        why << tr("algo trading is off in the terminal");
    if (r.accountKnown && !r.accountTradeAllowed)
        why << tr("the account may not trade");
    if (r.symbolResolved && !r.symbolTradable)
        why << tr("%1 is not open for new positions").arg(r.brokerSymbol);
    setCheck(m_tradingLabel, m_tradingAllowed,
             *m_tradingAllowed ? tr("Trading allowed: login %1 on %2").arg(r.login, r.server)
                               : tr("Trading allowed: no — %1").arg(why.join(QStringLiteral("; "))));
    finishPreflightIfDone();
}

void StartRunDialog::finishPreflightIfDone()
{
    if (!preflightPending())
        emit preflightFinished();
}

LiveRunSpec StartRunDialog::spec() const
{
    LiveRunSpec s;
    s.id = QUuid::createUuid();
    s.botVersionId = m_version.id;
    s.botName = m_bot.name;
    s.codeHash = m_version.codeHash;
    s.account = m_account->currentText();
    s.symbol = m_symbol->text().trimmed().toUpper();
    s.timeframe = m_timeframe->currentText();
    s.decision = DecisionMode(m_decision->currentData().toInt());
    s.approval = ApprovalMode(m_approval->currentData().toInt());
    s.approvalTimeoutMs = qint64(m_approvalTimeout->value()) * 1000;
    s.guardrails.dailyLossPercent = m_dailyLoss->value();
    s.guardrails.drawdownCapPercent = m_drawdownCap->value();
    s.guardrails.maxRiskPercent = m_maxRisk->value();
    s.guardrails.maxOpenPerSymbol = m_maxOpen->value();
    s.guardrails.maxOpenPerAccountSymbol = m_maxOpenAccount->value();
    s.guardrails.cooldownMs = qint64(m_cooldown->value()) * 1000;
    s.guardrails.marginCheck = m_marginCheck->isChecked();
    return s;
}

void StartRunDialog::showError(const QString &message)
{
    m_error->setText(message);
    m_error->show();
    m_buttons->button(QDialogButtonBox::Ok)->setEnabled(true);
    emit submitFailed(message);
}

void StartRunDialog::submit()
{
    if (m_submitting)
        return;
    const LiveRunSpec s = spec();
    if (Result<void> valid = validateLiveRunSpec(s); !valid) {
        showError(valid.error().message);
        return;
    }
    m_submitting = true;
    m_submittedId = s.id;
    m_error->hide();
    m_buttons->button(QDialogButtonBox::Ok)->setEnabled(false);
    m_directory->createRun(s);
}

} // namespace bd

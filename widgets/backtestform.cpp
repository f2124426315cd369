#include "backtestform.h"

#include "strategyparams.h"

#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QFontDatabase>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QJsonDocument>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QSettings>
#include <QSpinBox>
#include <QVBoxLayout>

namespace bd {
namespace {

QString prettyJson(const QJsonObject &object)
{
    return QString::fromUtf8(QJsonDocument(object).toJson(QJsonDocument::Indented)).trimmed();
}

} // namespace

BacktestForm::BacktestForm(QWidget *parent)
    : QWidget(parent)
{
    setObjectName(QStringLiteral("backtestForm"));

    m_dataFile = new QLineEdit(this);
    m_dataFile->setObjectName(QStringLiteral("dataFileEdit"));
    m_dataFile->setPlaceholderText(tr("BotDesk CSV or MT5 export (.csv, .csv.gz)"));
    m_dataFile->setClearButtonEnabled(true);
    m_browse = new QPushButton(tr("Browse…"), this);
    m_browse->setObjectName(QStringLiteral("browseButton"));
    auto *fileRow = new QHBoxLayout;
    fileRow->setContentsMargins(0, 0, 0, 0);
    fileRow->addWidget(m_dataFile, 1);
    fileRow->addWidget(m_browse);

    m_symbol = new QComboBox(this);
    m_symbol->setObjectName(QStringLiteral("symbolCombo"));
    m_strategy = new QComboBox(this);
    m_strategy->setObjectName(QStringLiteral("strategyCombo"));
    m_strategyDescription = new QLabel(this);
    m_strategyDescription->setObjectName(QStringLiteral("strategyDescription"));
    m_strategyDescription->setWordWrap(true);
    m_strategyDescription->setStyleSheet(QStringLiteral("color: #5a6270;"));

    m_params = new QPlainTextEdit(this);
    m_params->setObjectName(QStringLiteral("paramsEdit"));
    m_params->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_params->setTabChangesFocus(true);
    m_params->setMinimumHeight(110);
    m_params->setMaximumHeight(200);
    m_params->setToolTip(tr("Strategy parameters as a JSON object; keys left out take their defaults."));
    m_defaults = new QPushButton(tr("Reset to defaults"), this);
    m_defaults->setObjectName(QStringLiteral("paramsDefaultsButton"));

    m_deposit = new QDoubleSpinBox(this);
    m_deposit->setObjectName(QStringLiteral("depositSpin"));
    m_deposit->setRange(kMinDeposit, kMaxDeposit);
    m_deposit->setDecimals(kDepositDecimals);
    m_deposit->setValue(10000.0);
    m_deposit->setGroupSeparatorShown(true);
    m_spread = new QSpinBox(this);
    m_spread->setObjectName(QStringLiteral("spreadSpin"));
    m_spread->setRange(-1, backtestLimits::kMaxSpreadPoints);
    m_spread->setValue(-1);
    m_spread->setSpecialValueText(tr("from bars / symbol"));
    m_spread->setSuffix(tr(" points"));
    m_commission = new QDoubleSpinBox(this);
    m_commission->setObjectName(QStringLiteral("commissionSpin"));
    m_commission->setRange(0.0, 1000.0);
    m_commission->setDecimals(2);
    m_commission->setToolTip(tr("Money per lot charged on each deal (entry and exit)"));
    m_slippage = new QSpinBox(this);  // whole points, as the engine books them (docs/backtest-model.md)
    m_slippage->setObjectName(QStringLiteral("slippageSpin"));
    m_slippage->setRange(0, backtestLimits::kMaxSlippagePoints);
    m_slippage->setSuffix(tr(" points"));

    auto *dataBox = new QGroupBox(tr("Data"), this);
    auto *dataForm = new QFormLayout(dataBox);
    dataForm->addRow(tr("Bars file:"), fileRow);
    dataForm->addRow(tr("Symbol:"), m_symbol);

    auto *strategyBox = new QGroupBox(tr("Strategy"), this);
    auto *strategyForm = new QVBoxLayout(strategyBox);
    strategyForm->addWidget(m_strategy);
    strategyForm->addWidget(m_strategyDescription);
    strategyForm->addWidget(m_params, 1);
    auto *defaultsRow = new QHBoxLayout;
    defaultsRow->addStretch(1);
    defaultsRow->addWidget(m_defaults);
    strategyForm->addLayout(defaultsRow);

    auto *accountBox = new QGroupBox(tr("Account and costs"), this);
    auto *accountForm = new QFormLayout(accountBox);
    accountForm->addRow(tr("Initial deposit:"), m_deposit);
    accountForm->addRow(tr("Spread:"), m_spread);
    accountForm->addRow(tr("Commission / lot:"), m_commission);
    accountForm->addRow(tr("Slippage:"), m_slippage);

    m_run = new QPushButton(tr("Run backtest"), this);
    m_run->setObjectName(QStringLiteral("runButton"));
    m_run->setDefault(true);
    m_run->setStyleSheet(QStringLiteral("QPushButton { font-weight: bold; padding: 5px 14px; }"));
    m_cancel = new QPushButton(tr("Cancel"), this);
    m_cancel->setObjectName(QStringLiteral("cancelButton"));
    m_cancel->setEnabled(false);
    auto *buttons = new QHBoxLayout;
    buttons->addWidget(m_run, 1);
    buttons->addWidget(m_cancel);

    m_progress = new QProgressBar(this);
    m_progress->setObjectName(QStringLiteral("progressBar"));
    m_progress->setRange(0, 100);
    m_progress->setValue(0);
    m_progress->setTextVisible(true);
    m_status = new QLabel(tr("Ready."), this);
    m_status->setObjectName(QStringLiteral("statusLabel"));
    m_status->setWordWrap(true);
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_status->setMinimumHeight(m_status->fontMetrics().height() * 3);
    m_status->setAlignment(Qt::AlignLeft | Qt::AlignTop);

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(dataBox);
    layout->addWidget(strategyBox);
    layout->addWidget(accountBox);
    layout->addLayout(buttons);
    layout->addWidget(m_progress);
    layout->addWidget(m_status);
    layout->addStretch(1);

    m_inputs = {m_dataFile, m_browse, m_symbol, m_strategy, m_params, m_defaults,
                m_deposit, m_spread, m_commission, m_slippage};

    connect(m_browse, &QPushButton::clicked, this, &BacktestForm::browseDataFile);
    connect(m_dataFile, &QLineEdit::textChanged, m_dataFile, &QLineEdit::setToolTip);
    connect(m_strategy, &QComboBox::currentIndexChanged, this, &BacktestForm::handleStrategyChanged);
    connect(m_symbol, &QComboBox::currentIndexChanged, this, &BacktestForm::handleSymbolChanged);
    connect(m_defaults, &QPushButton::clicked, this, &BacktestForm::resetParamsToDefaults);
    connect(m_run, &QPushButton::clicked, this, &BacktestForm::runRequested);
    connect(m_cancel, &QPushButton::clicked, this, &BacktestForm::cancelRequested);
}

void BacktestForm::setSymbols(const std::vector<SymbolSpec> &symbols)
{
    const QString previous = symbol();
    m_symbols = symbols;
    QSignalBlocker block(m_symbol);
    m_symbol->clear();
    for (const SymbolSpec &s : m_symbols) {
        m_symbol->addItem(s.name, s.name);
        m_symbol->setItemData(m_symbol->count() - 1,
                              QStringLiteral("%1\n%2 digits, point %3, contract %4, default spread %5 points")
                                  .arg(s.description)
                                  .arg(s.digits)
                                  .arg(s.point)
                                  .arg(s.contractSize)
                                  .arg(s.defaultSpreadPoints),
                              Qt::ToolTipRole);
    }
    block.unblock();
    if (!previous.isEmpty())
        setSymbol(previous);
    handleSymbolChanged(m_symbol->currentIndex());
}

void BacktestForm::setStrategies(const std::vector<StrategyInfo> &strategies)
{
    m_strategies = strategies;
    QSignalBlocker block(m_strategy);
    m_strategy->clear();
    for (const StrategyInfo &s : m_strategies)
        m_strategy->addItem(s.name, s.name);
    block.unblock();
    m_lastStrategy.clear();
    handleStrategyChanged(m_strategy->currentIndex());
}

std::optional<BacktestRequest> BacktestForm::request(QString *error) const
{
    auto fail = [error](QString message) -> std::optional<BacktestRequest> {
        if (error)
            *error = std::move(message);
        return std::nullopt;
    };

    BacktestRequest r;
    r.dataFile = dataFile();
    if (r.dataFile.isEmpty())
        return fail(tr("Choose a bars file first (BotDesk CSV or MT5 export, .csv or .csv.gz)."));
    const QFileInfo info(r.dataFile);
    if (!info.exists() || !info.isFile())
        return fail(tr("Bars file not found: %1. Check the path or use Browse…").arg(r.dataFile));

    r.symbol = symbol();
    if (r.symbol.isEmpty())
        return fail(tr("Choose a symbol."));
    r.strategy = strategy();
    if (r.strategy.isEmpty())
        return fail(tr("Choose a strategy."));

    auto params = parseStrategyParams(paramsJson().toUtf8(), tr("The strategy parameters text"));
    if (!params)
        return fail(params.error().message + tr(". Fix the text or press \"Reset to defaults\"."));
    r.params = std::move(params).value();

    r.config.initialDeposit = m_deposit->value();
    r.config.spreadPoints = m_spread->value();
    r.config.commissionPerLot = m_commission->value();
    r.config.slippagePoints = m_slippage->value();
    if (const SymbolSpec *spec = symbolSpec(); spec && !spec->currencyProfit.isEmpty())
        r.config.depositCurrency = spec->currencyProfit;  // no currency conversion yet
    return r;
}

void BacktestForm::setDataFile(const QString &path) { m_dataFile->setText(path); }

bool BacktestForm::setSymbol(const QString &name)
{
    for (int i = 0; i < m_symbol->count(); ++i) {
        if (m_symbol->itemData(i).toString().compare(name, Qt::CaseInsensitive) == 0) {
            m_symbol->setCurrentIndex(i);
            return true;
        }
    }
    return false;
}

bool BacktestForm::setStrategy(const QString &name)
{
    const int index = m_strategy->findData(name);
    if (index >= 0)
        m_strategy->setCurrentIndex(index);
    return index >= 0;
}

void BacktestForm::setParamsJson(const QString &json) { m_params->setPlainText(json); }
void BacktestForm::setDeposit(double deposit) { m_deposit->setValue(deposit); }
QString BacktestForm::dataFile() const { return m_dataFile->text().trimmed(); }
QString BacktestForm::symbol() const { return m_symbol->currentData().toString(); }
QString BacktestForm::strategy() const { return m_strategy->currentData().toString(); }
QString BacktestForm::paramsJson() const { return m_params->toPlainText(); }

const SymbolSpec *BacktestForm::symbolSpec() const
{
    const int index = m_symbol->currentIndex();
    if (index < 0 || size_t(index) >= m_symbols.size())
        return nullptr;
    return &m_symbols[size_t(index)];
}

void BacktestForm::setRunning(bool running)
{
    for (QWidget *w : m_inputs)
        w->setEnabled(!running);
    m_run->setEnabled(!running);
    m_cancel->setEnabled(running);
    if (running) {
        m_progress->setRange(0, 100);
        m_progress->setValue(0);
    }
}

void BacktestForm::setProgress(int percent)
{
    if (percent < 0) {
        m_progress->setRange(0, 0);  // busy indicator
        return;
    }
    m_progress->setRange(0, 100);
    m_progress->setValue(percent);
}

void BacktestForm::setStatus(const QString &text, StatusKind kind)
{
    m_status->setText(text);
    switch (kind) {
    case StatusKind::Info: m_status->setStyleSheet(QStringLiteral("color: #333840;")); break;
    case StatusKind::Success: m_status->setStyleSheet(QStringLiteral("color: #1b7f3b;")); break;
    case StatusKind::Warning: m_status->setStyleSheet(QStringLiteral("color: #a15c00;")); break;
    case StatusKind::Error: m_status->setStyleSheet(QStringLiteral("color: #c62828; font-weight: bold;")); break;
    }
}

QString BacktestForm::statusText() const { return m_status->text(); }

void BacktestForm::browseDataFile()
{
    const QString start = dataFile().isEmpty() ? QString() : QFileInfo(dataFile()).absolutePath();
    const QString path = QFileDialog::getOpenFileName(this, tr("Open bars file"), start,
                                                      tr("Bar data (*.csv *.csv.gz *.txt *.gz);;All files (*)"));
    if (!path.isEmpty())
        m_dataFile->setText(path);
}

void BacktestForm::handleStrategyChanged(int index)
{
    if (!m_lastStrategy.isEmpty())
        m_paramsByStrategy.insert(m_lastStrategy, paramsJson());
    if (index < 0 || size_t(index) >= m_strategies.size()) {
        m_lastStrategy.clear();
        m_strategyDescription->clear();
        return;
    }
    const StrategyInfo &info = m_strategies[size_t(index)];
    m_lastStrategy = info.name;
    m_strategyDescription->setText(info.description);
    m_params->setPlainText(m_paramsByStrategy.value(info.name, prettyJson(info.defaultParams)));
}

void BacktestForm::handleSymbolChanged(int index)
{
    Q_UNUSED(index);
    const SymbolSpec *spec = symbolSpec();
    m_deposit->setSuffix(spec && !spec->currencyProfit.isEmpty() ? QLatin1Char(' ') + spec->currencyProfit : QString());
}

void BacktestForm::resetParamsToDefaults()
{
    const int index = m_strategy->currentIndex();
    if (index < 0 || size_t(index) >= m_strategies.size())
        return;
    m_params->setPlainText(prettyJson(m_strategies[size_t(index)].defaultParams));
}

void BacktestForm::loadSettings(QSettings &settings)
{
    settings.beginGroup(QStringLiteral("backtest"));
    setDataFile(settings.value(QStringLiteral("dataFile"), dataFile()).toString());
    setSymbol(settings.value(QStringLiteral("symbol"), symbol()).toString());
    settings.beginGroup(QStringLiteral("params"));
    for (const QString &key : settings.childKeys())
        m_paramsByStrategy.insert(key, settings.value(key).toString());
    settings.endGroup();
    // Show the saved text of the current strategy before switching, so the switch keeps it in the map.
    if (m_paramsByStrategy.contains(strategy()))
        setParamsJson(m_paramsByStrategy.value(strategy()));
    setStrategy(settings.value(QStringLiteral("strategy"), strategy()).toString());
    setDeposit(settings.value(QStringLiteral("deposit"), m_deposit->value()).toDouble());
    m_spread->setValue(settings.value(QStringLiteral("spreadPoints"), m_spread->value()).toInt());
    m_commission->setValue(settings.value(QStringLiteral("commissionPerLot"), m_commission->value()).toDouble());
    m_slippage->setValue(settings.value(QStringLiteral("slippagePoints"), m_slippage->value()).toInt());
    settings.endGroup();
}

void BacktestForm::saveSettings(QSettings &settings) const
{
    settings.beginGroup(QStringLiteral("backtest"));
    settings.setValue(QStringLiteral("dataFile"), dataFile());
    settings.setValue(QStringLiteral("symbol"), symbol());
    settings.setValue(QStringLiteral("strategy"), strategy());
    if (!strategy().isEmpty())
        settings.setValue(QStringLiteral("params/") + strategy(), paramsJson());
    settings.setValue(QStringLiteral("deposit"), m_deposit->value());
    settings.setValue(QStringLiteral("spreadPoints"), m_spread->value());
    settings.setValue(QStringLiteral("commissionPerLot"), m_commission->value());
    settings.setValue(QStringLiteral("slippagePoints"), m_slippage->value());
    settings.endGroup();
}

} // namespace bd

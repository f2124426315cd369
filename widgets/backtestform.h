#pragma once
// The backtest input panel: data file, symbol, strategy + JSON parameters, account settings,
// Run/Cancel, progress and a status line. It only collects and validates input; MainWindow runs the job.

#include "backtestrequest.h"
#include "strategyregistry.h"
#include "symbolspec.h"

#include <QHash>
#include <QWidget>

#include <optional>
#include <vector>

class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QProgressBar;
class QPushButton;
class QSettings;
class QSpinBox;

namespace bd {

class BacktestForm : public QWidget {
    Q_OBJECT
public:
    enum class StatusKind { Info, Success, Warning, Error };

    // The deposit the form accepts (money, deposit currency), in cents: setDeposit() clamps to this range and rounds.
    static constexpr double kMinDeposit = 1.0;
    static constexpr double kMaxDeposit = 1e9;
    static constexpr int kDepositDecimals = 2;

    explicit BacktestForm(QWidget *parent = nullptr);

    void setSymbols(const std::vector<SymbolSpec> &symbols);
    void setStrategies(const std::vector<StrategyInfo> &strategies);

    // Builds the request from the inputs. On invalid input returns nothing and sets `error` to a message that
    // says what is wrong and how to fix it.
    std::optional<BacktestRequest> request(QString *error) const;

    void setDataFile(const QString &path);
    bool setSymbol(const QString &name);      // case-insensitive; returns false and keeps the selection when unknown
    bool setStrategy(const QString &name);    // also loads that strategy's parameters; false when unknown
    void setParamsJson(const QString &json);
    void setDeposit(double deposit);
    QString dataFile() const;
    QString symbol() const;
    QString strategy() const;
    QString paramsJson() const;
    // The selected symbol's spec (nullptr when the catalogue is empty).
    const SymbolSpec *symbolSpec() const;

    void setRunning(bool running);
    void setProgress(int percent);  // -1 = busy indicator
    void setStatus(const QString &text, StatusKind kind = StatusKind::Info);
    QString statusText() const;

    void loadSettings(QSettings &settings);
    void saveSettings(QSettings &settings) const;

signals:
    void runRequested();
    void cancelRequested();

private:
    void browseDataFile();
    void handleStrategyChanged(int index);
    void handleSymbolChanged(int index);
    void resetParamsToDefaults();

    std::vector<SymbolSpec> m_symbols;
    std::vector<StrategyInfo> m_strategies;
    QString m_lastStrategy;
    QHash<QString, QString> m_paramsByStrategy;  // edited parameter text per strategy name
    QLineEdit *m_dataFile = nullptr;
    QPushButton *m_browse = nullptr;
    QComboBox *m_symbol = nullptr;
    QComboBox *m_strategy = nullptr;
    QLabel *m_strategyDescription = nullptr;
    QPlainTextEdit *m_params = nullptr;
    QPushButton *m_defaults = nullptr;
    QDoubleSpinBox *m_deposit = nullptr;
    QSpinBox *m_spread = nullptr;
    QDoubleSpinBox *m_commission = nullptr;
    QSpinBox *m_slippage = nullptr;
    QPushButton *m_run = nullptr;
    QPushButton *m_cancel = nullptr;
    QProgressBar *m_progress = nullptr;
    QLabel *m_status = nullptr;
    QList<QWidget *> m_inputs;
};

} // namespace bd

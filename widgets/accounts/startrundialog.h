#pragma once
// StartRunDialog: "Start live…" on a bot version (issue 10 §3): account, symbol, timeframe, BAR/TICK, AUTO/APPROVE,
// the approval timeout and the guardrails with core/live/liverun.h's defaults, and a pre-flight check:
//   - version backtested?   a stored backtest of this version (its code hash) exists (BotLibrary::refreshRuns);
//   - symbol resolved?      the account's bridge resolves the symbol at the broker (BridgeProbe, off the GUI thread);
//   - trading allowed?      the terminal's algo trading switch, the account's trade permission and the symbol's
//                           trade mode, from the same probe.
// The pre-flight informs; it does not block OK (a trader may go live on a demo account untested).
// OK validates the spec (validateLiveRunSpec: the error names the field, shown in the dialog) and writes the run
// through AccountDirectory::createRun — LiveRunStore::createRun, as `botdesk-cli live start` does: PENDING, desired
// RUNNING; a host (the desktop or `live serve`) picks it up. The dialog closes when the run is stored.

#include "bot.h"
#include "bridgeprobe.h"
#include "liverun.h"
#include "liverunstore.h"

#include <QDialog>

#include <optional>

class QCheckBox;
class QComboBox;
class QDialogButtonBox;
class QDoubleSpinBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QSpinBox;

namespace bd {

class AccountDirectory;
class BotLibrary;

class StartRunDialog : public QDialog {
    Q_OBJECT
public:
    // `library` may be null (the backtest check then says it cannot tell); `probes` may be empty (no bridge checks).
    StartRunDialog(const Bot &bot, const BotVersion &version, AccountDirectory *directory, BotLibrary *library,
                   BridgeProbeFactory probes, QWidget *parent = nullptr);

    // The spec the fields describe (a new id each call; not validated).
    LiveRunSpec spec() const;
    // Runs the three checks again for the chosen account and symbol. -> preflightFinished when all have answered.
    void runPreflight();
    // OK: validate, then createRun. The answer comes asynchronously: accepted, or the error in errorLabel().
    void submit();

    // Pre-flight answers: nullopt while unknown or pending.
    std::optional<bool> backtested() const { return m_backtested; }
    std::optional<bool> symbolResolved() const { return m_symbolResolved; }
    std::optional<bool> tradingAllowed() const { return m_tradingAllowed; }
    bool preflightPending() const { return m_runsPending || m_probePending; }
    std::optional<LiveRunRecord> createdRun() const { return m_created; }

    QComboBox *accountBox() const { return m_account; }
    QLineEdit *symbolEdit() const { return m_symbol; }
    QComboBox *timeframeBox() const { return m_timeframe; }
    QComboBox *decisionBox() const { return m_decision; }
    QComboBox *approvalBox() const { return m_approval; }
    QSpinBox *approvalTimeoutBox() const { return m_approvalTimeout; }
    QDoubleSpinBox *dailyLossBox() const { return m_dailyLoss; }
    QDoubleSpinBox *drawdownCapBox() const { return m_drawdownCap; }
    QSpinBox *maxOpenBox() const { return m_maxOpen; }
    QSpinBox *maxOpenAccountBox() const { return m_maxOpenAccount; }
    QSpinBox *cooldownBox() const { return m_cooldown; }
    QDoubleSpinBox *maxRiskBox() const { return m_maxRisk; }
    QCheckBox *marginCheckBox() const { return m_marginCheck; }
    QLabel *backtestLabel() const { return m_backtestLabel; }
    QLabel *symbolLabel() const { return m_symbolLabel; }
    QLabel *tradingLabel() const { return m_tradingLabel; }
    QLabel *errorLabel() const { return m_error; }

signals:
    void preflightFinished();
    void accountsLoaded();
    void submitFailed(const QString &message);

private:
    void setCheck(QLabel *label, std::optional<bool> state, const QString &text);
    void onProbe(const BridgeProbeResult &result);
    void finishPreflightIfDone();
    void showError(const QString &message);

    Bot m_bot;
    BotVersion m_version;
    AccountDirectory *m_directory;
    BotLibrary *m_library;
    BridgeProbeFactory m_probeFactory;
    BridgeProbe *m_probe = nullptr;
    std::vector<LiveAccount> m_accounts;
    bool m_accountsLoaded = false;
    bool m_runsPending = false;
    bool m_probePending = false;
    bool m_submitting = false;
    quint64 m_preflightGeneration = 0;
    QUuid m_submittedId;
    std::optional<bool> m_backtested, m_symbolResolved, m_tradingAllowed;
    std::optional<LiveRunRecord> m_created;

    QComboBox *m_account = nullptr;
    QLineEdit *m_symbol = nullptr;
    QComboBox *m_timeframe = nullptr;
    QComboBox *m_decision = nullptr;
    QComboBox *m_approval = nullptr;
    QSpinBox *m_approvalTimeout = nullptr;
    QDoubleSpinBox *m_dailyLoss = nullptr;
    QDoubleSpinBox *m_drawdownCap = nullptr;
    QSpinBox *m_maxOpen = nullptr;
    QSpinBox *m_maxOpenAccount = nullptr;
    QSpinBox *m_cooldown = nullptr;
    QDoubleSpinBox *m_maxRisk = nullptr;
    QCheckBox *m_marginCheck = nullptr;
    QLabel *m_backtestLabel = nullptr;
    QLabel *m_symbolLabel = nullptr;
    QLabel *m_tradingLabel = nullptr;
    QPushButton *m_recheck = nullptr;
    QLabel *m_error = nullptr;
    QDialogButtonBox *m_buttons = nullptr;
};

} // namespace bd

#pragma once
// "New bot": a name and a strategy template (the built-ins, then the Python templates). OK is enabled only for a valid name
// (isValidBotName, the store's rule); the hint line says what is wrong otherwise.

#include <QDialog>
#include <QStringList>

class QComboBox;
class QDialogButtonBox;
class QLabel;
class QLineEdit;

namespace bd {

class NewBotDialog : public QDialog {
    Q_OBJECT
public:
    // `templates`: the strategy names offered, in order (VersionStrategyProvider::templateNames()). `note`, when
    // not empty, is shown under them (why the Python templates are missing: the host's error).
    explicit NewBotDialog(const QStringList &templates, QWidget *parent = nullptr, const QString &note = {});

    QString name() const;
    QString strategyTemplate() const;
    QLineEdit *nameEdit() const { return m_name; }
    QComboBox *templateBox() const { return m_template; }
    QDialogButtonBox *buttons() const { return m_buttons; }
    QString note() const;

    // Empty when `name` is a valid bot name; else what is wrong and how to fix it.
    static QString nameProblem(const QString &name);

private:
    void validate();

    QLineEdit *m_name = nullptr;
    QComboBox *m_template = nullptr;
    QLabel *m_hint = nullptr;
    QLabel *m_note = nullptr;
    QDialogButtonBox *m_buttons = nullptr;
};

} // namespace bd

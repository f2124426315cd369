#include "newbotdialog.h"

#include "bot.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QRegularExpression>

namespace bd {

NewBotDialog::NewBotDialog(const QStringList &templates, QWidget *parent, const QString &note)
    : QDialog(parent)
{
    setObjectName(QStringLiteral("newBotDialog"));
    setWindowTitle(tr("New bot"));
    m_name = new QLineEdit(this);
    m_name->setObjectName(QStringLiteral("newBotName"));
    m_name->setPlaceholderText(tr("e.g. ema-eurusd"));
    m_name->setMaxLength(64);
    m_template = new QComboBox(this);
    m_template->setObjectName(QStringLiteral("newBotTemplate"));
    m_template->addItems(templates);
    m_hint = new QLabel(this);
    m_hint->setObjectName(QStringLiteral("newBotHint"));
    m_hint->setWordWrap(true);
    m_hint->setStyleSheet(QStringLiteral("color: #6b7280;"));
    m_note = new QLabel(note, this);
    m_note->setObjectName(QStringLiteral("newBotTemplatesNote"));
    m_note->setWordWrap(true);
    m_note->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_note->setStyleSheet(QStringLiteral("color: #c62828;"));
    m_note->setVisible(!note.isEmpty());
    m_buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    m_buttons->button(QDialogButtonBox::Ok)->setText(tr("Create"));
    connect(m_buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(m_buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(m_name, &QLineEdit::textChanged, this, &NewBotDialog::validate);

    auto *form = new QFormLayout(this);
    form->addRow(tr("Name"), m_name);
    form->addRow(tr("Strategy template"), m_template);
    form->addRow(m_note);
    form->addRow(m_hint);
    form->addRow(m_buttons);
    validate();
}

QString NewBotDialog::name() const
{
    return m_name->text();
}

QString NewBotDialog::note() const
{
    return m_note->text();
}

QString NewBotDialog::strategyTemplate() const
{
    return m_template->currentText();
}

QString NewBotDialog::nameProblem(const QString &name)
{
    if (name.isEmpty())
        return tr("Give the bot a name.");
    if (!isValidBotName(name))
        return tr("'%1' is not a bot name: start with a letter or digit, then up to 63 letters, digits, '_', '.' "
                  "or '-'.").arg(name);
    return {};
}

void NewBotDialog::validate()
{
    const QString problem = nameProblem(m_name->text());
    m_hint->setText(problem.isEmpty() ? tr("The bot starts with the template's default version.") : problem);
    m_buttons->button(QDialogButtonBox::Ok)->setEnabled(problem.isEmpty() && m_template->count() > 0);
}

} // namespace bd

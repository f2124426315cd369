#include "findreplacebar.h"

#include <Qsci/qsciscintilla.h>

#include <QCheckBox>
#include <QHBoxLayout>
#include <QKeyEvent>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QToolButton>
#include <QVBoxLayout>

namespace bd {

FindReplaceBar::FindReplaceBar(QsciScintilla *editor, QWidget *parent)
    : QWidget(parent), m_editor(editor), m_find(new QLineEdit(this)), m_replace(new QLineEdit(this)),
      m_replaceRow(new QWidget(this)), m_case(new QCheckBox(tr("Match case"), this)),
      m_words(new QCheckBox(tr("Whole words"), this)), m_status(new QLabel(this))
{
    m_find->setPlaceholderText(tr("Find"));
    m_find->setObjectName(QStringLiteral("findText"));
    m_replace->setPlaceholderText(tr("Replace with"));
    m_replace->setObjectName(QStringLiteral("replaceText"));

    auto *next = new QPushButton(tr("Next"), this);
    auto *previous = new QPushButton(tr("Previous"), this);
    auto *close = new QToolButton(this);
    close->setText(QStringLiteral("×"));
    close->setToolTip(tr("Close (Esc)"));
    auto *findRow = new QHBoxLayout;
    findRow->setContentsMargins(0, 0, 0, 0);
    findRow->addWidget(m_find, 1);
    findRow->addWidget(next);
    findRow->addWidget(previous);
    findRow->addWidget(m_case);
    findRow->addWidget(m_words);
    findRow->addWidget(m_status);
    findRow->addWidget(close);

    auto *replaceOne = new QPushButton(tr("Replace"), m_replaceRow);
    auto *replaceAllButton = new QPushButton(tr("Replace all"), m_replaceRow);
    auto *replaceRow = new QHBoxLayout(m_replaceRow);
    replaceRow->setContentsMargins(0, 0, 0, 0);
    replaceRow->addWidget(m_replace, 1);
    replaceRow->addWidget(replaceOne);
    replaceRow->addWidget(replaceAllButton);
    replaceRow->addStretch();

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 2, 4, 2);
    layout->setSpacing(2);
    layout->addLayout(findRow);
    layout->addWidget(m_replaceRow);

    connect(m_find, &QLineEdit::returnPressed, this, [this] { find(m_find->text(), true); });
    connect(next, &QPushButton::clicked, this, [this] { find(m_find->text(), true); });
    connect(previous, &QPushButton::clicked, this, [this] { find(m_find->text(), false); });
    connect(m_replace, &QLineEdit::returnPressed, this, [this] { replaceNext(m_find->text(), m_replace->text()); });
    connect(replaceOne, &QPushButton::clicked, this, [this] { replaceNext(m_find->text(), m_replace->text()); });
    connect(replaceAllButton, &QPushButton::clicked, this, [this] { replaceAll(m_find->text(), m_replace->text()); });
    connect(close, &QToolButton::clicked, this, [this] {
        hide();
        m_editor->setFocus();
    });
    hide();
}

void FindReplaceBar::open(bool replace)
{
    const QString selected = m_editor->selectedText();
    if (!selected.isEmpty() && !selected.contains(QLatin1Char('\n')))
        m_find->setText(selected);
    m_replaceRow->setVisible(replace);
    m_status->clear();
    show();
    m_find->setFocus();
    m_find->selectAll();
}

int FindReplaceBar::searchFlags() const
{
    return (m_case->isChecked() ? QsciScintillaBase::SCFIND_MATCHCASE : 0)
           | (m_words->isChecked() ? QsciScintillaBase::SCFIND_WHOLEWORD : 0);
}

bool FindReplaceBar::find(const QString &text, bool forward)
{
    m_status->clear();
    if (text.isEmpty())
        return false;
    // Backwards from the start of the current selection, so a repeated "previous" does not find the same match.
    int line = -1, index = -1;
    if (!forward && m_editor->hasSelectedText()) {
        int lineTo = 0, indexTo = 0;
        m_editor->getSelection(&line, &index, &lineTo, &indexTo);
    }
    const bool found = m_editor->findFirst(text, false, m_case->isChecked(), m_words->isChecked(), true, forward, line,
                                           index, true);
    if (!found)
        m_status->setText(tr("not found: '%1'").arg(text));
    return found;
}

bool FindReplaceBar::findAgain(bool forward) { return find(m_find->text(), forward); }

bool FindReplaceBar::selectionMatches(const QString &text) const
{
    if (!m_editor->hasSelectedText())
        return false;
    const QString selected = m_editor->selectedText();
    return m_case->isChecked() ? selected == text : selected.compare(text, Qt::CaseInsensitive) == 0;
}

bool FindReplaceBar::replaceNext(const QString &text, const QString &replacement)
{
    if (text.isEmpty())
        return false;
    if (!selectionMatches(text) && !find(text, true))
        return false;
    m_editor->replaceSelectedText(replacement);
    find(text, true);
    return true;
}

int FindReplaceBar::replaceAll(const QString &text, const QString &replacement)
{
    m_status->clear();
    if (text.isEmpty())
        return 0;
    // Scintilla's target search over the whole document, in UTF-8 byte positions.
    const QByteArray what = text.toUtf8();
    const QByteArray with = replacement.toUtf8();
    m_editor->SendScintilla(QsciScintillaBase::SCI_SETSEARCHFLAGS, searchFlags());
    m_editor->beginUndoAction();
    long position = 0;
    int count = 0;
    for (;;) {
        const long length = m_editor->SendScintilla(QsciScintillaBase::SCI_GETLENGTH);
        m_editor->SendScintilla(QsciScintillaBase::SCI_SETTARGETSTART, position);
        m_editor->SendScintilla(QsciScintillaBase::SCI_SETTARGETEND, length);
        const long found = m_editor->SendScintilla(QsciScintillaBase::SCI_SEARCHINTARGET, what.size(), what.constData());
        if (found < 0)
            break;
        const long written = m_editor->SendScintilla(QsciScintillaBase::SCI_REPLACETARGET, with.size(), with.constData());
        position = found + written;  // after the replacement: it is never searched again
        ++count;
    }
    m_editor->endUndoAction();
    m_status->setText(count ? tr("%n replaced", nullptr, count) : tr("not found: '%1'").arg(text));
    return count;
}

void FindReplaceBar::setCaseSensitive(bool on) { m_case->setChecked(on); }
void FindReplaceBar::setWholeWords(bool on) { m_words->setChecked(on); }
QString FindReplaceBar::status() const { return m_status->text(); }

void FindReplaceBar::keyPressEvent(QKeyEvent *event)
{
    if (event->key() == Qt::Key_Escape) {
        hide();
        m_editor->setFocus();
        return;
    }
    QWidget::keyPressEvent(event);
}

} // namespace bd

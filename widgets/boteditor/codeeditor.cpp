#include "codeeditor.h"

#include "findreplacebar.h"

#include <Qsci/qscilexercpp.h>
#include <Qsci/qscilexerpython.h>
#include <Qsci/qsciscintilla.h>
#include <Qsci/qscistyle.h>

#include <QFontDatabase>
#include <QKeySequence>
#include <QShortcut>
#include <QVBoxLayout>

#include <algorithm>

namespace bd {
namespace {

constexpr int kErrorMarker = 1;
constexpr int kLineNumberMargin = 0;
constexpr int kMarkerMargin = 1;

} // namespace

CodeEditor::CodeEditor(QWidget *parent) : QWidget(parent), m_edit(new QsciScintilla(this))
{
    m_edit->setObjectName(QStringLiteral("codeText"));
    const QFont mono = QFontDatabase::systemFont(QFontDatabase::FixedFont);
    setLanguage(Language::Python);
    m_edit->setUtf8(true);
    m_edit->setEolMode(QsciScintilla::EolUnix);
    m_edit->setIndentationsUseTabs(false);
    m_edit->setIndentationWidth(4);
    m_edit->setTabWidth(4);
    m_edit->setAutoIndent(true);
    m_edit->setBraceMatching(QsciScintilla::SloppyBraceMatch);
    m_edit->setCaretLineVisible(true);
    m_edit->setCaretLineBackgroundColor(QColor(0xf4, 0xf6, 0xfa));
    m_edit->setEdgeMode(QsciScintilla::EdgeLine);
    m_edit->setEdgeColumn(120);

    m_edit->setMarginType(kLineNumberMargin, QsciScintilla::NumberMargin);
    m_edit->setMarginsFont(mono);
    m_edit->setMarginWidth(kLineNumberMargin, QStringLiteral("00000"));
    m_edit->setMarginType(kMarkerMargin, QsciScintilla::SymbolMargin);
    m_edit->setMarginWidth(kMarkerMargin, 14);
    m_edit->setMarginMarkerMask(kMarkerMargin, 1 << kErrorMarker);
    m_edit->markerDefine(QsciScintilla::Circle, kErrorMarker);
    m_edit->setMarkerBackgroundColor(QColor(0xd0, 0x30, 0x30), kErrorMarker);
    m_edit->setMarkerForegroundColor(QColor(0x90, 0x10, 0x10), kErrorMarker);
    m_edit->setAnnotationDisplay(QsciScintilla::AnnotationBoxed);

    m_findBar = new FindReplaceBar(m_edit, this);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(0);
    layout->addWidget(m_edit, 1);
    layout->addWidget(m_findBar);

    const auto shortcut = [this](const QKeySequence &keys, auto slot) {
        auto *s = new QShortcut(keys, this);
        s->setContext(Qt::WidgetWithChildrenShortcut);
        connect(s, &QShortcut::activated, this, slot);
    };
    shortcut(QKeySequence::Find, [this] { openFind(false); });
    shortcut(QKeySequence(Qt::CTRL | Qt::Key_H), [this] { openFind(true); });
    shortcut(QKeySequence::FindNext, [this] { m_findBar->findAgain(true); });
    shortcut(QKeySequence::FindPrevious, [this] { m_findBar->findAgain(false); });

    connect(m_edit, &QsciScintilla::modificationChanged, this, &CodeEditor::modificationChanged);
    connect(m_edit, &QsciScintilla::textChanged, this, &CodeEditor::textChanged);
}

void CodeEditor::setCode(const QString &code)
{
    clearErrors();
    m_edit->setText(code);
    m_edit->SendScintilla(QsciScintillaBase::SCI_EMPTYUNDOBUFFER);
    m_edit->setModified(false);
    m_edit->setCursorPosition(0, 0);
}

QString CodeEditor::code() const { return m_edit->text(); }

bool CodeEditor::isModified() const { return m_edit->isModified(); }

void CodeEditor::setUnmodified()
{
    // Scintilla's save point: undoing back to here reads as unmodified again.
    m_edit->SendScintilla(QsciScintillaBase::SCI_SETSAVEPOINT);
}

void CodeEditor::markError(int line, const QString &message)
{
    const int last = std::max(1, m_edit->lines());
    line = std::clamp(line, 1, last);
    m_edit->markerAdd(line - 1, kErrorMarker);
    m_edit->annotate(line - 1, message, QsciStyle(-1, QStringLiteral("error"), QColor(0x90, 0x10, 0x10),
                                                  QColor(0xfd, 0xec, 0xec), QFontDatabase::systemFont(QFontDatabase::FixedFont)));
    if (!m_errorLines.contains(line)) {
        m_errorLines.append(line);
        std::sort(m_errorLines.begin(), m_errorLines.end());
    }
    m_edit->setCursorPosition(line - 1, 0);
    m_edit->ensureLineVisible(line - 1);
}

void CodeEditor::clearErrors()
{
    m_edit->markerDeleteAll(kErrorMarker);
    m_edit->clearAnnotations();
    m_errorLines.clear();
}

QList<int> CodeEditor::errorLines() const { return m_errorLines; }

void CodeEditor::openFind(bool replace) { m_findBar->open(replace); }

void CodeEditor::setReadOnly(bool readOnly) { m_edit->setReadOnly(readOnly); }
bool CodeEditor::isReadOnly() const { return m_edit->isReadOnly(); }

void CodeEditor::setLanguage(Language language)
{
    m_language = language;
    QsciLexer *old = m_edit->lexer();
    QsciLexer *lexer = nullptr;
    if (language == Language::Python) {
        auto *python = new QsciLexerPython(m_edit);
        python->setIndentationWarning(QsciLexerPython::Inconsistent);
        lexer = python;
    } else {
        lexer = new QsciLexerCPP(m_edit);
    }
    const QFont mono = QFontDatabase::systemFont(QFontDatabase::FixedFont);
    lexer->setDefaultFont(mono);
    for (int style = 0; style <= 127; ++style)
        lexer->setFont(mono, style);
    m_edit->setLexer(lexer);
    delete old;
}

} // namespace bd

#pragma once
// CodeEditor: a bot's Python source in QScintilla (Debian libqscintilla2-qt6-dev) with its Python lexer: line
// numbers, 4-space indentation, brace matching, QScintilla's undo history, a find/replace bar (Ctrl+F, Ctrl+H, F3,
// Shift+F3) and error markers — a red mark in the margin and the message shown under the line — for what a check
// or a run reports (file, line, message).

#include <QList>
#include <QWidget>

class QsciScintilla;

namespace bd {

class FindReplaceBar;

class CodeEditor : public QWidget {
    Q_OBJECT
public:
    explicit CodeEditor(QWidget *parent = nullptr);

    // Replaces the whole text: undo history and error marks cleared, unmodified.
    void setCode(const QString &code);
    QString code() const;

    // Changed since setCode() or setUnmodified() (undoing every change makes it unmodified again).
    bool isModified() const;
    void setUnmodified();

    // Marks 1-based `line` as an error with `message` (shown under the line) and moves the cursor there. A line
    // below the last marks the last line; line < 1 marks the first. Several errors may be marked.
    void markError(int line, const QString &message);
    void clearErrors();
    QList<int> errorLines() const;  // 1-based, ascending

    // Read-only shows the code without letting it change (find still works).
    void setReadOnly(bool readOnly);
    bool isReadOnly() const;
    // The lexer: Python (the default) or C++ (the source of a native built-in).
    enum class Language { Python, Cpp };
    void setLanguage(Language language);
    Language language() const { return m_language; }

    void openFind(bool replace);
    FindReplaceBar *findBar() const { return m_findBar; }
    QsciScintilla *textEdit() const { return m_edit; }

signals:
    void modificationChanged(bool modified);
    void textChanged();

private:
    QsciScintilla *m_edit;
    FindReplaceBar *m_findBar;
    QList<int> m_errorLines;
    Language m_language = Language::Python;
};

} // namespace bd

#pragma once
// FindReplaceBar: find and replace in a QsciScintilla, shown under it (Ctrl+F find, Ctrl+H replace, F3 / Shift+F3
// next / previous, Esc closes). Plain text (no regular expressions), optionally case-sensitive and whole words.
// "Replace all" is one undo step and never re-matches inside a replacement.

#include <QWidget>

class QCheckBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QsciScintilla;

namespace bd {

class FindReplaceBar : public QWidget {
    Q_OBJECT
public:
    explicit FindReplaceBar(QsciScintilla *editor, QWidget *parent = nullptr);

    // Shows the bar with the editor's selection (if one line) as the text to find; `replace` shows the replace row.
    void open(bool replace);

    // Selects the next (or previous) match of `text` after (before) the cursor, wrapping at the end. False and a
    // "not found" note when there is none; an empty `text` finds nothing.
    bool find(const QString &text, bool forward = true);
    // find() with the bar's own text (F3 / Shift+F3).
    bool findAgain(bool forward);
    // Replaces the selected match (if the selection is one) and selects the next one. False when nothing matched.
    bool replaceNext(const QString &text, const QString &replacement);
    // Replaces every match in the document as one undo step; returns how many (0 for an empty `text`).
    int replaceAll(const QString &text, const QString &replacement);

    void setCaseSensitive(bool on);
    void setWholeWords(bool on);
    QString status() const;  // the bar's last note: "3 replaced", "not found: 'x'", ""

protected:
    void keyPressEvent(QKeyEvent *event) override;

private:
    bool selectionMatches(const QString &text) const;
    int searchFlags() const;

    QsciScintilla *m_editor;
    QLineEdit *m_find;
    QLineEdit *m_replace;
    QWidget *m_replaceRow;
    QCheckBox *m_case;
    QCheckBox *m_words;
    QLabel *m_status;
};

} // namespace bd

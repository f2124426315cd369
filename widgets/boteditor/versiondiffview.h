#pragma once
// VersionDiffView: two versions of a bot side by side in time (issue 7 §3 History) — the parameters that differ
// (as given; "default" where a version leaves one to its default) and the code as a unified diff in a read-only
// QScintilla with its diff lexer.

#include <QWidget>

class QLabel;
class QTableWidget;
class QsciScintilla;

namespace bd {

struct BotVersion;

class VersionDiffView : public QWidget {
    Q_OBJECT
public:
    explicit VersionDiffView(QWidget *parent = nullptr);

    // Shows the change from the older of `a` and `b` (by creation time) to the newer; `botName` labels them
    // ("alpha@1a2b3c4d5e6f").
    void showDiff(const BotVersion &a, const BotVersion &b, const QString &botName);
    // Empties the view and shows `hint` instead (e.g. "Select two versions to compare them.").
    void clear(const QString &hint);

    QString summary() const;      // "alpha@… → alpha@…: +2 −1 lines, 1 parameter changed", or the hint
    QString diffText() const;     // the unified diff shown
    QTableWidget *paramsTable() const { return m_params; }

private:
    QLabel *m_summary;
    QTableWidget *m_params;
    QsciScintilla *m_code;
};

} // namespace bd

// The bot editor's code editor (widgets/boteditor), offscreen: the Python lexer and margins, modified state with
// undo back to the save point, error marks (clamped lines, several at once, cleared by new code), find forward and
// backward with wrap, case and whole words, replace next, replace all as one undo step that never re-matches inside
// a replacement, and the keyboard shortcuts. A screenshot goes to build/screenshots/.
#include "codeeditor.h"
#include "findreplacebar.h"

#include <Qsci/qscilexerpython.h>
#include <Qsci/qsciscintilla.h>

#include <QDir>
#include <QtTest>

using namespace bd;

namespace {

const QString kCode = QStringLiteral(
    "import botdesk\n"
    "\n"
    "class EmaCross(botdesk.Strategy):\n"
    "    fast = botdesk.Int(12, min=2, max=200)\n"
    "    slow = botdesk.Int(26, min=3, max=500)\n"
    "\n"
    "    def on_bar(self, bar, ctx):\n"
    "        if self.ema_fast.value > self.ema_slow.value:\n"
    "            ctx.open_trade('BUY', sl=bar.low)\n");

} // namespace

class TestCodeEditor : public QObject {
    Q_OBJECT
private slots:
    void pythonLexerMarginsAndModifiedState()
    {
        CodeEditor editor;
        editor.setCode(kCode);
        QVERIFY(qobject_cast<QsciLexerPython *>(editor.textEdit()->lexer()));
        QCOMPARE(editor.textEdit()->marginType(0), QsciScintilla::NumberMargin);
        QVERIFY(editor.textEdit()->marginWidth(0) > 0);
        QCOMPARE(editor.code(), kCode);
        QVERIFY(!editor.isModified());
        QSignalSpy modified(&editor, &CodeEditor::modificationChanged);

        editor.textEdit()->setCursorPosition(0, 0);
        editor.textEdit()->insert(QStringLiteral("# v2\n"));
        QVERIFY(editor.isModified());
        QCOMPARE(modified.size(), 1);
        editor.textEdit()->undo();
        QVERIFY(!editor.isModified());  // back at the save point
        QCOMPARE(editor.code(), kCode);

        editor.textEdit()->insert(QStringLiteral("# saved\n"));
        editor.setUnmodified();
        QVERIFY(!editor.isModified());
        editor.textEdit()->undo();
        QVERIFY(editor.isModified());  // before the save point: differs from what was saved

        // New code: no undo history to step back into.
        editor.setCode(kCode);
        QVERIFY(!editor.textEdit()->isUndoAvailable());

        // Read-only: typing changes nothing; the C++ lexer for a built-in's source.
        editor.setReadOnly(true);
        editor.textEdit()->setFocus();
        QTest::keyClicks(editor.textEdit(), QStringLiteral("xyz"));
        QCOMPARE(editor.code(), kCode);
        editor.setLanguage(CodeEditor::Language::Cpp);
        QVERIFY(editor.textEdit()->lexer() && QString::fromLatin1(editor.textEdit()->lexer()->language()) == QStringLiteral("C++"));
        QCOMPARE(editor.code(), kCode);
    }

    void errorMarks()
    {
        CodeEditor editor;
        editor.setCode(kCode);
        editor.markError(8, QStringLiteral("AttributeError: 'EmaCross' object has no attribute 'ema_fast'"));
        QCOMPARE(editor.errorLines(), QList<int>{8});
        QVERIFY(editor.textEdit()->markersAtLine(7) != 0);
        QVERIFY(editor.textEdit()->markersAtLine(6) == 0);
        QVERIFY(editor.textEdit()->annotation(7).contains(QStringLiteral("AttributeError")));
        int line = -1, index = -1;
        editor.textEdit()->getCursorPosition(&line, &index);
        QCOMPARE(line, 7);

        editor.markError(999, QStringLiteral("past the end"));  // the last line
        editor.markError(-3, QStringLiteral("before the start"));  // the first line
        const int last = editor.textEdit()->lines();
        QCOMPARE(editor.errorLines(), (QList<int>{1, 8, last}));
        QVERIFY(editor.textEdit()->markersAtLine(last - 1) != 0);

        editor.clearErrors();
        QVERIFY(editor.errorLines().isEmpty());
        QCOMPARE(editor.textEdit()->markersAtLine(7), 0u);
        QVERIFY(editor.textEdit()->annotation(7).isEmpty());

        editor.markError(3, QStringLiteral("SyntaxError"));
        editor.setCode(kCode);  // new code clears the old marks
        QVERIFY(editor.errorLines().isEmpty());
        QCOMPARE(editor.textEdit()->markersAtLine(2), 0u);
    }

    void findForwardBackwardCaseAndWords()
    {
        CodeEditor editor;
        editor.setCode(kCode);
        FindReplaceBar *bar = editor.findBar();
        QsciScintilla *text = editor.textEdit();
        int l1, i1, l2, i2;

        QVERIFY(bar->find(QStringLiteral("ema_"), true));
        text->getSelection(&l1, &i1, &l2, &i2);
        QCOMPARE(l1, 7);
        QCOMPARE(text->selectedText(), QStringLiteral("ema_"));
        QVERIFY(bar->find(QStringLiteral("ema_"), true));
        text->getSelection(&l1, &i1, &l2, &i2);
        QCOMPARE(l1, 7);
        QVERIFY(i1 > 20);  // the second one on the same line
        QVERIFY(bar->find(QStringLiteral("ema_"), true));  // wraps to the first
        text->getSelection(&l1, &i1, &l2, &i2);
        QCOMPARE(l1, 7);
        QVERIFY(i1 < 20);
        QVERIFY(bar->find(QStringLiteral("ema_"), false));  // backwards from the first: wraps to the second
        text->getSelection(&l1, &i1, &l2, &i2);
        QVERIFY(i1 > 20);

        QVERIFY(!bar->find(QStringLiteral("nowhere"), true));
        QVERIFY(bar->status().contains(QStringLiteral("not found")));
        QVERIFY(!bar->find(QString(), true));

        bar->setCaseSensitive(true);
        QVERIFY(!bar->find(QStringLiteral("EMA_"), true));
        bar->setCaseSensitive(false);
        QVERIFY(bar->find(QStringLiteral("EMA_"), true));

        bar->setWholeWords(true);
        QVERIFY(!bar->find(QStringLiteral("ema"), true));  // only inside ema_fast / ema_slow
        QVERIFY(bar->find(QStringLiteral("bar"), true));
        bar->setWholeWords(false);
    }

    void replaceNextAndReplaceAll()
    {
        CodeEditor editor;
        editor.setCode(kCode);
        FindReplaceBar *bar = editor.findBar();

        QVERIFY(bar->replaceNext(QStringLiteral("botdesk"), QStringLiteral("bd")));
        QVERIFY(editor.code().startsWith(QStringLiteral("import bd\n")));
        QCOMPARE(editor.textEdit()->selectedText(), QStringLiteral("botdesk"));  // the next match is selected

        // A replacement containing the text is not matched again, and the whole thing is one undo step.
        const QString before = editor.code();
        const int remaining = before.count(QStringLiteral("botdesk"));
        QCOMPARE(bar->replaceAll(QStringLiteral("botdesk"), QStringLiteral("botdesk_botdesk")), remaining);
        QCOMPARE(editor.code().count(QStringLiteral("botdesk_botdesk")), remaining);
        QCOMPARE(bar->status(), QStringLiteral("%1 replaced").arg(remaining));
        editor.textEdit()->undo();
        QCOMPARE(editor.code(), before);

        QCOMPARE(bar->replaceAll(QStringLiteral("absent"), QStringLiteral("x")), 0);
        QCOMPARE(bar->replaceAll(QString(), QStringLiteral("x")), 0);
        QCOMPARE(editor.code(), before);

        // Non-ASCII text: UTF-8 byte positions inside Scintilla, characters outside.
        editor.setCode(QStringLiteral("# entrée, entrée\nx = 'entrée'\n"));
        QCOMPARE(bar->replaceAll(QStringLiteral("entrée"), QStringLiteral("€")), 3);
        QCOMPARE(editor.code(), QStringLiteral("# €, €\nx = '€'\n"));
    }

    void shortcutsOpenTheBar()
    {
        CodeEditor editor;
        editor.resize(900, 500);
        editor.setCode(kCode);
        editor.show();
        QVERIFY(QTest::qWaitForWindowExposed(&editor));
        editor.textEdit()->setFocus();
        QVERIFY(editor.findBar()->isHidden());
        QTest::keyClick(editor.textEdit(), Qt::Key_F, Qt::ControlModifier);
        QVERIFY(editor.findBar()->isVisible());
        auto *replaceText = editor.findBar()->findChild<QWidget *>(QStringLiteral("replaceText"));
        QVERIFY(replaceText && !replaceText->isVisible());
        QTest::keyClick(QApplication::focusWidget(), Qt::Key_Escape);
        QVERIFY(editor.findBar()->isHidden());
        QTest::keyClick(editor.textEdit(), Qt::Key_H, Qt::ControlModifier);
        QVERIFY(editor.findBar()->isVisible() && replaceText->isVisible());

        editor.markError(8, QStringLiteral("NameError: name 'ctx' is not defined"));
        QDir().mkpath(QStringLiteral(BOTDESK_BINARY_DIR "/screenshots"));
        QVERIFY(editor.grab().save(QStringLiteral(BOTDESK_BINARY_DIR "/screenshots/codeeditor.png")));
    }
};

QTEST_MAIN(TestCodeEditor)
#include "tst_codeeditor.moc"

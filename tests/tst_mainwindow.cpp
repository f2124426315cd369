// The real MainWindow, offscreen: fill the form, click Run, wait for the result; cancel; invalid input.

#include "backtestform.h"
#include "backtestjob.h"
#include "equitychartwidget.h"
#include "mainwindow.h"
#include "pricechartwidget.h"
#include "metatypes.h"
#include "statsmodel.h"
#include "syntheticbars.h"
#include "tradelistmodel.h"

#include <QDir>
#include <QFile>
#include <QImage>
#include <QLabel>
#include <QPlainTextEdit>
#include <QProcess>
#include <QProgressBar>
#include <QPushButton>
#include <QSet>
#include <QSettings>
#include <QSignalSpy>
#include <QStatusBar>
#include <QTabWidget>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>

#include <cmath>

using namespace bd;

namespace {

const QString kYearFile = QStringLiteral(BOTDESK_SHARED_DATA_DIR "/EURUSD_M1_2024.csv.gz");

// Distinct colours over a grid of sample points: a blank or single-colour image has very few.
int distinctColours(const QImage &image)
{
    QSet<QRgb> colours;
    for (int y = 0; y < image.height(); y += 3)
        for (int x = 0; x < image.width(); x += 3)
            colours.insert(image.pixel(x, y));
    return int(colours.size());
}

// Pixels within `tolerance` of `colour` (per channel).
int pixelsNear(const QImage &image, const QColor &colour, int tolerance = 40)
{
    int n = 0;
    for (int y = 0; y < image.height(); ++y) {
        for (int x = 0; x < image.width(); ++x) {
            const QRgb p = image.pixel(x, y);
            if (std::abs(qRed(p) - colour.red()) <= tolerance && std::abs(qGreen(p) - colour.green()) <= tolerance
                && std::abs(qBlue(p) - colour.blue()) <= tolerance)
                ++n;
        }
    }
    return n;
}

struct GuiRun {
    int exitCode = -1;  // -1: crashed or did not finish
    QString out;
    QString err;
};

// Runs the real botdesk executable offscreen with its settings in `configHome`.
GuiRun runBotdesk(const QStringList &args, const QString &configHome)
{
    QProcess p;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("offscreen"));
    env.insert(QStringLiteral("XDG_CONFIG_HOME"), configHome);
    p.setProcessEnvironment(env);
    p.start(QStringLiteral(BOTDESK_GUI), args);
    if (!p.waitForFinished(60000)) {
        p.kill();
        p.waitForFinished();
        return {};
    }
    return {p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1, QString::fromUtf8(p.readAllStandardOutput()),
            QString::fromUtf8(p.readAllStandardError())};
}

} // namespace

class TestMainWindow : public QObject {
    Q_OBJECT
private slots:
    void initTestCase();
    void runsBacktestFromTheForm();
    void screenshotOfFullYear();
    void priceChartShowsBarsAndTrades();
    void cancelRightAfterStart();
    void invalidJsonIsRejectedBeforeRunning();
    void strategyErrorIsShown();
    void warningsAreShown();
    void missingFileIsRejected();
    void chartAxesZoomTogether();
    void inputsAreRemembered();
    void commandLineIsRefusedBeforeAnyWindow_data();
    void commandLineIsRefusedBeforeAnyWindow();
    void commandLineValuesAreTakenAsWritten();

private:
    std::unique_ptr<MainWindow> makeWindow();
    QPushButton *button(MainWindow &w, const char *name);

    QTemporaryDir m_dir;
    QString m_synthetic;
};

void TestMainWindow::initTestCase()
{
    registerModelMetaTypes();
    QVERIFY(m_dir.isValid());
    m_synthetic = m_dir.filePath(QStringLiteral("synthetic_m1.csv"));
    QVERIFY(test::writeSyntheticBars(m_synthetic, 6000));
    QVERIFY(QDir().mkpath(QStringLiteral(BOTDESK_BINARY_DIR "/screenshots")));
}

std::unique_ptr<MainWindow> TestMainWindow::makeWindow()
{
    auto w = std::make_unique<MainWindow>(nullptr);  // no QSettings: tests never touch the user's settings
    w->setInteractive(false);
    w->resize(1400, 900);
    w->show();
    return w;
}

QPushButton *TestMainWindow::button(MainWindow &w, const char *name)
{
    return w.findChild<QPushButton *>(QLatin1String(name));
}

void TestMainWindow::runsBacktestFromTheForm()
{
    auto w = makeWindow();
    QVERIFY(QTest::qWaitForWindowExposed(w.get()));
    BacktestForm *form = w->form();
    form->setDataFile(m_synthetic);
    form->setSymbol(QStringLiteral("EURUSD"));
    form->setStrategy(QStringLiteral("ema_crossover"));
    QVERIFY2(form->paramsJson().contains(QLatin1String("\"fast\"")), qPrintable(form->paramsJson()));  // defaults prefilled

    QSignalSpy ended(w.get(), &MainWindow::runEnded);
    QSignalSpy running(w->job(), &BacktestJob::runningChanged);
    QSignalSpy progress(w->job(), &BacktestJob::progressChanged);
    QPushButton *run = button(*w, "runButton");
    QVERIFY(run);
    QTest::mouseClick(run, Qt::LeftButton);
    QVERIFY(w->job()->isRunning());
    QVERIFY(!run->isEnabled());
    auto *bar = w->findChild<QProgressBar *>(QStringLiteral("progressBar"));
    QVERIFY(bar);
    QCOMPARE(bar->maximum(), 0);  // busy indicator while the bars load
    QVERIFY(ended.wait(60000));
    QCOMPARE(ended.at(0).at(0).toBool(), true);
    QCOMPARE(running.count(), 2);  // true, false
    QVERIFY(progress.count() >= 2);
    QCOMPARE(progress.last().at(0).toInt(), 100);
    QVERIFY(run->isEnabled());

    // Trades and statistics.
    QTableView *trades = w->findChild<QTableView *>(QStringLiteral("tradeTable"));
    QVERIFY(trades);
    const int rows = trades->model()->rowCount();
    QVERIFY2(rows > 0, "the synthetic sine wave must make ema_crossover trade");
    QCOMPARE(w->statsModel()->valueText(QStringLiteral("Total Trades")), QString::number(rows));
    QVERIFY(w->statsModel()->rowCount() >= 19);
    QVERIFY(!w->statsModel()->valueText(QStringLiteral("Total Net Profit")).isEmpty());
    QVERIFY(!w->findChild<QLabel *>(QStringLiteral("summaryNetProfit"))->text().startsWith(QStringLiteral("—")));

    // Sorting through the proxy by the raw profit.
    trades->sortByColumn(TradeListModel::ProfitColumn, Qt::DescendingOrder);
    const double top = trades->model()->index(0, TradeListModel::ProfitColumn).data(Qt::UserRole).toDouble();
    const double bottom = trades->model()->index(rows - 1, TradeListModel::ProfitColumn).data(Qt::UserRole).toDouble();
    QVERIFY(top >= bottom);

    // Chart: one point per bar (6000) decimated to at most maxPointsPerGraph().
    EquityChartWidget *chart = w->chart();
    QVERIFY(chart->equityPointCount() > 100);
    QVERIFY(chart->equityPointCount() <= EquityChartWidget::maxPointsPerGraph());
    QVERIFY(chart->balancePointCount() > 100);
    QVERIFY(chart->drawdownPointCount() > 100);

    QVERIFY(form->statusText().startsWith(QStringLiteral("Finished")));
    QVERIFY(w->statusBar()->currentMessage().startsWith(QStringLiteral("Finished")));

    const QImage shot = w->grab().toImage();
    QVERIFY(shot.save(QStringLiteral(BOTDESK_BINARY_DIR "/screenshots/mainwindow_synthetic.png")));
    QVERIFY(distinctColours(shot) >= 20);
}

void TestMainWindow::warningsAreShown()
{
    // Prices with 2 decimals run as a 5-digit symbol: the run finishes, and the window must say it should not be
    // trusted as it is (status line in the warning colour, the warning first in the journal), not "Finished" alone.
    const QString coarse = m_dir.filePath(QStringLiteral("coarse.csv"));
    {
        QFile f(coarse);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("time,open,high,low,close,volume\n");
        for (int i = 0; i < 2000; ++i) {
            const double mid = 1.10 + 0.01 * double((i / 50) % 7);
            f.write(QByteArray::number(1704146400 + i * 60) + ',' + QByteArray::number(mid, 'f', 2) + ','
                    + QByteArray::number(mid + 0.01, 'f', 2) + ',' + QByteArray::number(mid - 0.01, 'f', 2) + ','
                    + QByteArray::number(mid, 'f', 2) + ",0\n");
        }
    }
    auto w = makeWindow();
    w->form()->setDataFile(coarse);
    w->form()->setSymbol(QStringLiteral("EURUSD"));
    w->form()->setStrategy(QStringLiteral("ema_crossover"));
    QSignalSpy ended(w.get(), &MainWindow::runEnded);
    QVERIFY(w->startBacktest());
    QVERIFY(ended.wait(60000));
    QVERIFY(ended.at(0).at(0).toBool());
    QVERIFY(!w->lastResult()->warnings.isEmpty());
    const QString status = w->form()->statusText();
    QVERIFY2(status.contains(QStringLiteral("warning")) && status.contains(QStringLiteral("EURUSD's 5 digits")), qPrintable(status));
    QVERIFY2(w->statusBar()->currentMessage().contains(QStringLiteral("Journal")), qPrintable(w->statusBar()->currentMessage()));
    auto *journal = w->findChild<QPlainTextEdit *>();
    QVERIFY(journal);
    QVERIFY2(journal->toPlainText().startsWith(QStringLiteral("Warning: ")), qPrintable(journal->toPlainText().left(200)));
}

void TestMainWindow::screenshotOfFullYear()
{
    if (!QFile::exists(kYearFile))
        QSKIP("shared EURUSD 2024 data not present");
    auto w = makeWindow();
    QVERIFY(QTest::qWaitForWindowExposed(w.get()));
    w->form()->setDataFile(kYearFile);
    w->form()->setSymbol(QStringLiteral("EURUSD"));
    w->form()->setStrategy(QStringLiteral("box_breakout"));  // default parameters, prefilled by the form

    QSignalSpy ended(w.get(), &MainWindow::runEnded);
    QTest::mouseClick(button(*w, "runButton"), Qt::LeftButton);
    QVERIFY(ended.wait(300000));
    QVERIFY2(ended.at(0).at(0).toBool(), qPrintable(w->form()->statusText()));

    auto result = w->lastResult();
    QVERIFY(result);
    QVERIFY(result->equity.size() > 100000);
    QVERIFY(w->chart()->equityPointCount() <= EquityChartWidget::maxPointsPerGraph());
    QVERIFY(w->chart()->equityPointCount() >= EquityChartWidget::maxPointsPerGraph() / 2);
    QVERIFY(w->tradeModel()->rowCount() > 0);

    const QImage shot = w->grab().toImage();
    const QString path = QStringLiteral(BOTDESK_BINARY_DIR "/screenshots/mainwindow.png");
    QVERIFY(shot.save(path));
    QVERIFY(distinctColours(shot) >= 20);
    // The chart really shows the curves: blue balance line and red drawdown area.
    const QImage chart = w->chart()->grab().toImage();
    QVERIFY(pixelsNear(chart, QColor(0x1f, 0x5f, 0xbf)) > 200);
    QVERIFY(pixelsNear(chart, QColor(0xd3, 0x2f, 0x2f), 60) + pixelsNear(chart, QColor(0xee, 0xa6, 0xa6), 30) > 200);
    qInfo("screenshot: %s", qPrintable(path));

    // The trade list, for a human look: sorted by profit, worst first.
    w->tabs()->setCurrentWidget(w->tradeTable());
    w->tradeTable()->sortByColumn(TradeListModel::ProfitColumn, Qt::AscendingOrder);
    QVERIFY(w->tradeTable()->model()->index(0, TradeListModel::ProfitColumn).data(Qt::UserRole).toDouble()
            <= w->tradeTable()->model()->index(1, TradeListModel::ProfitColumn).data(Qt::UserRole).toDouble());
    QVERIFY(w->grab().save(QStringLiteral(BOTDESK_BINARY_DIR "/screenshots/mainwindow_trades.png")));
}

void TestMainWindow::priceChartShowsBarsAndTrades()
{
    if (!QFile::exists(kYearFile))
        QSKIP("shared EURUSD 2024 data not present");
    auto w = makeWindow();
    QVERIFY(QTest::qWaitForWindowExposed(w.get()));
    w->form()->setDataFile(kYearFile);
    w->form()->setSymbol(QStringLiteral("EURUSD"));
    w->form()->setStrategy(QStringLiteral("box_breakout"));

    QSignalSpy ended(w.get(), &MainWindow::runEnded);
    QVERIFY(w->startBacktest());
    QVERIFY(ended.wait(300000));
    QVERIFY2(ended.at(0).at(0).toBool(), qPrintable(w->form()->statusText()));

    const auto result = w->lastResult();
    const BarSeries bars = w->lastBars();
    QVERIFY(result);
    QCOMPARE(qint64(bars.size()), result->barsProcessed);
    QVERIFY(bars.size() > 300000);
    QVERIFY(result->trades.size() > 10);

    // The full year, decimated: data, but far fewer points than bars; no candles at this zoom.
    PriceChartWidget *price = w->priceChart();
    QVERIFY(price);
    QCOMPARE(price->barCount(), int(bars.size()));
    QVERIFY(price->pricePointCount() > 1000);
    QVERIFY(price->pricePointCount() <= 3 * PriceChartWidget::maxPointsPerView());
    QVERIFY(price->pricePointCount() < int(bars.size()) / 50);
    QCOMPARE(price->candleCount(), 0);
    const double yearStart = double(bars.front().timeMs) / 1000.0;
    const double yearEnd = double(bars.back().timeMs) / 1000.0;
    QVERIFY(price->timeAxis()->range().contains(yearStart));
    QVERIFY(price->timeAxis()->range().contains(yearEnd));
    auto ticker = price->timeAxis()->ticker().dynamicCast<QCPAxisTickerDateTime>();
    QVERIFY(ticker);
    QCOMPARE(ticker->timeZone(), QTimeZone::utc());
    QCOMPARE(price->priceAxis()->numberPrecision(), 5);  // EURUSD digits

    // One entry marker and one exit marker per trade, on the right graph.
    int buys = 0;
    int wins = 0;
    for (const Trade &t : result->trades) {
        buys += t.side == Side::Buy ? 1 : 0;
        wins += t.netProfit() >= 0 ? 1 : 0;
    }
    const int trades = int(result->trades.size());
    QCOMPARE(price->buyEntryGraph()->dataCount(), buys);
    QCOMPARE(price->sellEntryGraph()->dataCount(), trades - buys);
    QCOMPARE(price->winExitGraph()->dataCount(), wins);
    QCOMPARE(price->lossExitGraph()->dataCount(), trades - wins);
    QCOMPARE(price->buyEntryGraph()->dataCount() + price->sellEntryGraph()->dataCount(), trades);
    QCOMPARE(price->winExitGraph()->dataCount() + price->lossExitGraph()->dataCount(), trades);

    // Click (select) a trade row of the sorted table: Price tab, zoomed to that trade (source row, not proxy row).
    w->tabs()->setCurrentWidget(w->tradeTable());
    QTableView *table = w->tradeTable();
    table->sortByColumn(TradeListModel::ProfitColumn, Qt::AscendingOrder);  // proxy row != source row
    QCOMPARE(w->chartTabs()->currentWidget(), static_cast<QWidget *>(w->chart()));
    int row = -1;
    for (int r = 0; r < table->model()->rowCount(); ++r) {
        const quint64 ticket = table->model()->index(r, TradeListModel::TicketColumn).data(Qt::UserRole).toULongLong();
        const auto it = std::find_if(result->trades.begin(), result->trades.end(),
                                     [&](const Trade &t) { return t.ticket == ticket; });
        QVERIFY(it != result->trades.end());
        if (it - result->trades.begin() != r && it->closeTimeMs - it->openTimeMs < 2 * 86400 * 1000LL) {
            row = r;
            break;
        }
    }
    QVERIFY2(row >= 0, "need a short trade whose proxy row differs from its source row");
    const quint64 ticket = table->model()->index(row, TradeListModel::TicketColumn).data(Qt::UserRole).toULongLong();
    const Trade &trade = *std::find_if(result->trades.begin(), result->trades.end(),
                                       [&](const Trade &t) { return t.ticket == ticket; });
    table->scrollTo(table->model()->index(row, 0));
    const QRect cell = table->visualRect(table->model()->index(row, TradeListModel::TicketColumn));
    QVERIFY(cell.isValid());
    QTest::mouseClick(table->viewport(), Qt::LeftButton, {}, cell.center());
    QCOMPARE(table->currentIndex().row(), row);
    QCOMPARE(w->chartTabs()->currentWidget(), static_cast<QWidget *>(price));

    const QCPRange x = price->timeAxis()->range();
    const double open = double(trade.openTimeMs) / 1000.0;
    const double close = double(trade.closeTimeMs) / 1000.0;
    QVERIFY2(x.lower < open && close < x.upper,
             qPrintable(QStringLiteral("x %1..%2, trade %3..%4").arg(x.lower).arg(x.upper).arg(open).arg(close)));
    QVERIFY(x.size() < (yearEnd - yearStart) / 50);
    // The price axis fits the visible prices, the trade's entry and exit included.
    const QCPRange y = price->priceAxis()->range();
    QVERIFY(y.contains(trade.openPrice));
    QVERIFY(y.contains(trade.closePrice));
    QVERIFY(y.size() < 0.05);  // not the year's range (EURUSD moved ~0.1 in 2024)
    QVERIFY(price->pricePointCount() + price->candleCount() > 0);

    // A zoom (what the mouse wheel does) is re-decimated after the throttle delay, never on every event.
    const QCPRange zoomed(yearStart + 30 * 86400, yearStart + 60 * 86400);
    price->timeAxis()->setRange(zoomed);
    QTRY_VERIFY(price->pricePointCount() > 100);
    QTRY_VERIFY(price->plot()->graph(0)->data()->constBegin()->key <= zoomed.lower);
    QVERIFY((price->plot()->graph(0)->data()->constEnd() - 1)->key >= zoomed.upper);

    // Back to the trade for the screenshot a trader would look at.
    QVERIFY(w->showTradeOnChart(int(&trade - result->trades.data())));
    price->plot()->replot();
    const QImage shot = w->grab().toImage();
    const QString path = QStringLiteral(BOTDESK_BINARY_DIR "/screenshots/mainwindow_price.png");
    QVERIFY(shot.save(path));
    QVERIFY(distinctColours(shot) >= 20);
    const QImage chart = price->grab().toImage();
    QVERIFY(pixelsNear(chart, QColor(0x37, 0x47, 0x5a), 30) > 100);  // bars
    qInfo("screenshot: %s", qPrintable(path));

    // And the whole year.
    price->timeAxis()->setRange(yearStart, yearEnd);
    price->refreshNow();
    price->plot()->replot();
    QVERIFY(w->grab().save(QStringLiteral(BOTDESK_BINARY_DIR "/screenshots/mainwindow_price_year.png")));
}

void TestMainWindow::cancelRightAfterStart()
{
    if (!QFile::exists(kYearFile))
        QSKIP("shared EURUSD 2024 data not present");
    auto w = makeWindow();
    w->form()->setDataFile(kYearFile);
    w->form()->setSymbol(QStringLiteral("EURUSD"));
    w->form()->setStrategy(QStringLiteral("ema_crossover"));

    QSignalSpy ended(w.get(), &MainWindow::runEnded);
    QSignalSpy finished(w->job(), &BacktestJob::finished);
    QSignalSpy cancelled(w->job(), &BacktestJob::cancelled);
    QTest::mouseClick(button(*w, "runButton"), Qt::LeftButton);
    QVERIFY(w->job()->isRunning());
    QPushButton *cancel = button(*w, "cancelButton");
    QVERIFY(cancel->isEnabled());
    QTest::mouseClick(cancel, Qt::LeftButton);
    QVERIFY(ended.wait(120000));
    QCOMPARE(ended.at(0).at(0).toBool(), false);
    QCOMPARE(cancelled.count(), 1);
    QCOMPARE(finished.count(), 0);
    QVERIFY(!w->job()->isRunning());
    QVERIFY2(w->form()->statusText().contains(QStringLiteral("cancelled"), Qt::CaseInsensitive),
             qPrintable(w->form()->statusText()));
    QVERIFY(w->statusBar()->currentMessage().contains(QStringLiteral("cancelled"), Qt::CaseInsensitive));
    QVERIFY(button(*w, "runButton")->isEnabled());
    QVERIFY(!cancel->isEnabled());
    QCOMPARE(w->tradeModel()->rowCount(), 0);
}

void TestMainWindow::invalidJsonIsRejectedBeforeRunning()
{
    auto w = makeWindow();
    w->form()->setDataFile(m_synthetic);
    w->form()->setStrategy(QStringLiteral("ema_crossover"));
    auto *params = w->findChild<QPlainTextEdit *>(QStringLiteral("paramsEdit"));
    QVERIFY(params);
    params->setPlainText(QStringLiteral("{\"fast\": 12,\n \"slow\": }"));

    QSignalSpy running(w->job(), &BacktestJob::runningChanged);
    QSignalSpy ended(w.get(), &MainWindow::runEnded);
    QTest::mouseClick(button(*w, "runButton"), Qt::LeftButton);
    QCOMPARE(running.count(), 0);
    QCOMPARE(ended.count(), 0);
    QVERIFY(!w->job()->isRunning());
    const QString status = w->form()->statusText();
    QVERIFY2(status.contains(QStringLiteral("not valid JSON")), qPrintable(status));
    QVERIFY2(status.contains(QStringLiteral("line 2")), qPrintable(status));
    QVERIFY(w->statusBar()->currentMessage().contains(QStringLiteral("not valid JSON")));
}

void TestMainWindow::strategyErrorIsShown()
{
    auto w = makeWindow();
    w->form()->setDataFile(m_synthetic);
    w->form()->setStrategy(QStringLiteral("ema_crossover"));
    w->form()->setParamsJson(QStringLiteral(R"({"fast": 30, "slow": 10})"));

    QSignalSpy ended(w.get(), &MainWindow::runEnded);
    QSignalSpy failed(w->job(), &BacktestJob::failed);
    QTest::mouseClick(button(*w, "runButton"), Qt::LeftButton);
    QVERIFY(ended.wait(30000));
    QCOMPARE(ended.at(0).at(0).toBool(), false);
    QCOMPARE(failed.count(), 1);
    const QString message = failed.at(0).at(0).toString();
    QVERIFY2(message.contains(QStringLiteral("fast")), qPrintable(message));  // the core's own text
    QVERIFY(w->form()->statusText().contains(message));
    QVERIFY(w->statusBar()->currentMessage().contains(message));
    QVERIFY(button(*w, "runButton")->isEnabled());
}

void TestMainWindow::missingFileIsRejected()
{
    auto w = makeWindow();
    w->form()->setDataFile(m_dir.filePath(QStringLiteral("does_not_exist.csv")));
    QSignalSpy running(w->job(), &BacktestJob::runningChanged);
    QTest::mouseClick(button(*w, "runButton"), Qt::LeftButton);
    QCOMPARE(running.count(), 0);
    QVERIFY2(w->form()->statusText().contains(QStringLiteral("not found")), qPrintable(w->form()->statusText()));
}

void TestMainWindow::chartAxesZoomTogether()
{
    auto w = makeWindow();
    w->form()->setDataFile(m_synthetic);
    QSignalSpy ended(w.get(), &MainWindow::runEnded);
    QVERIFY(w->startBacktest());
    QVERIFY(ended.wait(60000));
    QVERIFY(ended.at(0).at(0).toBool());

    QCustomPlot *plot = w->chart()->plot();
    QCPAxis *topX = w->chart()->equityGraph()->keyAxis();
    QCPAxis *bottomX = w->chart()->drawdownGraph()->keyAxis();
    QVERIFY(topX != bottomX);
    QCOMPARE(bottomX->range().lower, topX->range().lower);
    const QCPRange zoomed(topX->range().lower + 3600, topX->range().lower + 7200);
    topX->setRange(zoomed);
    QCOMPARE(bottomX->range().lower, zoomed.lower);
    QCOMPARE(bottomX->range().upper, zoomed.upper);
    bottomX->setRange(zoomed.lower + 60, zoomed.upper + 60);
    QCOMPARE(topX->range().lower, zoomed.lower + 60);
    // The time axis is UTC.
    auto ticker = topX->ticker().dynamicCast<QCPAxisTickerDateTime>();
    QVERIFY(ticker);
    QCOMPARE(ticker->timeZone(), QTimeZone::utc());
    QVERIFY(plot->graphCount() == 3);
}

void TestMainWindow::inputsAreRemembered()
{
    const QString ini = m_dir.filePath(QStringLiteral("settings.ini"));
    {
        QSettings settings(ini, QSettings::IniFormat);
        MainWindow w(&settings);
        w.form()->setDataFile(m_synthetic);
        w.form()->setSymbol(QStringLiteral("XAUUSD"));
        w.form()->setStrategy(QStringLiteral("box_breakout"));
        w.form()->setParamsJson(QStringLiteral(R"({"box_bars": 30})"));
        w.form()->setDeposit(12345.0);
    }  // saved on destruction
    QSettings settings(ini, QSettings::IniFormat);
    MainWindow w(&settings);
    QCOMPARE(w.form()->dataFile(), m_synthetic);
    QCOMPARE(w.form()->symbol(), QStringLiteral("XAUUSD"));
    QCOMPARE(w.form()->strategy(), QStringLiteral("box_breakout"));
    QCOMPARE(w.form()->paramsJson(), QStringLiteral(R"({"box_bars": 30})"));
    QString error;
    const auto request = w.form()->request(&error);
    QVERIFY2(request, qPrintable(error));
    QCOMPARE(request->config.initialDeposit, 12345.0);
}


// The botdesk command line: anything it cannot follow exactly is refused with exit 2 before a window opens
// (it used to run EURUSD / ema_crossover for an unknown name, a deposit of 1e9 for nan, and exit 1 on an unknown
// option), in both the interactive and the --screenshot path; the user's remembered inputs stay untouched.
void TestMainWindow::commandLineIsRefusedBeforeAnyWindow_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QString>("message");
    const QString deposit = QStringLiteral("give an amount of money in the deposit currency from 1 to 1000000000 "
                                           "with at most 2 decimals");
    const struct {
        const char *name;
        QStringList args;
        QString message;
    } rows[] = {
        {"unknown symbol", {"--symbol", "EURUSDX"},
         "--symbol 'EURUSDX' is not a known symbol; choose one of: EURUSD, GBPUSD, AUDUSD, XAUUSD, XAGUSD"},
        {"unknown strategy", {"--strategy", "ema_cross"},
         "--strategy 'ema_cross' is not a known strategy; choose one of: ema_crossover, box_breakout"},
        {"deposit nan", {"--deposit", "nan"}, "--deposit 'nan' is not a finite number; " + deposit},
        {"deposit 0", {"--deposit", "0"}, "--deposit '0' is out of range; " + deposit},
        {"deposit above the field", {"--deposit", "1e10"}, "--deposit '1e10' is out of range; " + deposit},
        {"deposit in fractions of a cent", {"--deposit", "100.125"}, "--deposit '100.125' has more than 2 decimals; " + deposit},
        {"deposit not a number", {"--deposit", "ten"}, "--deposit 'ten' is not a number; " + deposit},
        {"unknown option", {"--sybmol", "EURUSD"}, "Unknown option 'sybmol'."},
        {"missing value", {"--symbol"}, "Missing value after '--symbol'."},
        {"stray argument", {"EURUSD"}, "unexpected argument 'EURUSD': botdesk takes options only"},
        {"escaped symbol", {"--symbol", QStringLiteral("EUR\x01USD\u200B")}, R"(--symbol 'EUR\x01USD\u200B' is not a known symbol)"},
    };
    for (const auto &row : rows) {
        QTest::addRow("%s", row.name) << row.args << row.message;
        QTest::addRow("%s, --run --screenshot", row.name)
            << (QStringList{"--data", kYearFile, "--run", "--screenshot", "SHOT"} + row.args) << row.message;
    }
}

void TestMainWindow::commandLineIsRefusedBeforeAnyWindow()
{
    QFETCH(QStringList, args);
    QFETCH(QString, message);
    QTemporaryDir dir;
    const QString shot = dir.filePath(QStringLiteral("shot.png"));
    args.replaceInStrings(QStringLiteral("SHOT"), shot);
    // Interactive runs (no --run/--screenshot) load and save the remembered inputs: give them a --data to remember.
    if (!args.contains(QStringLiteral("--data")))
        args = QStringList{QStringLiteral("--data"), kYearFile} + args;
    const GuiRun r = runBotdesk(args, dir.filePath(QStringLiteral("config")));
    QCOMPARE(r.exitCode, 2);
    QVERIFY2(r.err.contains(QStringLiteral("botdesk: ") + message), qPrintable(r.err));
    QVERIFY2(!r.err.contains(QChar(0x01)), qPrintable(r.err));
    QVERIFY(!QFile::exists(shot));
    QVERIFY2(!QDir(dir.filePath(QStringLiteral("config"))).exists(), "a refused command line must not save settings");
}

// Accepted values reach the form: a case-insensitive symbol, a deposit in cents; the run then fails on the missing
// data file (exit 1 with the error screenshot), not on the command line.
void TestMainWindow::commandLineValuesAreTakenAsWritten()
{
    QTemporaryDir dir;
    const QString shot = dir.filePath(QStringLiteral("shot.png"));
    const GuiRun r = runBotdesk({"--data", dir.filePath(QStringLiteral("missing.csv")), "--symbol", "xauusd", "--strategy",
                                 "box_breakout", "--deposit", "2.5e3", "--run", "--screenshot", shot},
                                dir.filePath(QStringLiteral("config")));
    QCOMPARE(r.exitCode, 1);
    QVERIFY2(!r.err.contains(QStringLiteral("botdesk: ")), qPrintable(r.err));
    QVERIFY(QFile::exists(shot));

    const GuiRun help = runBotdesk({"--help"}, dir.filePath(QStringLiteral("config")));
    QCOMPARE(help.exitCode, 0);
    QVERIFY2(help.out.contains(QStringLiteral("--deposit <N>")), qPrintable(help.out));
    const GuiRun version = runBotdesk({"--version"}, dir.filePath(QStringLiteral("config")));
    QCOMPARE(version.exitCode, 0);
    QVERIFY2(version.out.startsWith(QStringLiteral("BotDesk ")), qPrintable(version.out));
}

QTEST_MAIN(TestMainWindow)
#include "tst_mainwindow.moc"

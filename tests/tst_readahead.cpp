// Tests for bd::ReadAhead: pieces come out in the order the producer filled them, then the end or the
// producer's error (with where it was); an exception in the producer becomes an error; a consumer that stops
// early while the producer waits on full buffers leaves no thread behind; memory stays at the buffers given.

#include "readahead.h"

#include <QElapsedTimer>
#include <QTest>

#include <atomic>
#include <cstring>
#include <new>
#include <string>

using namespace bd;

namespace {

// A producer of `count` pieces "piece <i>", then the end (or `error` when set).
ReadAhead::Fill counting(int count, std::atomic<int> &calls, QString error = {})
{
    return [count, &calls, error](char *out, size_t capacity, ReadAhead::Mark &mark) -> Result<size_t> {
        const int i = calls.fetch_add(1);
        mark.fileBytesRead = i + 1;
        if (i >= count) {
            if (error.isEmpty())
                return size_t(0);
            mark.gzipDataFailed = true;
            return makeError(error);
        }
        const std::string text = "piece " + std::to_string(i);
        if (text.size() > capacity)
            return makeError(QStringLiteral("capacity"));
        std::memcpy(out, text.data(), text.size());
        return text.size();
    };
}

} // namespace

class TestReadAhead : public QObject {
    Q_OBJECT
private slots:
    void piecesInOrderThenTheEnd()
    {
        std::atomic<int> calls{0};
        ReadAhead ahead(64, 3);
        QVERIFY(ahead.start(counting(100, calls)));
        for (int i = 0; i < 100; ++i) {
            auto piece = ahead.next();
            QVERIFY(piece);
            QCOMPARE(QString::fromStdString(std::string(piece->text)), QStringLiteral("piece %1").arg(i));
            QCOMPARE(piece->mark.fileBytesRead, qint64(i + 1));
        }
        for (int again = 0; again < 2; ++again) {  // the end stays the end
            auto end = ahead.next();
            QVERIFY(end);
            QVERIFY(end->text.empty());
        }
        QCOMPARE(calls.load(), 101);  // never called again after it returned 0
    }

    void errorAfterThePiecesBeforeIt()
    {
        std::atomic<int> calls{0};
        ReadAhead ahead(64, 2);
        QVERIFY(ahead.start(counting(5, calls, QStringLiteral("gzip data is corrupt"))));
        for (int i = 0; i < 5; ++i) {
            auto piece = ahead.next();
            QVERIFY(piece);
            QCOMPARE(QString::fromStdString(std::string(piece->text)), QStringLiteral("piece %1").arg(i));
        }
        auto failed = ahead.next();
        QVERIFY(!failed);
        QCOMPARE(failed.error().message, QStringLiteral("gzip data is corrupt"));
        QVERIFY(ahead.errorMark().gzipDataFailed);
        QCOMPARE(ahead.errorMark().fileBytesRead, qint64(6));
    }

    void exceptionInTheProducerBecomesAnError()
    {
        ReadAhead ahead(64, 2);
        QVERIFY(ahead.start([](char *, size_t, ReadAhead::Mark &) -> Result<size_t> { throw std::bad_alloc(); }));
        auto failed = ahead.next();
        QVERIFY(!failed);
        QVERIFY2(failed.error().message.startsWith(QStringLiteral("out of memory")), qPrintable(failed.error().message));
    }

    void stoppingEarlyJoinsTheWaitingProducer()
    {
        // The producer could go on for ever; it fills the buffers and waits. Destroying the ReadAhead must stop
        // and join it at once, with no more pieces filled than there are buffers (the consumer's included).
        std::atomic<int> calls{0};
        QElapsedTimer timer;
        timer.start();
        {
            ReadAhead ahead(64, 3);
            QVERIFY(ahead.start(counting(1 << 30, calls)));
            auto first = ahead.next();
            QVERIFY(first);
            QTRY_COMPARE_WITH_TIMEOUT(calls.load(), 3, 5000);  // the held piece + 2 more: all 3 buffers full
            QTest::qWait(50);
            QCOMPARE(calls.load(), 3);  // and it waits instead of filling more
        }
        QVERIFY2(timer.elapsed() < 5000, "the producer was not stopped");
        const int after = calls.load();
        QTest::qWait(20);
        QCOMPARE(calls.load(), after);  // nothing runs after the destructor
    }

    void stoppingBeforeReadingAnything()
    {
        std::atomic<int> calls{0};
        { ReadAhead ahead(64, 2); QVERIFY(ahead.start(counting(1 << 30, calls))); }
        QVERIFY(calls.load() <= 2);
    }
};

QTEST_GUILESS_MAIN(TestReadAhead)
#include "tst_readahead.moc"

#pragma once
// SeqTracker: the bridge's event sequence of one mt5b session (events carry `seq`, +1 per event from 1; welcome
// has 0). Classifies each event's seq against the last applied one:
//   Next       seq == last + 1: apply it, it becomes the last;
//   Duplicate  seq ≤ last (a replay overlapping what we hold, or a seq going backwards): drop it;
//   Gap        seq > last + 1: events were lost; apply nothing more until a resync (resync since_seq = last).
// During a snapshot resync, events with seq ≤ as_of_seq are already contained in the snapshot (snapshotApplied).

#include <QtGlobal>

namespace bd::mt5 {

class SeqTracker {
public:
    enum class Verdict { Next, Duplicate, Gap };

    // A new session (welcome resumed:false): the next event must be 1.
    void startSession() { m_last = 0; }
    // A resumed session keeps the last seq.
    Verdict classify(qint64 seq) const
    {
        if (seq == m_last + 1)
            return Verdict::Next;
        if (seq <= m_last)
            return Verdict::Duplicate;
        return Verdict::Gap;
    }
    void accept(qint64 seq) { m_last = seq; }
    // After a snapshot bundle: the state holds everything up to `asOfSeq`.
    void snapshotApplied(qint64 asOfSeq) { if (asOfSeq > m_last) m_last = asOfSeq; }
    qint64 last() const { return m_last; }

private:
    qint64 m_last = 0;
};

} // namespace bd::mt5

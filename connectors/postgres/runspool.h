#pragma once
// RunSpool: backtest runs that finished while the database could not be reached wait on disk until it can (issue 6
// §1 "a backtest that finishes during an outage is saved when the server returns — nothing is lost").
//
//   <home>/spool/runs/<run id>.json     one run each, as runRecordToJson writes it (core/bots/runrecordjson.h)
//   <home>/spool/runs/damaged/          files that could not be read back, or that the database refused; kept, never
//                                       deleted, each with <name>.reason.txt saying why
// <home> is BotDesk's home ($BOTDESK_HOME, else <GenericDataLocation>/botdesk: LocalCluster::home()).
//
// put() writes atomically (a temporary file renamed into place), so a reader never sees half a file. flush() saves
// every spooled run through the store, oldest first, and removes each file once its run is saved; it stops at the
// first connection failure (the rest wait for the next flush). Saving is idempotent on the run id (the store's
// upsert), so two processes flushing at once, or a flush interrupted after the save but before the removal, save
// nothing twice. Every BotDesk process that opens the store flushes first.

#include "backtestrun.h"
#include "result.h"

#include <QString>
#include <QStringList>

namespace bd {

class PgBotStore;

struct SpoolFlush {
    int saved = 0;              // runs saved and removed from the spool
    int remaining = 0;          // runs still waiting (a connection failure stopped the flush)
    QStringList movedAside;     // files moved to damaged/, each "file: reason"
    QString stoppedBy;          // the connection error that stopped the flush; empty when it went through
};

class RunSpool {
public:
    // The spool of BotDesk's home `home` (empty: LocalCluster's rule, $BOTDESK_HOME else the app data folder).
    explicit RunSpool(const QString &home = {});

    const QString &directory() const { return m_dir; }

    // Writes `run` to <directory>/<id>.json (replacing an earlier spool of the same id). Returns the file's path;
    // error naming the path and the OS reason when the folder or file cannot be written.
    Result<QString> put(const BacktestRunRecord &run);
    // The spooled files, oldest first.
    QStringList files() const;
    int pending() const { return int(files().size()); }
    // Saves the spooled runs through `store` (see the header comment).
    SpoolFlush flush(PgBotStore &store);

private:
    // Moves `file` into damaged/ with a reason file beside it; returns "file: reason".
    QString moveAside(const QString &file, const QString &reason);
    QString m_dir;
};

} // namespace bd

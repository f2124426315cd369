#pragma once
// The operating-system user a PostgreSQL server runs as for BotDesk, and the file-system chores that follow from it.
// postgres refuses to run as root, so a root process (CI, containers) runs the server as the 'postgres' user that
// Debian's postgresql package creates (../shared/docs/TOOLCHAIN.md §3); anyone else runs it as themselves.
// Unix only.

#include "result.h"

#include <QString>
#include <QStringList>

#include <utility>

namespace bd {

struct ServerUser {
    QString name;               // "postgres", or the current user's name
    uint uid = 0;
    uint gid = 0;
    bool isCurrentUser = true;  // false: this process is root and the server runs as `name`
};

// The current user, or 'postgres' when this process runs as root. Error when running as root and no 'postgres'
// user exists (the fix: install postgresql-15).
Result<ServerUser> serverUser();

// True when `user` may reach `path`: every existing directory from / down to `path` grants it search (x)
// permission. Components that do not exist yet are not checked (they are created later with the caller's modes).
bool canTraverse(const QString &path, const ServerUser &user);

// Creates `path` (and missing parents, with the default modes) unless it exists, then makes it a directory private
// to `user`: owned by it and mode 0700. Refused, with a message naming the path and the fix, when `path` is a
// symbolic link or not a directory, or when it exists, belongs to someone else and this process may not chown it.
Result<void> makePrivateDirectory(const QString &path, const ServerUser &user);

// The program and arguments that run `program arguments` as `user`: unchanged for the current user, else through
// `runuser -u <name> --` (which forks, so the program is not a direct child of this process).
std::pair<QString, QStringList> commandAsServerUser(const ServerUser &user, const QString &program,
                                                    const QStringList &arguments);

} // namespace bd

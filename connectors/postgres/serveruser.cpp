#include "serveruser.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>

#include <grp.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

namespace bd {

namespace {

QString systemError() { return QString::fromLocal8Bit(std::strerror(errno)); }

bool inGroup(const ServerUser &user, gid_t group)
{
    if (user.gid == group)
        return true;
    int count = 64;
    std::vector<gid_t> groups(static_cast<std::size_t>(count));
    const QByteArray name = user.name.toLocal8Bit();
    if (getgrouplist(name.constData(), user.gid, groups.data(), &count) < 0) {
        groups.resize(std::size_t(count));
        if (getgrouplist(name.constData(), user.gid, groups.data(), &count) < 0)
            return false;
    }
    groups.resize(std::size_t(count));
    for (gid_t g : groups) {
        if (g == group)
            return true;
    }
    return false;
}

} // namespace

Result<ServerUser> serverUser()
{
    if (geteuid() != 0) {
        const passwd *pw = getpwuid(geteuid());
        return ServerUser{pw ? QString::fromLocal8Bit(pw->pw_name) : QString::number(geteuid()), uint(geteuid()),
                          uint(getegid()), true};
    }
    const passwd *pw = getpwnam("postgres");
    if (!pw)
        return makeError(QStringLiteral("running as root, BotDesk runs PostgreSQL as the 'postgres' OS user (postgres "
                                        "refuses root), but there is no such user; install postgresql-15 "
                                        "(scripts/install-deps.sh) or run BotDesk as a normal user"));
    return ServerUser{QStringLiteral("postgres"), uint(pw->pw_uid), uint(pw->pw_gid), false};
}

bool canTraverse(const QString &path, const ServerUser &user)
{
    if (user.uid == 0)
        return true;
    QString current = QDir::cleanPath(QFileInfo(path).absoluteFilePath());
    while (true) {
        struct stat st {};
        if (::stat(QFile::encodeName(current).constData(), &st) == 0) {
            if (!S_ISDIR(st.st_mode))
                return false;
            const mode_t bit = st.st_uid == user.uid ? S_IXUSR : inGroup(user, st.st_gid) ? S_IXGRP : S_IXOTH;
            if ((st.st_mode & bit) == 0)
                return false;
        }
        if (current == QLatin1String("/"))
            return true;
        current = QFileInfo(current).path();
    }
}

Result<void> makePrivateDirectory(const QString &path, const ServerUser &user)
{
    const QByteArray native = QFile::encodeName(path);
    struct stat st {};
    if (::lstat(native.constData(), &st) != 0) {
        if (!QDir().mkpath(path))
            return makeError(QStringLiteral("cannot create the folder %1: %2; check its parent's permissions, or set "
                                            "BOTDESK_HOME to a writable folder")
                                 .arg(path, systemError()));
        if (::lstat(native.constData(), &st) != 0)
            return makeError(QStringLiteral("cannot read the folder %1: %2").arg(path, systemError()));
    }
    if (S_ISLNK(st.st_mode) || !S_ISDIR(st.st_mode))
        return makeError(QStringLiteral("%1 is %2, not a folder BotDesk made; remove it and retry")
                             .arg(path, S_ISLNK(st.st_mode) ? QStringLiteral("a symbolic link")
                                                            : QStringLiteral("a file")));
    if (st.st_uid != user.uid && ::chown(native.constData(), user.uid, user.gid) != 0)
        return makeError(QStringLiteral("the folder %1 belongs to uid %2, not to %3 (uid %4), and cannot be handed "
                                        "over (%5); remove it and retry")
                             .arg(path, QString::number(st.st_uid), user.name, QString::number(user.uid),
                                  systemError()));
    if ((st.st_mode & 07777) != 0700 && ::chmod(native.constData(), 0700) != 0)
        return makeError(QStringLiteral("cannot make the folder %1 private (mode 0700): %2").arg(path, systemError()));
    return {};
}

std::pair<QString, QStringList> commandAsServerUser(const ServerUser &user, const QString &program,
                                                    const QStringList &arguments)
{
    if (user.isCurrentUser)
        return {program, arguments};
    return {QStringLiteral("runuser"), QStringList{QStringLiteral("-u"), user.name, QStringLiteral("--"), program} + arguments};
}

} // namespace bd

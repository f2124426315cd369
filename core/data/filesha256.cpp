#include "filesha256.h"

#include <QCryptographicHash>
#include <QFile>

namespace bd {

Result<QString> sha256OfFile(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return makeError(QStringLiteral("cannot read the data file %1: %2").arg(path, file.errorString()));
    QCryptographicHash hash(QCryptographicHash::Sha256);
    if (!hash.addData(&file))
        return makeError(QStringLiteral("cannot read the data file %1: %2").arg(path, file.errorString()));
    return QString::fromLatin1(hash.result().toHex());
}

} // namespace bd

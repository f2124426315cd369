#include "idempotencykey.h"

#include <QCryptographicHash>

namespace bd {

Result<QString> idempotencyKey(const IntentIdentity &intent)
{
    if (intent.liveRunId.isNull())
        return makeError(QStringLiteral("an intent's idempotency key needs its live run id (null given)"));
    if (intent.symbol.contains(QLatin1Char('\n')) || intent.fingerprint.contains(QLatin1Char('\n')))
        return makeError(QStringLiteral("an intent's symbol and signal fingerprint must not contain a newline "
                                        "(symbol '%1'); describe the signal on one line")
                             .arg(QString(intent.symbol).replace(QLatin1Char('\n'), QLatin1String("\\n"))));
    const QString text = QStringLiteral("botdesk-intent-v1\n%1\n%2\n%3\n%4\n%5")
                             .arg(intent.liveRunId.toString(QUuid::WithoutBraces).toLower())
                             .arg(intent.barTimeMs)
                             .arg(intent.symbol, QLatin1String(sideName(intent.side)), intent.fingerprint);
    return QString::fromLatin1(QCryptographicHash::hash(text.toUtf8(), QCryptographicHash::Sha256).toHex());
}

QString clientReqIdFor(const QString &idempotencyKey)
{
    return idempotencyKey.left(32);
}

} // namespace bd

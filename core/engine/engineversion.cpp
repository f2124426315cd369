#include "engineversion.h"

#ifndef BOTDESK_VERSION
#error "BOTDESK_VERSION must be defined (core/CMakeLists.txt passes PROJECT_VERSION)"
#endif

namespace bd {

QString engineVersion()
{
    return QStringLiteral("botdesk " BOTDESK_VERSION " engine %1").arg(kEngineModelRevision);
}

} // namespace bd

#include "metatypes.h"

namespace bd {

void registerModelMetaTypes()
{
    qRegisterMetaType<BacktestRequest>("bd::BacktestRequest");
    qRegisterMetaType<std::shared_ptr<const BacktestResult>>("std::shared_ptr<const bd::BacktestResult>");
    qRegisterMetaType<BarSeries>("bd::BarSeries");
}

} // namespace bd

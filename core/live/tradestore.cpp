#include "tradestore.h"

#include <array>

namespace bd {

namespace {

constexpr std::array kIntentStates{IntentState::Persisted, IntentState::Sent,   IntentState::Done,
                                   IntentState::Rejected,  IntentState::Denied, IntentState::Unknown};
constexpr std::array kIntentActions{IntentAction::Open, IntentAction::Close, IntentAction::Modify};

} // namespace

const char *intentStateName(IntentState s)
{
    switch (s) {
    case IntentState::Persisted: return "PERSISTED";
    case IntentState::Sent: return "SENT";
    case IntentState::Done: return "DONE";
    case IntentState::Rejected: return "REJECTED";
    case IntentState::Denied: return "DENIED";
    case IntentState::Unknown: return "UNKNOWN";
    }
    return "UNKNOWN";
}

std::optional<IntentState> intentStateFromName(QStringView name)
{
    for (IntentState s : kIntentStates) {
        if (name == QLatin1String(intentStateName(s)))
            return s;
    }
    return std::nullopt;
}

const char *intentActionName(IntentAction a)
{
    switch (a) {
    case IntentAction::Open: return "OPEN";
    case IntentAction::Close: return "CLOSE";
    case IntentAction::Modify: return "MODIFY";
    }
    return "UNKNOWN";
}

std::optional<IntentAction> intentActionFromName(QStringView name)
{
    for (IntentAction a : kIntentActions) {
        if (name == QLatin1String(intentActionName(a)))
            return a;
    }
    return std::nullopt;
}

} // namespace bd

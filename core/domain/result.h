#pragma once
// Result<T>: the explicit success-or-error value returned at module edges.
// C++20 has no std::expected; this is the minimal subset BotDesk needs.
// An Error carries a human-readable message that names the bad input and the fix.

#include <QString>

#include <cassert>
#include <utility>
#include <variant>

namespace bd {

struct Error {
    QString message;  // e.g. "data.csv:17: column 'high' is 'abc', not a number; fix or delete the row"
};

template <typename T>
class [[nodiscard]] Result {
public:
    Result(T value) : m_data(std::move(value)) {}                // NOLINT(google-explicit-constructor)
    Result(Error error) : m_data(std::move(error)) {}            // NOLINT(google-explicit-constructor)

    bool ok() const { return std::holds_alternative<T>(m_data); }
    explicit operator bool() const { return ok(); }

    T &value() & { assert(ok()); return std::get<T>(m_data); }
    const T &value() const & { assert(ok()); return std::get<T>(m_data); }
    T &&value() && { assert(ok()); return std::get<T>(std::move(m_data)); }
    const Error &error() const { assert(!ok()); return std::get<Error>(m_data); }

    T *operator->() { return &value(); }
    const T *operator->() const { return &value(); }
    T &operator*() & { return value(); }
    const T &operator*() const & { return value(); }

private:
    std::variant<T, Error> m_data;
};

// Result<void>: success carries nothing.
template <>
class [[nodiscard]] Result<void> {
public:
    Result() = default;
    Result(Error error) : m_error(std::move(error)), m_failed(true) {}  // NOLINT(google-explicit-constructor)

    bool ok() const { return !m_failed; }
    explicit operator bool() const { return ok(); }
    const Error &error() const { assert(m_failed); return m_error; }

private:
    Error m_error;
    bool m_failed = false;
};

inline Error makeError(QString message) { return Error{std::move(message)}; }

} // namespace bd

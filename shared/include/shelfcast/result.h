#pragma once
// Status and Result<T>: how every fallible core function reports failure. No exceptions cross a
// boundary; the server maps ErrorCode to HTTP statuses in one table, the WASM adapter to JS errors.

#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace shelfcast {

/// What went wrong, coarse enough to map onto HTTP statuses and JS error names.
enum class ErrorCode {
  kOk = 0,
  kInvalidArgument,     ///< a value is out of range or malformed (bad input, 400)
  kNotFound,            ///< a referenced product, store, series or file does not exist (404)
  kAlreadyExists,       ///< a unique thing would be created twice (409)
  kFailedPrecondition,  ///< the input is well formed but the operation cannot apply (422)
  kUnauthenticated,     ///< no or unknown credentials (401)
  kPermissionDenied,    ///< credentials known, role not allowed (403)
  kResourceExhausted,   ///< a size or rate limit was hit (429/413)
  kDataLoss,            ///< stored data is corrupt or tampered with (500, never for user input)
  kInternal,            ///< a bug (500)
  kUnavailable,         ///< a peer or resource is temporarily unreachable (503)
};

/// Stable snake_case name of a code, used on the wire ("invalid_argument", ...).
std::string_view to_string(ErrorCode code);

/// A success or an error code with a message and, for bad input, the field it concerns.
class Status {
 public:
  Status() = default;
  Status(ErrorCode code, std::string message, std::string field = {})
      : code_(code), message_(std::move(message)), field_(std::move(field)) {}

  /// The success value.
  static Status ok() { return Status(); }

  bool is_ok() const { return code_ == ErrorCode::kOk; }
  ErrorCode code() const { return code_; }
  const std::string& message() const { return message_; }
  const std::string& field() const { return field_; }

  /// "invalid_argument: field 'qty': expected a number" (or "ok").
  std::string to_string() const;

 private:
  ErrorCode code_ = ErrorCode::kOk;
  std::string message_;
  std::string field_;
};

/// Shorthands for the common error statuses.
inline Status invalid_argument(std::string message, std::string field = {}) {
  return Status(ErrorCode::kInvalidArgument, std::move(message), std::move(field));
}
inline Status not_found(std::string message) {
  return Status(ErrorCode::kNotFound, std::move(message));
}
inline Status failed_precondition(std::string message) {
  return Status(ErrorCode::kFailedPrecondition, std::move(message));
}
inline Status internal_error(std::string message) {
  return Status(ErrorCode::kInternal, std::move(message));
}

/// A value of type T, or the Status that explains why there is none.
template <typename T>
class Result {
 public:
  Result(T value) : v_(std::move(value)) {}         // NOLINT(google-explicit-constructor)
  Result(Status status) : v_(std::move(status)) {}  // NOLINT(google-explicit-constructor)

  bool is_ok() const { return std::holds_alternative<T>(v_); }
  explicit operator bool() const { return is_ok(); }

  /// The value; only call when is_ok().
  const T& value() const& { return std::get<T>(v_); }
  T& value() & { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  const T& operator*() const& { return value(); }
  T& operator*() & { return value(); }
  const T* operator->() const { return &value(); }
  T* operator->() { return &value(); }

  /// The error; Status::ok() when there is a value.
  Status status() const { return is_ok() ? Status::ok() : std::get<Status>(v_); }

 private:
  std::variant<T, Status> v_;
};

}  // namespace shelfcast

/// Return early with the Status of an expression that yields a Status.
#define SHELFCAST_RETURN_IF_ERROR(expr)                       \
  do {                                                        \
    ::shelfcast::Status shelfcast_status_ = (expr);           \
    if (!shelfcast_status_.is_ok()) return shelfcast_status_; \
  } while (false)

#define SHELFCAST_CONCAT_INNER_(a, b) a##b
#define SHELFCAST_CONCAT_(a, b) SHELFCAST_CONCAT_INNER_(a, b)

/// `SHELFCAST_ASSIGN_OR_RETURN(auto x, f());` binds the value or returns the error.
#define SHELFCAST_ASSIGN_OR_RETURN(lhs, expr) \
  SHELFCAST_ASSIGN_OR_RETURN_IMPL_(SHELFCAST_CONCAT_(shelfcast_result_, __LINE__), lhs, expr)
#define SHELFCAST_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                                     \
  if (!tmp.is_ok()) return tmp.status();                 \
  lhs = std::move(tmp).value()

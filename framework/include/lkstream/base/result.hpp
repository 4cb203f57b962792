#pragma once
// result<T>: a value or an error (code + human-readable message). The storage path never
// throws; every fallible call returns a result. status = result<void>.

#include <cassert>
#include <string>
#include <utility>
#include <variant>

#include "lkstream/base/errc.hpp"

namespace lkstream {

/// An engine error: a code for programs, a message for people (names files, keys, offsets).
struct error {
  errc code = errc::ok;
  std::string message;

  error() = default;
  error(errc c, std::string msg = {}) : code(c), message(std::move(msg)) {}

  /// "no_space: /data/t-0/000...0.log: No space left on device"
  std::string to_string() const;
  friend bool operator==(const error& e, errc c) { return e.code == c; }
};

template <class T>
class [[nodiscard]] result {
 public:
  result(T value) : v_(std::in_place_index<0>, std::move(value)) {}
  result(error err) : v_(std::in_place_index<1>, std::move(err)) { assert(err_ref().code != errc::ok); }
  result(errc code, std::string msg = {}) : result(error{code, std::move(msg)}) {}

  bool has_value() const noexcept { return v_.index() == 0; }
  explicit operator bool() const noexcept { return has_value(); }

  T& value() & { assert(has_value()); return std::get<0>(v_); }
  const T& value() const& { assert(has_value()); return std::get<0>(v_); }
  // Rvalue access moves the value out and returns it by value, so a temporary result can be
  // dereferenced safely where the reference would outlive it:
  //   for (auto& r : *consumer->poll(100ms)) ...   // the record_set lives for the whole loop
  T value() && { assert(has_value()); return std::get<0>(std::move(v_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T operator*() && { return std::move(*this).value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  const error& err() const { assert(!has_value()); return std::get<1>(v_); }
  error&& take_error() && { assert(!has_value()); return std::get<1>(std::move(v_)); }
  errc code() const noexcept { return has_value() ? errc::ok : std::get<1>(v_).code; }

 private:
  const error& err_ref() const { return std::get<1>(v_); }
  std::variant<T, error> v_;
};

template <>
class [[nodiscard]] result<void> {
 public:
  result() = default;
  result(error err) : err_(std::move(err)) {}
  result(errc code, std::string msg = {}) : err_{code, std::move(msg)} {}

  bool has_value() const noexcept { return err_.code == errc::ok; }
  explicit operator bool() const noexcept { return has_value(); }
  const error& err() const { assert(!has_value()); return err_; }
  error&& take_error() && { return std::move(err_); }
  errc code() const noexcept { return err_.code; }

 private:
  error err_;
};

using status = result<void>;

inline status ok() { return {}; }

}  // namespace lkstream

/// Propagate an error: `LK_TRY(auto x, f());` is not portable, so the two forms are
/// `LK_TRY_STATUS(expr)` for status and `LK_ASSIGN_OR_RETURN(lhs, expr)` for result<T>.
#define LK_TRY_STATUS(expr)                          \
  do {                                               \
    auto lk_try_status_ = (expr);                    \
    if (!lk_try_status_) return std::move(lk_try_status_).take_error(); \
  } while (0)

#define LK_CONCAT_INNER(a, b) a##b
#define LK_CONCAT(a, b) LK_CONCAT_INNER(a, b)
#define LK_ASSIGN_OR_RETURN(lhs, expr) \
  LK_ASSIGN_OR_RETURN_IMPL(LK_CONCAT(lk_result_, __LINE__), lhs, expr)
#define LK_ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                             \
  if (!tmp) return std::move(tmp).take_error();  \
  lhs = std::move(tmp).value()

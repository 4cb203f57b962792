#pragma once
// A strong type for values that must not be mixed (offsets, partition ids), after Redpanda's
// named_type. Explicit construction, explicit .value(), ordering, and the few arithmetic
// operators offsets need.

#include <compare>
#include <functional>
#include <ostream>

namespace lkstream {

template <class T, class Tag>
class named_type {
 public:
  using value_type = T;
  constexpr named_type() = default;
  constexpr explicit named_type(T v) noexcept : v_(v) {}
  constexpr T value() const noexcept { return v_; }
  constexpr explicit operator T() const noexcept { return v_; }

  friend constexpr auto operator<=>(const named_type&, const named_type&) = default;
  constexpr named_type& operator++() noexcept { ++v_; return *this; }
  constexpr named_type operator+(T d) const noexcept { return named_type{v_ + d}; }
  constexpr named_type operator-(T d) const noexcept { return named_type{v_ - d}; }
  constexpr named_type& operator+=(T d) noexcept { v_ += d; return *this; }
  friend constexpr T operator-(named_type a, named_type b) noexcept { return a.v_ - b.v_; }
  friend std::ostream& operator<<(std::ostream& o, named_type x) { return o << x.v_; }

 private:
  T v_{};
};

}  // namespace lkstream

template <class T, class Tag>
struct std::hash<lkstream::named_type<T, Tag>> {
  size_t operator()(lkstream::named_type<T, Tag> x) const noexcept { return std::hash<T>{}(x.value()); }
};

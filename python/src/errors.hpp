#pragma once
// Engine errors as Python exceptions. The classes live in lkstream/_errors.py (one per errc,
// all deriving from lkstream.LkstreamError and carrying `.code`); this file picks the class for
// a code and raises it. Every function here needs the GIL.

#include <nanobind/nanobind.h>

#include <string_view>

#include "lkstream/base/result.hpp"

namespace lkstream::python {

namespace nb = nanobind;

/// Imports lkstream._errors once (at module init).
void init_errors();

/// The exception object for an engine error (not raised), e.g. for delivery callbacks.
nb::object make_error(errc code, std::string_view message);

/// Raises the exception for `e` (as a C++ nb::python_error that nanobind passes on).
[[noreturn]] void raise_error(const error& e);
[[noreturn]] void raise_error(errc code, std::string_view message);

inline void check(const status& s) {
  if (!s) raise_error(s.err());
}

inline void check(status&& s) {
  if (!s) raise_error(s.err());
}

template <class T>
T check(result<T>&& r) {
  if (!r) raise_error(r.err());
  return std::move(r).value();
}

/// lkstream.DeliveryError: records sent without a callback failed (reported by flush()).
[[noreturn]] void raise_delivery_error(size_t failed, std::string_view first_message);

}  // namespace lkstream::python

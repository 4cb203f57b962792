#pragma once
// Sizes and durations given from Python as an int (bytes / milliseconds) or as the text forms
// of lkstream.toml ("64MiB", "1d"), parsed by the same functions as the configuration. Errors
// raise InvalidArgumentError (a ValueError) or TypeError naming the argument. GIL held.

#include <nanobind/nanobind.h>

#include <cstdint>
#include <optional>

namespace lkstream::python {

namespace nb = nanobind;

/// A size in bytes; `allow_unlimited` also accepts -1, "unlimited" and "-1" (returned as -1).
int64_t size_arg(nb::handle value, const char* what, bool allow_unlimited = false);
/// A duration in milliseconds; `allow_forever` also accepts -1, "forever", "unlimited".
int64_t duration_arg(nb::handle value, const char* what, bool allow_forever = false);
/// Seconds as a float (Python's timeout convention) to milliseconds; None = -1 (no limit).
int64_t timeout_arg(std::optional<double> seconds, const char* what);

}  // namespace lkstream::python

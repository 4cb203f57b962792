#include "unit_args.hpp"

#include <nanobind/stl/string.h>

#include <cmath>
#include <optional>
#include <string>

#include "errors.hpp"
#include "lkstream/config/units.hpp"

namespace lkstream::python {

namespace {

int64_t int_arg(nb::handle value, const char* what, bool allow_minus_one) {
  int overflow = 0;
  long long v = PyLong_AsLongLongAndOverflow(value.ptr(), &overflow);
  if (v == -1 && PyErr_Occurred()) throw nb::python_error();
  if (overflow != 0 || v < (allow_minus_one ? -1 : 0))
    raise_error(errc::invalid_argument, std::string(what) + " must be " +
                                            (allow_minus_one ? "-1 or " : "") +
                                            "a non-negative integer, got " +
                                            nb::str(value).c_str());
  return v;
}

std::string text_of(nb::handle value, const char* what, const char* expected) {
  if (PyLong_Check(value.ptr()) || !PyUnicode_Check(value.ptr())) {
    PyErr_Format(PyExc_TypeError, "%s must be %s, not %s", what, expected,
                 Py_TYPE(value.ptr())->tp_name);
    throw nb::python_error();
  }
  return nb::cast<std::string>(value);
}

}  // namespace

int64_t size_arg(nb::handle value, const char* what, bool allow_unlimited) {
  if (PyBool_Check(value.ptr())) {
    PyErr_Format(PyExc_TypeError, "%s must be an int or a size string such as \"64MiB\", not bool",
                 what);
    throw nb::python_error();
  }
  if (PyLong_Check(value.ptr())) return int_arg(value, what, allow_unlimited);
  auto text = text_of(value, what, "an int or a size string such as \"64MiB\"");
  if (allow_unlimited && (text == "unlimited" || text == "-1")) return -1;
  auto r = config::parse_size(text);
  if (!r) raise_error(errc::invalid_argument, std::string(what) + ": " + r.err().message);
  if (*r > static_cast<uint64_t>(INT64_MAX))
    raise_error(errc::invalid_argument, std::string(what) + ": " + text + " is too large");
  return static_cast<int64_t>(*r);
}

int64_t duration_arg(nb::handle value, const char* what, bool allow_forever) {
  if (PyBool_Check(value.ptr())) {
    PyErr_Format(PyExc_TypeError,
                 "%s must be an int (milliseconds) or a duration string such as \"7d\", not bool",
                 what);
    throw nb::python_error();
  }
  if (PyLong_Check(value.ptr())) return int_arg(value, what, allow_forever);
  auto text =
      text_of(value, what, "an int (milliseconds) or a duration string such as \"7d\"");
  auto r = config::parse_duration_ms(text);
  if (!r) raise_error(errc::invalid_argument, std::string(what) + ": " + r.err().message);
  if (*r < 0 && !allow_forever)
    raise_error(errc::invalid_argument, std::string(what) + " cannot be " + text);
  return *r;
}

int64_t timeout_arg(std::optional<double> seconds, const char* what) {
  if (!seconds) return -1;
  if (std::isnan(*seconds) || *seconds < 0)
    raise_error(errc::invalid_argument,
                std::string(what) + " must be a non-negative number of seconds or None");
  const double ms = *seconds * 1000.0;
  if (ms >= 9.0e15) return -1;  // effectively forever
  return static_cast<int64_t>(std::ceil(ms));
}

}  // namespace lkstream::python

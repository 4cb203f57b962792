#include "errors.hpp"

namespace lkstream::python {

namespace {

PyObject* errors_module = nullptr;  // a strong reference, kept for the life of the process

nb::object call(const char* fn, nb::handle a, nb::handle b) {
  nb::object f = nb::borrow(errors_module).attr(fn);
  return f(a, b);
}

[[noreturn]] void raise_object(nb::object exc) {
  PyErr_SetObject(reinterpret_cast<PyObject*>(Py_TYPE(exc.ptr())), exc.ptr());
  throw nb::python_error();
}

}  // namespace

void init_errors() {
  if (errors_module) return;
  errors_module = PyImport_ImportModule("lkstream._errors");
  if (!errors_module) throw nb::python_error();
}

nb::object make_error(errc code, std::string_view message) {
  auto name = to_string(code);
  return call("_make", nb::str(name.data(), name.size()),
              nb::str(message.data(), message.size()));
}

void raise_error(const error& e) { raise_error(e.code, e.message); }

void raise_error(errc code, std::string_view message) { raise_object(make_error(code, message)); }

void raise_delivery_error(size_t failed, std::string_view first_message) {
  raise_object(call("_delivery_error", nb::int_(failed),
                    nb::str(first_message.data(), first_message.size())));
}

}  // namespace lkstream::python

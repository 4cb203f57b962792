#include "byte_args.hpp"

namespace lkstream::python {

bool byte_args::view(PyObject* obj, const char* what, std::optional<bytes_view>& out) {
  if (obj == Py_None) {
    out.reset();
    return true;
  }
  if (PyBytes_Check(obj)) {
    out = bytes_view{reinterpret_cast<const std::byte*>(PyBytes_AS_STRING(obj)),
                     static_cast<size_t>(PyBytes_GET_SIZE(obj))};
    return true;
  }
  if (PyUnicode_Check(obj)) {
    Py_ssize_t n = 0;
    const char* s = PyUnicode_AsUTF8AndSize(obj, &n);
    if (!s) return false;
    out = bytes_view{reinterpret_cast<const std::byte*>(s), static_cast<size_t>(n)};
    return true;
  }
  if (PyObject_CheckBuffer(obj)) {
    Py_buffer b;
    if (PyObject_GetBuffer(obj, &b, PyBUF_SIMPLE) != 0) return false;  // sets BufferError
    buffers_.push_back(b);
    out = bytes_view{static_cast<const std::byte*>(b.buf), static_cast<size_t>(b.len)};
    return true;
  }
  PyErr_Format(PyExc_TypeError, "%s must be bytes, bytearray, memoryview, str or None, not %s",
               what, Py_TYPE(obj)->tp_name);
  return false;
}

bool byte_args::text(PyObject* obj, const char* what, std::string_view& out) {
  if (!PyUnicode_Check(obj)) {
    PyErr_Format(PyExc_TypeError, "%s must be str, not %s", what, Py_TYPE(obj)->tp_name);
    return false;
  }
  Py_ssize_t n = 0;
  const char* s = PyUnicode_AsUTF8AndSize(obj, &n);
  if (!s) return false;
  out = {s, static_cast<size_t>(n)};
  return true;
}

void byte_args::release() {
  for (auto& b : buffers_) PyBuffer_Release(&b);
  buffers_.clear();
  for (auto* r : refs_) Py_DECREF(r);
  refs_.clear();
}

}  // namespace lkstream::python

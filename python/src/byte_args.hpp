#pragma once
// Views of Python bytes-like arguments (bytes, bytearray, memoryview, any C-contiguous buffer,
// or str as UTF-8) for the engine, without copying. A view is valid while the argument object
// lives and, for buffers, while its Py_buffer is held: byte_args keeps both until it is
// destroyed, which must happen with the GIL held. Holding the Py_buffer also stops a bytearray
// from being resized by another thread while the GIL is released.

#include <Python.h>

#include <optional>
#include <string_view>
#include <vector>

#include "lkstream/base/types.hpp"

namespace lkstream::python {

class byte_args {
 public:
  byte_args() = default;
  byte_args(const byte_args&) = delete;
  byte_args& operator=(const byte_args&) = delete;
  ~byte_args() { release(); }

  /// None -> nullopt. Anything else that is not bytes-like sets a TypeError naming `what` and
  /// returns false. `obj` must stay referenced by the caller (see keep()).
  bool view(PyObject* obj, const char* what, std::optional<bytes_view>& out);
  /// A header key or topic name: str only.
  bool text(PyObject* obj, const char* what, std::string_view& out);
  /// Holds a strong reference to `obj` until release().
  void keep(PyObject* obj) {
    Py_INCREF(obj);
    refs_.push_back(obj);
  }
  /// Drops every reference and buffer (GIL held).
  void release();

 private:
  std::vector<Py_buffer> buffers_;
  std::vector<PyObject*> refs_;
};

}  // namespace lkstream::python

#include "py_record.hpp"

#include <nanobind/stl/string.h>

#include <string>

namespace lkstream::python {

namespace {

/// The exporter behind Record.key_view / value_view: a read-only buffer over batch bytes.
struct record_buffer {
  std::shared_ptr<const polled_records> batch;
  const std::byte* data = nullptr;
  size_t size = 0;
};

int record_buffer_getbuffer(PyObject* self, Py_buffer* view, int flags) {
  auto* b = nb::inst_ptr<record_buffer>(self);
  return PyBuffer_FillInfo(view, self, const_cast<std::byte*>(b->data),
                           static_cast<Py_ssize_t>(b->size), /*readonly=*/1, flags);
}

PyType_Slot record_buffer_slots[] = {
    {Py_bf_getbuffer, reinterpret_cast<void*>(record_buffer_getbuffer)},
    {0, nullptr},
};

nb::object as_bytes_obj(const std::optional<bytes_view>& b) {
  if (!b) return nb::none();
  return nb::bytes(reinterpret_cast<const char*>(b->data()), b->size());
}

nb::object as_view(const py_record& r, const std::optional<bytes_view>& b) {
  if (!b) return nb::none();
  nb::object exporter = nb::cast(record_buffer{r.batch, b->data(), b->size()});
  return nb::steal(PyMemoryView_FromObject(exporter.ptr()));
}

std::string repr_bytes(const std::optional<bytes_view>& b) {
  if (!b) return "None";
  nb::object o = as_bytes_obj(b);
  if (b->size() > 40) {
    o = nb::bytes(reinterpret_cast<const char*>(b->data()), 40);
    return nb::repr(o).c_str() + std::string("...");
  }
  return nb::repr(o).c_str();
}

}  // namespace

void bind_record(nb::module_& m) {
  nb::class_<record_buffer>(m, "_RecordBuffer", nb::type_slots(record_buffer_slots));

  nb::class_<py_record>(m, "Record")
      .def_prop_ro("topic", [](const py_record& r) { return r.topic; })
      .def_prop_ro("partition", [](const py_record& r) { return r.rec().partition; })
      .def_prop_ro("offset", [](const py_record& r) { return r.rec().offset; })
      .def_prop_ro("timestamp", [](const py_record& r) { return r.rec().timestamp; })
      .def_prop_ro("key", [](const py_record& r) { return as_bytes_obj(r.rec().key); })
      .def_prop_ro("value", [](const py_record& r) { return as_bytes_obj(r.rec().value); })
      .def_prop_ro("key_view", [](const py_record& r) { return as_view(r, r.rec().key); })
      .def_prop_ro("value_view", [](const py_record& r) { return as_view(r, r.rec().value); })
      .def_prop_ro("headers",
                   [](const py_record& r) {
                     nb::list out;
                     for (auto& h : r.rec().headers) {
                       nb::object k = nb::steal(PyUnicode_DecodeUTF8(
                           h.key.data(), static_cast<Py_ssize_t>(h.key.size()), "replace"));
                       if (!k) throw nb::python_error();
                       out.append(nb::make_tuple(k, as_bytes_obj(h.value)));
                     }
                     return out;
                   })
      .def("__repr__", [](const py_record& r) {
        auto& c = r.rec();
        return "Record(topic=" + std::string(nb::repr(r.topic).c_str()) +
               ", partition=" + std::to_string(c.partition) +
               ", offset=" + std::to_string(c.offset) +
               ", timestamp=" + std::to_string(c.timestamp) + ", key=" + repr_bytes(c.key) +
               ", value=" + repr_bytes(c.value) + ")";
      });
}

}  // namespace lkstream::python

#pragma once
// lkstream.Record: one consumed record. It holds a reference to the poll's record_set (shared,
// immutable batch buffers), so creating one copies nothing; `key`/`value` build bytes on
// access, `key_view`/`value_view` return read-only memoryviews straight into the batch buffer
// (zero-copy; the memoryview keeps the buffer alive, so it stays valid after the consumer moves
// on, is closed, or the engine is closed).

#include <nanobind/nanobind.h>

#include <memory>

#include "lkstream/consumer.hpp"

namespace lkstream::python {

namespace nb = nanobind;

/// The records of one engine poll, shared by the Record objects made from it.
struct polled_records {
  record_set set;
};

struct py_record {
  std::shared_ptr<const polled_records> batch;
  size_t index = 0;
  nb::object topic;  // str, shared by the records of one topic

  const consumed_record& rec() const { return batch->set[index]; }
};

void bind_record(nb::module_& m);

}  // namespace lkstream::python

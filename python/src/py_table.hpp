#pragma once
// lkstream.Table (the native part): a lkstream::table (lkstream/table.hpp), the latest value
// per key of a topic, plus the updates after its snapshot.
//
// Keys and values are bytes. open and poll release the GIL; poll waits in slices of 100 ms,
// checking for signals between (Ctrl-C works). Calls from several Python threads are
// serialised by `m`, which poll holds only with the GIL released and never while it takes the
// GIL (the other calls take `m` with the GIL held: no lock-order inversion); close() may come
// from any thread (a poll in progress returns).
//
// When the engine closes (or close() is called) the C++ table goes, before the engine: what it
// held is kept as a plain map, so snapshot(), get() and len() keep answering; poll() raises
// ClosedError.

#include <nanobind/nanobind.h>

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "engine_state.hpp"
#include "lkstream/table.hpp"
#include "py_engine.hpp"

namespace lkstream::python {

namespace nb = nanobind;

struct table_state final : closable {
  std::shared_ptr<engine_state> engine;
  std::mutex m;       // one call at a time (taken with the GIL released)
  std::mutex wake_m;  // guards `t` for wakeup from close_for_engine
  std::unique_ptr<table> t;  // null once closed
  std::atomic<bool> closing{false};  // poll() stops at once (close waits for `m`)
  std::map<std::string, table_entry, std::less<>> kept;  // the rows at close
  std::map<int32_t, int64_t> snapshot_at;
  uint64_t keyless = 0;

  /// Under `m`.
  void close_locked();
  void close_for_engine() override;
  const std::map<std::string, table_entry, std::less<>>& rows() const {
    return t ? t->snapshot() : kept;
  }
};

class py_table {
 public:
  py_table(py_engine& eng, const std::string& topic, nb::handle max_bytes,
           double snapshot_timeout);
  ~py_table();

  nb::dict snapshot();
  nb::object get(nb::bytes key);
  bool contains(nb::bytes key);
  size_t size();
  /// [(key, value | None, partition, offset, timestamp)] as TableUpdate objects.
  nb::list poll(std::optional<double> timeout);
  std::map<int32_t, int64_t> snapshot_offsets();
  uint64_t skipped_keyless();
  uint64_t size_bytes();
  std::string topic() const { return topic_; }
  void close();
  bool closed();

 private:
  std::shared_ptr<table_state> st_;
  std::string topic_;
};

void bind_table(nb::module_& m);

}  // namespace lkstream::python

#pragma once
// lkstream.Consumer (the native part): a lkstream::consumer plus a small buffer of records the
// engine returned but Python has not taken yet (poll_batch(max_records=...) smaller than a
// poll, or iteration one record at a time).
//
// Positions follow what Python was handed: commit() without offsets commits, for a partition
// with records still in the buffer, the offset of the first of them; seek(), close() and
// rewind the buffer (seek the engine back) so no record is skipped.
//
// Blocking calls release the GIL and wait in slices of 100 ms, checking for signals between
// (Ctrl-C works). The C++ consumer is single-threaded: calls from several Python threads are
// serialised here, close() and wakeup() may come from any thread (a poll in progress returns).

#include <nanobind/nanobind.h>

#include <atomic>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "engine_state.hpp"
#include "lkstream/consumer.hpp"
#include "py_engine.hpp"
#include "py_record.hpp"

namespace lkstream::python {

namespace nb = nanobind;

struct consumer_state final : closable {
  std::shared_ptr<engine_state> engine;
  std::mutex m;       // one call at a time (taken with the GIL released)
  std::mutex wake_m;  // guards `c` for wakeup() from other threads
  std::unique_ptr<consumer> c;  // null once closed
  std::atomic<bool> closing{false};
  std::shared_ptr<const polled_records> pending;  // records not yet handed to Python
  size_t next = 0;                                // first of them

  /// Seeks partitions with buffered records back to the first one; drops the buffer.
  void rewind_locked();
  status close_locked();
  void close_for_engine() override;
};

class py_consumer {
 public:
  py_consumer(py_engine& eng, std::optional<std::string> group,
              std::optional<std::vector<std::string>> topics, nb::handle partitions,
              const std::string& auto_offset_reset, bool enable_auto_commit,
              int64_t auto_commit_interval_ms, int64_t session_timeout_ms,
              int64_t heartbeat_interval_ms, size_t max_poll_records,
              const std::string& assignment_strategy, const std::string& client_id);
  ~py_consumer();

  void subscribe(std::vector<std::string> topics);
  void assign(nb::handle partitions);
  nb::list poll_batch(std::optional<size_t> max_records, std::optional<double> timeout);
  nb::object next();
  /// Waits up to `timeout` seconds until records are buffered, without handing any out (the
  /// asyncio layer waits in a worker thread, then takes them on the event loop's thread).
  bool wait_ready(std::optional<double> timeout);
  void commit(nb::handle offsets);
  void seek(const std::string& topic, int32_t partition, int64_t offset);
  void seek_to_time(const std::string& topic, int64_t timestamp, std::optional<int32_t> partition);
  void seek_to_beginning(std::optional<std::string> topic, std::optional<int32_t> partition);
  void seek_to_end(std::optional<std::string> topic, std::optional<int32_t> partition);
  std::vector<std::pair<std::string, int32_t>> assignment();
  int64_t position(const std::string& topic, int32_t partition);
  std::optional<int64_t> committed(const std::string& topic, int32_t partition);
  std::vector<py_partition_lag> lag();
  void wakeup();
  void close();
  bool closed();
  std::optional<std::string> group() const { return group_; }

 private:
  struct slice {
    std::shared_ptr<const polled_records> batch;
    size_t begin = 0, end = 0;
  };
  /// With the GIL released and `m` held: up to `max` records, polling the engine for up to
  /// `wait_ms` when the buffer is empty.
  result<slice> take_locked(size_t max, int64_t wait_ms);
  /// Runs fn(consumer&) under `m` with the GIL released; ClosedError when closed.
  template <class Fn>
  auto locked(Fn&& fn);
  nb::object make_record(const std::shared_ptr<const polled_records>& b, size_t i);
  std::vector<topic_partition> partitions_of(std::optional<std::string> topic,
                                             std::optional<int32_t> partition);

  std::shared_ptr<consumer_state> st_;
  std::optional<std::string> group_;
  size_t max_poll_records_ = 500;
  std::string topic_text_;
  nb::object topic_str_;
};

void bind_consumer(nb::module_& m);

}  // namespace lkstream::python

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
//
// Async commits (commit(asynchronous=True)) go to consumer::commit_async, so they are written
// in issue order with the sync ones. Their `on_commit(err)` callbacks run on a Python thread,
// never on an engine thread (the engine's threads never take the GIL): the engine thread only
// appends the outcome to a commit_outcomes queue; poll_batch(), iteration, commit() and close()
// call the waiting callbacks in issue order, as confluent-kafka serves on_commit from poll().
// The callables are owned by the py_consumer (touched only with the GIL), so an outcome that
// arrives after the Python object is gone, or at interpreter exit, touches no Python object.

#include <nanobind/nanobind.h>

#include <atomic>
#include <cstdint>
#include <map>
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

/// The outcomes of async commits that have an on_commit callback, oldest first. Engine threads
/// push (in issue order, consumer::commit_async's contract); a Python thread takes. Holds no
/// Python object, so the last reference may be dropped on any thread.
struct commit_outcomes {
  struct outcome {
    uint64_t id = 0;  // the py_consumer's key of the callback
    errc code = errc::ok;
    std::string message;
  };
  /// Engine thread (or the committing thread, for a refusal with nothing pending).
  void push(uint64_t id, const status& st);
  /// Every waiting outcome, oldest first.
  std::vector<outcome> take();
  /// Lock-free hint for hot paths: outcomes may be waiting.
  bool waiting() const { return waiting_.load(std::memory_order_acquire); }

 private:
  std::mutex m_;
  std::vector<outcome> ready_;
  std::atomic<bool> waiting_{false};
};

struct consumer_state final : closable {
  std::shared_ptr<engine_state> engine;
  std::mutex m;       // one call at a time (taken with the GIL released)
  std::mutex wake_m;  // guards `c` for wakeup() from other threads
  std::unique_ptr<consumer> c;  // null once closed
  std::atomic<bool> closing{false};
  std::shared_ptr<const polled_records> pending;  // records not yet handed to Python
  size_t next = 0;                                // first of them

  /// The offset of the first buffered record of each partition that has one.
  std::map<topic_partition, int64_t> first_buffered() const;
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
              const std::string& assignment_strategy, const std::string& client_id,
              const std::string& isolation_level);
  ~py_consumer();

  void subscribe(std::vector<std::string> topics);
  void assign(nb::handle partitions);
  nb::list poll_batch(std::optional<size_t> max_records, std::optional<double> timeout);
  nb::object next();
  /// Waits up to `timeout` seconds until records are buffered, without handing any out (the
  /// asyncio layer waits in a worker thread, then takes them on the event loop's thread).
  bool wait_ready(std::optional<double> timeout);
  /// Sync: commits and waits (as before). asynchronous: queues the commit and returns at once;
  /// `on_commit(err)` (callable or None) is called later on a Python thread, once, in issue
  /// order. Argument errors, a consumer without a group and a closed consumer raise at once
  /// (and on_commit is not called); the first exception raised by a callback served here comes
  /// out of this call after the commit was made or queued.
  void commit(nb::handle offsets, bool asynchronous, nb::handle on_commit);
  void seek(const std::string& topic, int32_t partition, int64_t offset);
  void seek_to_time(const std::string& topic, int64_t timestamp, std::optional<int32_t> partition);
  void seek_to_beginning(std::optional<std::string> topic, std::optional<int32_t> partition);
  void seek_to_end(std::optional<std::string> topic, std::optional<int32_t> partition);
  std::vector<std::pair<std::string, int32_t>> assignment();
  int64_t position(const std::string& topic, int32_t partition);
  std::optional<int64_t> committed(const std::string& topic, int32_t partition);
  /// The group identity for Producer.send_offsets_to_transaction (a group consumer only).
  consumer_group_metadata group_metadata();
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
  /// Calls the on_commit callbacks whose outcome arrived, in issue order (GIL held). Raises the
  /// first exception one raised if `raise_first`; later ones go to sys.unraisablehook. Does
  /// nothing when called from a callback (or while another thread serves).
  void serve_commits(bool raise_first = true);
  /// serve_commits(), then raises `st` if it failed (callback errors are then unraisable).
  void serve_then_check(status st);
  std::vector<topic_partition> partitions_of(std::optional<std::string> topic,
                                             std::optional<int32_t> partition);

  std::shared_ptr<consumer_state> st_;
  std::optional<std::string> group_;
  size_t max_poll_records_ = 500;
  std::string topic_text_;
  nb::object topic_str_;
  // Async commit callbacks (GIL held to touch these): pending ones by id, until served or
  // until this object is freed (then dropped uncalled).
  std::shared_ptr<commit_outcomes> outcomes_ = std::make_shared<commit_outcomes>();
  std::map<uint64_t, nb::object> on_commit_;
  uint64_t next_commit_id_ = 0;
  bool serving_ = false;
};

/// Explicit offsets from Python: a dict {(topic, partition): next_offset} (TypeError else).
std::map<topic_partition, int64_t> offsets_arg(nb::handle offsets);

void bind_consumer(nb::module_& m);

}  // namespace lkstream::python

#pragma once
// Delivery reports travel from engine threads to the Python thread that serves them.
//
// The engine calls a producer's per-record callback on one of its own threads, where Python
// must not run (and the GIL must not be taken: it would stall the engine behind the
// interpreter). So the callback only appends an event here, under a mutex; Producer.poll(),
// flush() and close() take the events on the caller's thread and call the Python callbacks
// there, as confluent-kafka does. Records sent without a callback produce no event on success;
// their failures are counted so that flush() can raise.
//
// For asyncio, arm() returns an eventfd that becomes readable when events arrive (written on
// the empty -> non-empty transition only), which an event loop watches with add_reader().
//
// Ownership: an event's `callback` is a strong reference taken at send time (with the GIL);
// whoever takes the event releases it (with the GIL). The queue itself never touches Python.

#include <Python.h>

#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <vector>

#include "lkstream/producer.hpp"

namespace lkstream::python {

struct delivery_event {
  PyObject* callback = nullptr;  // owned reference
  errc code = errc::ok;
  int32_t partition = -1;
  int64_t offset = -1;
  int64_t timestamp = -1;
  std::string topic;
  std::string message;
};

class delivery_queue {
 public:
  delivery_queue() = default;
  delivery_queue(const delivery_queue&) = delete;
  delivery_queue& operator=(const delivery_queue&) = delete;
  ~delivery_queue();

  /// Engine thread: a report for a record sent with a Python callback (owned reference).
  void push(PyObject* callback, const delivery_report& r);
  /// Engine thread: a report for a record sent without a callback.
  void note(const delivery_report& r);

  /// Every waiting event, oldest first (the caller now owns their callbacks).
  std::vector<delivery_event> take();
  /// Waits up to `timeout_ms` for an event (GIL released). True when one is waiting.
  bool wait(int64_t timeout_ms);
  size_t size();

  /// Failures of callback-less records since the last call: count and the first message.
  std::pair<size_t, std::string> take_failures();

  /// An eventfd that is readable while events wait (created on first use).
  int arm();
  /// Clears the eventfd's readiness; call before take().
  void clear_notification();

 private:
  std::mutex m_;
  std::condition_variable cv_;
  std::vector<delivery_event> events_;
  size_t failed_ = 0;
  std::string first_failure_;
  int fd_ = -1;
};

/// The std::function stored per record: 16 trivially copyable bytes, so libstdc++ keeps it
/// inside the std::function (no allocation per record).
struct delivery_hook {
  delivery_queue* queue;
  PyObject* callback;  // owned reference, or nullptr: count failures only
  void operator()(const delivery_report& r) const {
    if (callback) queue->push(callback, r);
    else queue->note(r);
  }
};

}  // namespace lkstream::python

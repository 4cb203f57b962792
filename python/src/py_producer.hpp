#pragma once
// lkstream.Producer (the native part): a thin owner of lkstream::producer.
//
// Hot paths: send() converts its arguments without copying (views of the caller's bytes) and
// releases the GIL around the engine call; send_many() converts up to 1024 records at a time
// with the GIL held, then queues all of them with the GIL released, so a batch costs two GIL
// transitions per 1024 records, not one Python->C++ call per record.
//
// Delivery callbacks (`on_delivery(err, report)`) run on the thread that calls poll(), flush()
// or close(), never on an engine thread (delivery_queue.hpp). So that memory stays bounded when
// a program never polls, send()/send_many() also serve them once more than 65536 wait.
//
// Threading: any number of Python threads may send at once. close() waits for calls in
// progress. The engine's close() closes its producers first.

#include <nanobind/nanobind.h>

#include <memory>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>

#include "delivery_queue.hpp"
#include "engine_state.hpp"
#include "lkstream/consumer.hpp"

namespace lkstream::python {

namespace nb = nanobind;

class py_engine;

/// What a delivery callback receives next to the error (None on success).
struct py_delivery_report {
  std::string topic;
  int32_t partition = -1;
  int64_t offset = -1;
  int64_t timestamp = -1;
};

struct producer_state final : closable {
  std::shared_ptr<engine_state> engine;
  std::shared_mutex m;  // shared: a call in progress; exclusive: close
  std::unique_ptr<producer> prod;  // null once closed
  delivery_queue* queue = new delivery_queue;  // see ~producer_state

  void close_for_engine() override;
  ~producer_state() override;
};

class py_producer {
 public:
  py_producer(py_engine& eng, int64_t linger_ms, nb::handle batch_bytes, nb::handle buffer_bytes,
              int64_t max_block_ms, bool auto_create_topics,
              std::optional<std::string> transactional_id, int64_t transaction_timeout_ms);
  ~py_producer();

  void send(std::string_view topic, nb::handle value, nb::handle key, nb::handle headers,
            std::optional<int32_t> partition, std::optional<int64_t> timestamp,
            nb::handle on_delivery);
  size_t send_many(std::string_view topic, nb::handle records, std::optional<int32_t> partition,
                   std::optional<int64_t> timestamp, nb::handle on_delivery);
  /// Serves waiting delivery callbacks, waiting up to `timeout` seconds for the first one.
  size_t poll(double timeout);
  /// Waits until every record is acknowledged (or `timeout` seconds), serving callbacks.
  /// Returns the records still in flight. Raises DeliveryError for failed callback-less records.
  size_t flush(std::optional<double> timeout);
  void close();
  bool closed();

  // Transactions (producer.hpp): each releases the GIL for the engine call; timeouts in
  // seconds (None: no limit). They serve the waiting delivery callbacks before they return
  // unless serve_callbacks is false (the asyncio methods run them in a worker thread and
  // leave the callbacks to the event loop's poll()).
  void init_transactions(std::optional<double> timeout, bool serve_callbacks);
  void begin_transaction();
  void send_offsets_to_transaction(nb::handle offsets, const consumer_group_metadata& group,
                                   std::optional<double> timeout, bool serve_callbacks);
  void commit_transaction(std::optional<double> timeout, bool serve_callbacks);
  void abort_transaction(std::optional<double> timeout, bool serve_callbacks);
  size_t in_flight();
  size_t pending_callbacks() { return st_->queue->size(); }
  int notification_fd() { return st_->queue->arm(); }

 private:
  size_t serve();
  void serve_if_crowded();
  /// Runs fn(producer&) with the GIL released (ClosedError when closed), then serves the
  /// waiting callbacks and raises fn's error.
  template <class Fn>
  void call(Fn&& fn, bool serve_callbacks = true);

  std::shared_ptr<producer_state> st_;
};

void bind_producer(nb::module_& m);

}  // namespace lkstream::python

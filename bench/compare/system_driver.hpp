#pragma once
// The one interface the comparison load generator drives every broker through: Kafka-protocol
// brokers (LKSTREAM and Apache Kafka) with librdkafka, Redis Streams with hiredis, NATS JetStream
// with libnats. The run loop (compare_loadgen.cpp) owns the schedule, the clocks and the
// histograms; a driver only moves bytes and reports acknowledgements and received values.
//
// Threading: send(), poll() and flush() are called from the single producer thread. on_ack may
// be called from that thread (librdkafka, hiredis) or from one client thread (libnats), never
// from two threads at once. on_value may be called from any consumer thread, concurrently (the
// callee synchronises). Errors are returned as a message a person can act on; a driver never
// throws.

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>

namespace lkstream::bench {

/// What one run moves: a fresh topic (Redis: one stream per partition; NATS: one JetStream
/// stream per partition), values of a fixed size, optionally keyed.
struct workload {
  std::string topic;
  int partitions = 1;
  size_t value_bytes = 100;
  bool keyed = false;
  std::string group = "bench";
  size_t max_in_flight = 100000;  // producer-side records awaiting an ack (librdkafka's default)
};

/// Called once per acknowledged (or failed) record with the scheduled send time that was passed
/// to send().
using ack_fn = std::function<void(int64_t scheduled_ns, bool ok)>;
/// Called once per consumed record with its value bytes (valid only during the call).
using value_fn = std::function<void(std::span<const uint8_t> value)>;

enum class send_result { sent, backpressure, failed };

class system_driver {
 public:
  virtual ~system_driver() = default;

  /// Creates the topic (or streams) and the consumer group position at the start of the log.
  virtual std::optional<std::string> setup(const workload& w) = 0;
  /// Starts consuming in the driver's own thread(s); returns once the consumer is positioned
  /// (partitions assigned), so that records produced afterwards reach it without a rebalance.
  virtual std::optional<std::string> start_consumer(value_fn on_value) = 0;
  virtual void stop_consumer() = 0;

  /// Queues one record; `partition` is the round-robin/hash choice the run loop made (Kafka
  /// drivers ignore it and let the client's partitioner decide). `scheduled_ns` comes back in
  /// on_ack. backpressure: nothing was queued, serve acks with poll() and try again.
  virtual send_result send(std::string_view key, int partition, std::span<const uint8_t> value,
                           int64_t scheduled_ns) = 0;
  /// Serves acknowledgements for up to `timeout_ms` (0: only what is ready now).
  virtual void poll(int timeout_ms) = 0;
  /// Waits until every queued record is acknowledged or failed; false on timeout.
  virtual bool flush(int timeout_ms) = 0;

  /// Transactions (a Kafka-protocol driver made with a transactional id: its producer is
  /// transactional and its consumer read_committed). The records sent between begin and commit
  /// become visible together; commit returns once the broker confirmed the commit (librdkafka
  /// flushes first). Errors as a message; drivers without transactions say so.
  virtual std::optional<std::string> begin_transaction() {
    return std::string("this system has no transactions");
  }
  virtual std::optional<std::string> commit_transaction(int /*timeout_ms*/) {
    return std::string("this system has no transactions");
  }
};

/// Runs a new driver's init(args...) and returns it, or nullptr with `error` set to what failed.
template <class Driver, class... Args>
std::unique_ptr<system_driver> initialized(std::unique_ptr<Driver> driver, std::string& error,
                                           Args&&... args) {
  if (auto failure = driver->init(std::forward<Args>(args)...)) {
    error = *failure;
    return nullptr;
  }
  return driver;
}

/// For a driver whose client library was not found at configure time: nullptr and an error
/// that says how to get it.
inline std::unique_ptr<system_driver> missing_client(std::string_view library,
                                                     std::string& error) {
  error = "compare_loadgen was built without " + std::string(library) +
          " (run scripts/install-bench-deps.sh, then reconfigure)";
  return nullptr;
}

/// Factories; each returns nullptr and sets `error` when the client cannot be created, or when
/// the load generator was built without that client library.
/// `transactional_id` non-empty: a transactional producer (init_transactions in init) and a
/// read_committed consumer.
std::unique_ptr<system_driver> make_kafka_driver(const std::string& bootstrap, ack_fn on_ack,
                                                 std::string& error,
                                                 const std::string& transactional_id = {});
std::unique_ptr<system_driver> make_redis_driver(const std::string& address, ack_fn on_ack,
                                                 std::string& error);
std::unique_ptr<system_driver> make_nats_driver(const std::string& address, ack_fn on_ack,
                                                std::string& error);

}  // namespace lkstream::bench

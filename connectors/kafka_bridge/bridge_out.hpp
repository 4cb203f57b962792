#pragma once
// direction = "out": a sink that mirrors LKSTREAM records to a Kafka/Redpanda cluster with an
// idempotent librdkafka producer (acks=all). Keys, values (null too), headers and timestamps
// are kept; topics are renamed through topic_map; with partitioning = "same" a record goes to
// the Kafka partition of its own number (order per partition is kept), with "key" librdkafka's
// partitioner picks by key.
//
// Delivery: write() hands records to the producer; flush() returns LKS_OK only once Kafka
// acknowledged every one of them, and only then does the host commit the LKSTREAM position.
// A delivery failure, a fatal producer error, or no acknowledgement within flush_timeout
// (Kafka unreachable) fails the instance with LKS_ERR_RETRY: the host restarts it after a
// backoff from the committed position, so nothing is lost; what an instance sent but could not
// confirm may reach Kafka twice (at-least-once).
//
// Threading: every member on the connector's thread; librdkafka callbacks are served by
// rd_kafka_poll/flush on that thread too.

#include <cstdint>
#include <string>

#include "kafka_settings.hpp"

namespace lkstream::connectors::kafka_bridge {

class bridge_out final : public plugin::sink {
 public:
  explicit bridge_out(plugin::host h);
  ~bridge_out() override;

  plugin::status start() override;
  plugin::status write(std::span<const lks_record> records) override;
  plugin::status flush() override;
  plugin::status stop() override;

 private:
  static void on_delivery(rd_kafka_t*, const rd_kafka_message_t* m, void* opaque);
  static void on_error(rd_kafka_t*, int err, const char* reason, void* opaque);
  static void on_log(const rd_kafka_t* rk, int level, const char* facility, const char* text);
  plugin::status produce(const lks_record& r, int64_t deadline_ms);
  plugin::status failure_status() const;

  topic_map topics_;
  bool same_partition_ = true;
  int64_t flush_timeout_ms_ = 30000;
  rd_kafka_t* producer_ = nullptr;
  uint64_t outstanding_ = 0;   // produced, no delivery report yet
  uint64_t delivered_ = 0;     // acknowledged by Kafka (this instance)
  std::string first_failure_;  // first failed delivery or fatal error
  std::string last_error_;     // last error_cb text (e.g. the broker is unreachable)
  bool unreachable_ = false;   // every broker is down (condition reported)
};

}  // namespace lkstream::connectors::kafka_bridge

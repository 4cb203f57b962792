#pragma once
// direction = "in": a source that mirrors Kafka/Redpanda topics into LKSTREAM through a Kafka
// consumer group (group.id defaults to "lkstream.<connector name>"). The Kafka topics read are
// the connector's topics, renamed back through topic_map ("kafka_name:lkstream_name"). Keys,
// values, headers and timestamps are kept; with partitioning = "same" a record goes to the
// LKSTREAM partition of its Kafka partition's number (order per partition is kept; the
// LKSTREAM topic needs at least as many partitions), with "key" to the key's partition.
//
// Delivery: records are emitted in batches (at most batch_records), each with a token; the
// Kafka offsets past a batch are committed (asynchronously, at most every commit_interval, and
// synchronously in stop()) only after the host acked the token, i.e. after the append is
// durable in LKSTREAM. auto commit is off. A restart re-reads from the committed offsets, so
// nothing is lost and at most the unacknowledged batches come again (each commit carries
// every acked partition's offset, so a failed async commit is repaired by the next).
// When every broker is unreachable the instance keeps running (librdkafka reconnects with
// its own backoff, reconnect.backoff.ms..reconnect.backoff.max.ms) and reports the condition
// through host->set_condition until a record arrives or a metadata probe succeeds; then it
// carries on from where it was, committing what was acked meanwhile. librdkafka's
// "all brokers down" event is not enough on its own: with sparse connections a broker it never
// connected to does not count as down, so the event may never come. A failed connection
// (a transport error) therefore makes the next idle poll probe metadata, and a failed probe
// reports the condition too.
//
// Threading: every member on the connector's thread; librdkafka callbacks are served by
// rd_kafka_consumer_poll on that thread too.

#include <cstdint>
#include <deque>
#include <map>
#include <string>
#include <utility>

#include "kafka_settings.hpp"

namespace lkstream::connectors::kafka_bridge {

class bridge_in final : public plugin::source {
 public:
  explicit bridge_in(plugin::host h);
  ~bridge_in() override;

  plugin::status start() override;
  plugin::status poll(std::chrono::milliseconds timeout) override;
  void ack(uint64_t token) override;
  plugin::status stop() override;

 private:
  using partition_key = std::pair<std::string, int32_t>;  // Kafka topic, partition
  struct pending_batch {
    uint64_t token;
    std::map<partition_key, int64_t> next_offsets;  // offset after the batch's last record
  };

  static constexpr int64_t probe_interval_ms = 2000;

  static void on_error(rd_kafka_t*, int err, const char* reason, void* opaque);
  static void on_log(const rd_kafka_t* rk, int level, const char* facility, const char* text);
  void on_brokers_down(const std::string& reason);
  /// Idle poll: asks Kafka for metadata when a probe is due; true if Kafka answered.
  bool probe(std::chrono::milliseconds timeout);
  void set_unreachable(bool down);
  plugin::status emit_batch(std::vector<rd_kafka_message_t*>& messages);
  /// preserve: LKSTREAM topic `topic` has a partition `partition` (fatal otherwise).
  plugin::status check_partition(const std::string& topic, int32_t partition);
  /// Commits the acked offsets that were not committed yet (async or sync).
  void commit(bool async);

  topic_map topics_;
  std::map<std::string, int32_t> partitions_;  // LKSTREAM topic -> partition count last seen
  bool same_partition_ = true;
  size_t batch_records_ = 1000;
  int64_t commit_interval_ms_ = 1000;
  rd_kafka_t* consumer_ = nullptr;
  uint64_t next_token_ = 1;
  std::deque<pending_batch> pending_;               // emitted, not acked, in emit order
  std::map<partition_key, int64_t> acked_offsets_;  // next offset durable in LKSTREAM
  bool commit_due_ = false;                         // acks since the last good commit
  int64_t last_commit_ms_ = 0;
  bool unreachable_ = false;  // every broker is down (condition reported)
  std::string last_down_reason_;
  int64_t next_probe_ms_ = 0;
  std::string transport_error_;  // a connection failed since the last good probe or record
  std::string fatal_;  // a fatal consumer error
};

}  // namespace lkstream::connectors::kafka_bridge

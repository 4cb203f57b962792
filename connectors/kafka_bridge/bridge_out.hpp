#pragma once
// direction = "out": a sink that mirrors LKSTREAM records to a Kafka/Redpanda cluster with an
// idempotent librdkafka producer (acks=all). Keys, values (null too), headers and timestamps
// are kept; topics are renamed through topic_map.
//
// Targets: before the first record of a source topic is sent (at start for the connector's
// topics, and again when a record shows the source grew), topic_sync.hpp makes the Kafka topic
// exist and fit: created with the source's partition count and configs, grown with it, or a
// permanent error naming topic and counts. Partitioning (the target partition of a record of
// LKSTREAM partition p): "preserve" (default; "same" is its old name) p itself, so order per
// partition is kept; "hash" p mod the target's count, which keeps each source partition's
// order on fewer partitions; "by-key" (old name "key") Kafka's default partitioner (murmur2 of
// the key, as the Java client) so records land where a Kafka producer would put them.
//
// Offsets (offset_mode):
// - "map" (default): every acknowledged record's (source offset, target offset) is compared
//   with the previous one of its partition; where they stop advancing together (the first
//   record of an instance, a restart's resent records, a source gap from compaction) a
//   mapping record is written to offset_map_topic on Kafka (key "<target topic>/<partition>",
//   value {"target_topic","target_partition","source_topic","source_partition",
//   "source_offset","target_offset"}), before flush() returns, so before LKSTREAM commits the
//   position: the map is never behind what LKSTREAM counts as mirrored. A source offset x
//   translates to t + (x - s) with (s, t) the latest pair with s <= x (pairs of a later
//   instance replace every earlier pair at or above their s).
// - "preserve": target offset == source offset for every record (partitioning = "preserve").
//   The first record of a partition in an instance reads the target's end offset h: records
//   below h were written by an earlier instance and are skipped (zero duplicates after a
//   crash); a target that has records the bridge did not write (h > 0 and the partition not in
//   state_dir/preserved_partitions) is a permanent error. A gap in the source (retention
//   before the first record, compaction, transaction markers) is filled with placeholder
//   records (key "__lkstream_gap", null value, header "lkstream.gap") so that offsets stay
//   equal; a leading gap is then deleted (DeleteRecords), so the target's log start equals the
//   source's. Every acknowledgement is checked: a target offset that differs from the source
//   offset is a permanent error. The mapping records (identities) are written as in "map".
//
// Delivery: write() hands records to the producer; flush() returns LKS_OK only once Kafka
// acknowledged every one of them, and only then does the host commit the LKSTREAM position.
// A failed delivery or a fatal producer error is classified (error_class.hpp): permanent ones
// (a partition or topic that does not exist, a record too large, missing rights) fail the
// instance with LKS_ERR_FATAL, reason and what to do (state "failed", not restarted); the rest,
// and no acknowledgement within flush_timeout (Kafka unreachable), with LKS_ERR_RETRY: the
// host restarts it after a backoff from the committed position, so nothing is lost; what an
// instance sent but could not confirm may reach Kafka twice (at-least-once).
//
// Threading: every member on the connector's thread; librdkafka callbacks are served by
// rd_kafka_poll/flush on that thread too.

#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "kafka_settings.hpp"
#include "topic_sync.hpp"

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
  /// The synced target of the source topic `source` (synced now if it is new, or if
  /// `partition` shows the source grew).
  plugin::status target_of(std::string_view source, int32_t partition, target_topic*& out);
  /// Re-syncs every known target when topic_sync_interval passed.
  plugin::status periodic_sync();
  plugin::status produce(const lks_record& r, int64_t deadline_ms);
  /// One record (or a gap placeholder when `r` is null) to Kafka partition `partition`;
  /// `source_offset` travels as the message's opaque for the acknowledgement's checks.
  plugin::status send(const std::string& topic, int32_t partition, const lks_record* r,
                      int64_t source_offset, int64_t timestamp, int64_t deadline_ms);
  /// preserve: the first record of a partition in this instance; sets next_source.
  plugin::status start_preserving(target_topic& target, int32_t partition);
  plugin::status remember_preserved(const std::string& key);
  /// Writes the pending offset-map records and the pending DeleteRecords, and waits for them.
  plugin::status write_offset_map(int64_t deadline_ms);
  plugin::status delete_leading_gaps();
  void on_record_delivered(const rd_kafka_message_t* m);
  plugin::status failure_status() const;

  struct offset_pair {
    std::string target_topic;
    int32_t partition;
    std::string source_topic;
    int64_t source_offset;
    int64_t target_offset;
  };

  topic_map topics_;
  partitioning mode_ = partitioning::preserve;
  bool preserve_offsets_ = false;
  std::string map_topic_;
  std::set<std::string> preserved_;                   // "<topic>/<partition>" (state file)
  std::vector<offset_pair> pending_pairs_;            // acknowledged, not in the map yet
  std::map<std::string, int64_t> delete_before_;      // "<topic>/<partition>" -> offset
  std::map<std::string, target_topic*, std::less<>> by_target_;  // Kafka name -> target
  const char* last_dr_topic_ = nullptr;              // the previous report's topic name
  target_topic* last_dr_target_ = nullptr;
  topic_sync::options sync_options_;
  int64_t flush_timeout_ms_ = 30000;
  int64_t sync_interval_ms_ = 60000;
  int64_t next_sync_ms_ = 0;
  rd_kafka_t* producer_ = nullptr;
  std::unique_ptr<topic_sync> sync_;
  std::map<std::string, target_topic, std::less<>> targets_;  // by LKSTREAM topic
  target_topic* last_target_ = nullptr;  // the previous record's (most batches: one topic)
  std::string last_source_;
  uint64_t outstanding_ = 0;   // produced, no delivery report yet
  uint64_t delivered_ = 0;     // acknowledged by Kafka (this instance)
  std::string first_failure_;  // first failed delivery or fatal error
  bool offset_drift_ = false;  // preserve: an acknowledgement at another offset (permanent)
  rd_kafka_resp_err_t first_failure_err_ = RD_KAFKA_RESP_ERR_NO_ERROR;
  std::string last_error_;     // last error_cb text (e.g. the broker is unreachable)
  bool unreachable_ = false;   // every broker is down (condition reported)
};

}  // namespace lkstream::connectors::kafka_bridge

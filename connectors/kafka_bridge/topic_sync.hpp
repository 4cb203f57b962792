#pragma once
// Topic sync of the out-bridge: the Kafka topic each LKSTREAM topic is mirrored to exists and
// fits before a record is sent to it.
//
// - Missing target (topic_sync = true, the default): created with the source's partition
//   count and its retention.ms, retention.bytes, cleanup.policy and max.message.bytes
//   (replication factor: the cluster's default), and remembered as created by this connector
//   (state_dir/created_topics, replaced atomically). With topic_sync = false a missing target
//   is a permanent error. The producer defaults allow.auto.create.topics to false, so Kafka
//   never silently creates a 1-partition topic for the bridge; a user who sets it true gets
//   Kafka's topic (num.partitions) on the first check, judged as any existing target.
// - Partition counts: partitioning = "preserve" sends LKSTREAM partition p to Kafka partition
//   p, so the target needs at least as many partitions. A target this connector created is
//   grown (CreatePartitions) when the source grows; a target it did not create with fewer
//   partitions is a permanent error naming topic and counts (its owner decides). "hash"
//   (p mod N) and "by-key" work with any count.
// - Configs: for a target this connector created, the four configs above are compared with the
//   source's on every sync and changed (AlterConfigs, keeping the target's other dynamic
//   configs) when they differ.
//
// Every call blocks at most `timeout` per Kafka request. Errors: plugin::fatal with topic,
// counts and what to do for a permanent problem (error_class.hpp), plugin::retry otherwise.
//
// Threading: the connector's thread only.

#include <librdkafka/rdkafka.h>

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "kafka_settings.hpp"

namespace lkstream::connectors::kafka_bridge {

/// What the bridge knows of one source topic's target.
struct target_topic {
  std::string name;               // the Kafka topic
  std::string source_name;        // the LKSTREAM topic
  int32_t source_partitions = 0;  // the LKSTREAM topic's count at the last sync
  int32_t partitions = 0;         // the Kafka topic's count at the last sync
  bool created_by_us = false;     // in state_dir/created_topics
  plugin::topic_info source;      // the LKSTREAM topic's settings at the last sync

  /// Offset alignment, per Kafka partition, for this instance (bridge_out.hpp).
  struct partition_state {
    int64_t next_source = -1;  // preserve: the next source offset to write; -1: not checked yet
    int64_t last_source = -2;  // the last acknowledged record's source and target offsets
    int64_t last_target = -2;
  };
  std::vector<partition_state> offsets;  // by Kafka partition
};

class topic_sync {
 public:
  struct options {
    bool create = true;  // topic_sync
    partitioning mode = partitioning::preserve;
    int64_t replication_factor = -1;  // of created topics; -1: the cluster's default
    int64_t timeout_ms = 30000;
  };

  /// `rk` (not owned) is the producer; admin requests go through it.
  topic_sync(plugin::host h, rd_kafka_t* rk, options opts);

  /// Reads state_dir/created_topics (a missing file is an empty set).
  plugin::status load();

  /// Creates `topic` with `partitions` partitions, delete policy and no retention limit when
  /// it does not exist (the offset map topic).
  plugin::status ensure_plain(const std::string& topic, int32_t partitions);

  /// DeleteRecords: partition `partition` of `topic` starts at `before` afterwards.
  plugin::status delete_records(const std::string& topic, int32_t partition, int64_t before);

  /// Makes `target` fit `source` as described above and fills `out`.
  plugin::status sync(std::string_view source, const std::string& target, target_topic& out);

 private:
  /// Partition count of a Kafka topic: >0, 0 when it does not exist, or an error.
  plugin::status target_partitions(const std::string& topic, int32_t& count);
  plugin::status create(const std::string& topic, const plugin::topic_info& source);
  plugin::status add_partitions(const std::string& topic, int32_t count);
  plugin::status sync_configs(const std::string& topic, const plugin::topic_info& source);
  plugin::status remember_created(const std::string& topic);

  plugin::host host_;
  rd_kafka_t* rk_;
  options opts_;
  std::set<std::string> created_;
};

/// The Kafka topic configs the bridge keeps equal to the LKSTREAM topic's.
std::map<std::string, std::string> synced_configs(const plugin::topic_info& source);

}  // namespace lkstream::connectors::kafka_bridge

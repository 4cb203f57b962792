#pragma once
// Topic settings under their Kafka names, for CreateTopics `configs` and DescribeConfigs:
//   retention.ms, retention.bytes, segment.bytes, segment.ms, max.message.bytes,
//   message.timestamp.type (CreateTime | LogAppendTime), cleanup.policy (delete, compact or
//   compact,delete), min.cleanable.dirty.ratio, min.compaction.lag.ms, max.compaction.lag.ms,
//   delete.retention.ms, flush.ms (fsync_interval_ms), index.interval.bytes, plus lkstream's own
//   fsync policy as
//   lkstream.fsync.
// Kafka-only settings that mean nothing on a single node (min.insync.replicas, ...) are
// accepted and ignored so that generic admin tools work; anything else is INVALID_CONFIG.

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "lkstream/base/result.hpp"
#include "lkstream/config/config.hpp"

namespace lkstream::net {

/// Applies one Kafka-named setting; invalid_argument naming the key and value otherwise.
status apply_topic_config(config::topic_settings& s, const std::string& name,
                          const std::optional<std::string>& value);

/// Rules between settings, checked once all of a request's settings are applied:
/// min.compaction.lag.ms <= max.compaction.lag.ms. invalid_argument naming both otherwise.
status check_topic_configs(const config::topic_settings& s);

/// One IncrementalAlterConfigs operation (kafka::config_op_*): 0 set (apply_topic_config),
/// 1 delete (back to `defaults`), 2 append / 3 subtract (list configs: cleanup.policy only).
/// invalid_argument naming the key otherwise.
status alter_topic_config(config::topic_settings& s, const std::string& name, int8_t operation,
                          const std::optional<std::string>& value,
                          const config::topic_settings& defaults);

struct described_config {
  std::string name;
  std::string value;
  bool is_default = false;  // equal to [topic_defaults]
};

/// Every setting above with its value, in a stable order.
std::vector<described_config> describe_topic_configs(const config::topic_settings& s,
                                                     const config::topic_settings& defaults);

}  // namespace lkstream::net

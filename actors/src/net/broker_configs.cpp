#include "net/broker_configs.hpp"

#include <algorithm>
#include <charconv>

#include "lkstream/kafka/describe_configs.hpp"

namespace lkstream::net {
namespace {

std::string ratio_text(double v) {
  char buf[32];
  return std::string(buf, std::to_chars(buf, buf + sizeof(buf), v).ptr);
}

std::string flag(bool b) { return b ? "true" : "false"; }

// One setting: its Kafka name, the topic config it is the default of (or ""), its value now
// and at LKSTREAM's built-in default.
struct row {
  std::string name;
  std::string topic_config;
  std::string value;
  std::string default_value;
};

std::vector<row> rows(const config::config& c, const config::config& d,
                      const broker_endpoints& ep) {
  const auto& b = c.broker;
  const auto& db = d.broker;
  const auto& t = c.topic_defaults.log;
  const auto& dt = d.topic_defaults.log;
  auto num = [](auto v) { return std::to_string(v); };
  auto limit = [](int64_t v) {
    return v < 0 ? std::to_string(INT32_MAX) : std::to_string(v);  // Kafka: Int.MaxValue
  };
  auto ts = [](bool lat) { return std::string(lat ? "LogAppendTime" : "CreateTime"); };
  return {
      {"advertised.listeners", "", "PLAINTEXT://" + ep.advertised, "PLAINTEXT://" + ep.advertised},
      {"auto.create.topics.enable", "", flag(b.auto_create_topics), flag(db.auto_create_topics)},
      {"broker.id", "", num(b.node_id), num(db.node_id)},
      {"default.replication.factor", "", "1", "1"},
      {"group.initial.rebalance.delay.ms", "", num(b.group_initial_rebalance_delay_ms),
       num(db.group_initial_rebalance_delay_ms)},
      {"group.max.session.timeout.ms", "", num(b.group_session_timeout_max_ms),
       num(db.group_session_timeout_max_ms)},
      {"group.min.session.timeout.ms", "", num(b.group_session_timeout_min_ms),
       num(db.group_session_timeout_min_ms)},
      {"listeners", "", "PLAINTEXT://" + ep.listen, "PLAINTEXT://" + ep.listen},
      {"log.cleaner.backoff.ms", "", num(b.cleaner_backoff_ms), num(db.cleaner_backoff_ms)},
      {"log.cleaner.dedupe.buffer.size", "", num(b.cleaner_dedupe_buffer_bytes),
       num(db.cleaner_dedupe_buffer_bytes)},
      {"log.cleaner.delete.retention.ms", "delete.retention.ms", num(t.delete_retention_ms),
       num(dt.delete_retention_ms)},
      {"log.cleaner.io.max.bytes.per.second", "",
       b.cleaner_io_max_bytes_per_second < 0 ? "1.7976931348623157E308"
                                             : num(b.cleaner_io_max_bytes_per_second),
       "1.7976931348623157E308"},
      {"log.cleaner.max.compaction.lag.ms", "max.compaction.lag.ms",
       num(t.max_compaction_lag_ms), num(dt.max_compaction_lag_ms)},
      {"log.cleaner.min.cleanable.ratio", "min.cleanable.dirty.ratio",
       ratio_text(t.min_cleanable_dirty_ratio), ratio_text(dt.min_cleanable_dirty_ratio)},
      {"log.cleaner.min.compaction.lag.ms", "min.compaction.lag.ms",
       num(t.min_compaction_lag_ms), num(dt.min_compaction_lag_ms)},
      {"log.cleanup.policy", "cleanup.policy", std::string(storage::to_string(t.cleanup)),
       std::string(storage::to_string(dt.cleanup))},
      {"log.dirs", "", b.data_dir, db.data_dir},
      {"log.flush.interval.ms", "flush.ms", num(t.fsync_interval_ms), num(dt.fsync_interval_ms)},
      {"log.index.interval.bytes", "index.interval.bytes", num(t.index_interval_bytes),
       num(dt.index_interval_bytes)},
      {"log.message.timestamp.type", "message.timestamp.type",
       ts(c.topic_defaults.log_append_time), ts(d.topic_defaults.log_append_time)},
      {"log.retention.bytes", "retention.bytes", num(t.retention_bytes), num(dt.retention_bytes)},
      {"log.retention.check.interval.ms", "", num(b.retention_check_interval_ms),
       num(db.retention_check_interval_ms)},
      {"log.retention.ms", "retention.ms", num(t.retention_ms), num(dt.retention_ms)},
      {"log.roll.ms", "segment.ms", num(t.segment_ms), num(dt.segment_ms)},
      {"log.segment.bytes", "segment.bytes", num(t.segment_bytes), num(dt.segment_bytes)},
      {"max.connections", "", limit(b.max_connections), limit(db.max_connections)},
      {"max.connections.per.ip", "", limit(b.max_connections_per_ip),
       limit(db.max_connections_per_ip)},
      {"message.max.bytes", "max.message.bytes", num(t.max_batch_bytes), num(dt.max_batch_bytes)},
      {"node.id", "", num(b.node_id), num(db.node_id)},
      {"num.partitions", "", num(c.topic_defaults.partitions), num(d.topic_defaults.partitions)},
      {"offsets.retention.minutes", "", num(b.offsets_retention_ms / 60000),
       num(db.offsets_retention_ms / 60000)},
      {"socket.request.max.bytes", "", num(b.max_request_bytes), num(db.max_request_bytes)},
  };
}

int8_t source_of(const row& r) {
  return r.value == r.default_value ? kafka::config_source_default
                                    : kafka::config_source_static_broker;
}

}  // namespace

std::vector<broker_config> describe_broker_configs(const config::config& cfg,
                                                   const broker_endpoints& endpoints) {
  const auto defaults = config::defaults();
  std::vector<broker_config> out;
  for (auto& r : rows(cfg, defaults, endpoints)) {
    broker_config c{r.name, r.value, source_of(r), false, {}};
    // The value is set under the config's own name; its other synonyms carry no value of
    // their own, and Kafka lists only synonyms that have one.
    c.synonyms.push_back({r.name, r.value, c.source});
    out.push_back(std::move(c));
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.name < b.name; });
  return out;
}

std::vector<broker_config_synonym> broker_synonyms_of(const config::config& cfg,
                                                      const std::string& topic_config) {
  const auto defaults = config::defaults();
  for (auto& r : rows(cfg, defaults, {}))
    if (!r.topic_config.empty() && r.topic_config == topic_config)
      return {{r.name, r.value, source_of(r)}};
  return {};
}

}  // namespace lkstream::net

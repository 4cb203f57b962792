#include "net/topic_configs.hpp"

#include <charconv>

namespace lkstream::net {
namespace {

std::optional<int64_t> parse_int(const std::string& v) {
  int64_t out = 0;
  auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), out);
  if (ec != std::errc{} || p != v.data() + v.size()) return std::nullopt;
  return out;
}

// Shortest round-trip text, as Kafka shows doubles ("0.5").
std::string ratio_text(double v) {
  char buf[32];
  return std::string(buf, std::to_chars(buf, buf + sizeof(buf), v).ptr);
}

std::string_view fsync_name(storage::fsync_policy p) { return storage::to_string(p); }

}  // namespace

status apply_topic_config(config::topic_settings& s, const std::string& name,
                          const std::optional<std::string>& value) {
  auto bad = [&](std::string_view expected) {
    return status{errc::invalid_argument, "config " + name + "=" + value.value_or("null") +
                                              ": expected " + std::string(expected)};
  };
  if (name == "min.insync.replicas" || name == "unclean.leader.election.enable" ||
      name == "compression.type" || name == "message.downconversion.enable")
    return {};  // meaningless on one node / not applied: accepted, ignored
  if (!value) return bad("a value");
  const std::string& v = *value;
  if (name == "cleanup.policy") {
    auto p = storage::parse_cleanup_policy(v);
    if (!p) return bad("delete, compact or compact,delete");
    s.log.cleanup = *p;
    return {};
  }
  if (name == "min.cleanable.dirty.ratio") {
    double r = 0;
    auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), r);
    if (ec != std::errc{} || p != v.data() + v.size() || !(r >= 0.0 && r <= 1.0))
      return bad("a number in 0..1");
    s.log.min_cleanable_dirty_ratio = r;
    return {};
  }
  if (name == "message.timestamp.type") {
    if (v != "CreateTime" && v != "LogAppendTime") return bad("CreateTime or LogAppendTime");
    s.log_append_time = v == "LogAppendTime";
    return {};
  }
  if (name == "lkstream.fsync") {
    if (v == "always") s.log.fsync = storage::fsync_policy::always;
    else if (v == "interval") s.log.fsync = storage::fsync_policy::interval;
    else if (v == "never") s.log.fsync = storage::fsync_policy::never;
    else return bad("always, interval or never");
    return {};
  }
  auto n = parse_int(v);
  if (!n) return bad("an integer");
  if (name == "retention.ms") {
    if (*n < -1) return bad("-1 or a duration in ms");
    s.log.retention_ms = *n;
  } else if (name == "retention.bytes") {
    if (*n < -1) return bad("-1 or a size in bytes");
    s.log.retention_bytes = *n;
  } else if (name == "segment.bytes") {
    if (*n < 1024 || *n > INT32_MAX) return bad("1024..2147483647");
    s.log.segment_bytes = static_cast<uint64_t>(*n);
  } else if (name == "segment.ms") {
    if (*n < 1) return bad("a positive duration in ms");
    s.log.segment_ms = *n;
  } else if (name == "max.message.bytes") {
    if (*n < 1024 || *n > INT32_MAX) return bad("1024..2147483647");
    s.log.max_batch_bytes = static_cast<uint32_t>(*n);
  } else if (name == "index.interval.bytes") {
    if (*n < 1 || *n > INT32_MAX) return bad("1..2147483647");
    s.log.index_interval_bytes = static_cast<uint32_t>(*n);
  } else if (name == "min.compaction.lag.ms") {
    if (*n < 0) return bad("a duration in ms, 0 or more");
    s.log.min_compaction_lag_ms = *n;
  } else if (name == "max.compaction.lag.ms") {
    if (*n < 1) return bad("a positive duration in ms");
    s.log.max_compaction_lag_ms = *n;
  } else if (name == "delete.retention.ms") {
    if (*n < 0) return bad("a duration in ms, 0 or more");
    s.log.delete_retention_ms = *n;
  } else if (name == "flush.ms") {
    if (*n < 1) return bad("a positive duration in ms");
    s.log.fsync_interval_ms = *n;
  } else {
    return {errc::invalid_argument, "unknown topic config " + name};
  }
  return {};
}

status alter_topic_config(config::topic_settings& s, const std::string& name, int8_t operation,
                          const std::optional<std::string>& value,
                          const config::topic_settings& defaults) {
  switch (operation) {
    case 0:
      return apply_topic_config(s, name, value);
    case 1: {
      for (const auto& d : describe_topic_configs(defaults, defaults))
        if (d.name == name) return apply_topic_config(s, name, d.value);
      return apply_topic_config(s, name, std::nullopt);  // ignored keys pass, unknown ones fail
    }
    case 2:
    case 3: {
      if (name != "cleanup.policy")
        return {errc::invalid_argument, "config " + name + " is not a list: " +
                                            (operation == 2 ? "append" : "subtract") +
                                            " applies to cleanup.policy only"};
      if (!value) return {errc::invalid_argument, "config " + name + ": expected a value"};
      bool compact = storage::compacts(s.log.cleanup);
      bool del = storage::deletes(s.log.cleanup);
      size_t start = 0;
      while (start <= value->size()) {
        auto end = value->find(',', start);
        if (end == std::string::npos) end = value->size();
        auto item = value->substr(start, end - start);
        if (item != "compact" && item != "delete")
          return {errc::invalid_argument,
                  "config cleanup.policy: " + item + ": expected compact or delete"};
        (item == "compact" ? compact : del) = operation == 2;
        start = end + 1;
      }
      if (!compact && !del)
        return {errc::invalid_argument, "config cleanup.policy cannot become empty"};
      return apply_topic_config(s, name, compact && del ? "compact,delete"
                                         : compact      ? "compact"
                                                        : "delete");
    }
    default:
      return {errc::invalid_argument, "config " + name + ": unknown operation " +
                                          std::to_string(operation)};
  }
}

status check_topic_configs(const config::topic_settings& s) {
  if (s.log.min_compaction_lag_ms > s.log.max_compaction_lag_ms)
    return {errc::invalid_argument,
            "config min.compaction.lag.ms=" + std::to_string(s.log.min_compaction_lag_ms) +
                " is above max.compaction.lag.ms=" + std::to_string(s.log.max_compaction_lag_ms)};
  return {};
}

std::vector<described_config> describe_topic_configs(const config::topic_settings& s,
                                                     const config::topic_settings& d) {
  auto ts = [](bool lat) { return std::string(lat ? "LogAppendTime" : "CreateTime"); };
  return {
      {"cleanup.policy", std::string(storage::to_string(s.log.cleanup)),
       s.log.cleanup == d.log.cleanup},
      {"min.cleanable.dirty.ratio", ratio_text(s.log.min_cleanable_dirty_ratio),
       s.log.min_cleanable_dirty_ratio == d.log.min_cleanable_dirty_ratio},
      {"min.compaction.lag.ms", std::to_string(s.log.min_compaction_lag_ms),
       s.log.min_compaction_lag_ms == d.log.min_compaction_lag_ms},
      {"max.compaction.lag.ms", std::to_string(s.log.max_compaction_lag_ms),
       s.log.max_compaction_lag_ms == d.log.max_compaction_lag_ms},
      {"delete.retention.ms", std::to_string(s.log.delete_retention_ms),
       s.log.delete_retention_ms == d.log.delete_retention_ms},
      {"retention.ms", std::to_string(s.log.retention_ms), s.log.retention_ms == d.log.retention_ms},
      {"retention.bytes", std::to_string(s.log.retention_bytes),
       s.log.retention_bytes == d.log.retention_bytes},
      {"segment.bytes", std::to_string(s.log.segment_bytes),
       s.log.segment_bytes == d.log.segment_bytes},
      {"segment.ms", std::to_string(s.log.segment_ms), s.log.segment_ms == d.log.segment_ms},
      {"max.message.bytes", std::to_string(s.log.max_batch_bytes),
       s.log.max_batch_bytes == d.log.max_batch_bytes},
      {"message.timestamp.type", ts(s.log_append_time), s.log_append_time == d.log_append_time},
      {"flush.ms", std::to_string(s.log.fsync_interval_ms),
       s.log.fsync_interval_ms == d.log.fsync_interval_ms},
      {"index.interval.bytes", std::to_string(s.log.index_interval_bytes),
       s.log.index_interval_bytes == d.log.index_interval_bytes},
      {"lkstream.fsync", std::string(fsync_name(s.log.fsync)), s.log.fsync == d.log.fsync},
  };
}

}  // namespace lkstream::net

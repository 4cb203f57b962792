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
  if (name == "cleanup.policy") return v == "delete" ? status{} : bad("\"delete\" (no compaction)");
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
  } else if (name == "flush.ms") {
    if (*n < 1) return bad("a positive duration in ms");
    s.log.fsync_interval_ms = *n;
  } else {
    return {errc::invalid_argument, "unknown topic config " + name};
  }
  return {};
}

std::vector<described_config> describe_topic_configs(const config::topic_settings& s,
                                                     const config::topic_settings& d) {
  auto ts = [](bool lat) { return std::string(lat ? "LogAppendTime" : "CreateTime"); };
  return {
      {"cleanup.policy", "delete", true},
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

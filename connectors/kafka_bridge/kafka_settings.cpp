#include "kafka_settings.hpp"

#include <algorithm>

namespace lkstream::connectors::kafka_bridge {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

std::string quoted(std::string_view s) {
  return "\"" + std::string(s) + "\"";
}

}  // namespace

bool is_bridge_key(std::string_view key) {
  for (const char* own : {direction_key, topic_map_key, partitioning_key, flush_timeout_key,
                          batch_records_key, commit_interval_key, topic_sync_key,
                          topic_sync_interval_key, replication_factor_key, topic_name_key,
                          offset_mode_key, offset_map_topic_key})
    if (key == own) return true;
  return false;
}

partitioning parse_partitioning(std::string_view text) {
  if (text == "hash") return partitioning::hash;
  if (text == "by-key" || text == "key") return partitioning::by_key;
  return partitioning::preserve;
}

plugin::status topic_map::parse(std::string_view text, topic_map& out) {
  while (!trim(text).empty()) {
    const auto comma = text.find(',');
    const std::string_view entry = trim(text.substr(0, comma));
    text = comma == std::string_view::npos ? std::string_view() : text.substr(comma + 1);
    const auto colon = entry.find(':');
    const std::string_view from = trim(entry.substr(0, colon));
    const std::string_view to =
        colon == std::string_view::npos ? std::string_view() : trim(entry.substr(colon + 1));
    if (from.empty() || to.empty())
      return plugin::config_error("topic_map entry " + quoted(entry) +
                                  " is not \"from:to\" (e.g. \"ticks:lk.ticks,orders:o\")");
    if (!out.forward_.emplace(std::string(from), std::string(to)).second)
      return plugin::config_error("topic_map maps " + quoted(from) + " twice");
  }
  return plugin::ok();
}

plugin::status topic_map::set_template(std::string_view name_template) {
  constexpr std::string_view placeholder = "{topic}";
  const auto at = name_template.find(placeholder);
  if (at == std::string_view::npos ||
      name_template.find(placeholder, at + placeholder.size()) != std::string_view::npos)
    return plugin::config_error("topic_name " + quoted(name_template) +
                                " must contain \"{topic}\" exactly once (e.g. \"mirror.{topic}\")");
  prefix_ = name_template.substr(0, at);
  suffix_ = name_template.substr(at + placeholder.size());
  return plugin::ok();
}

std::string topic_map::to(std::string_view from) const {
  auto it = forward_.find(from);
  if (it != forward_.end()) return it->second;
  std::string out;
  out.reserve(prefix_.size() + from.size() + suffix_.size());
  out.append(prefix_).append(from).append(suffix_);
  return out;
}

std::string topic_map::from(std::string_view to) const {
  for (auto& [f, t] : forward_)
    if (t == to) return f;
  if (to.size() > prefix_.size() + suffix_.size() && to.starts_with(prefix_) &&
      to.ends_with(suffix_))
    return std::string(to.substr(prefix_.size(), to.size() - prefix_.size() - suffix_.size()));
  return std::string(to);
}

plugin::status make_conf(const plugin::host& host, const std::vector<pinned_property>& pinned,
                         const std::vector<std::pair<const char*, std::string>>& defaults,
                         conf_ptr& out) {
  conf_ptr conf(rd_kafka_conf_new());
  char err[512];
  auto set = [&](std::string_view key, const std::string& value) -> plugin::status {
    const std::string k(key);
    if (rd_kafka_conf_set(conf.get(), k.c_str(), value.c_str(), err, sizeof err) !=
        RD_KAFKA_CONF_OK)
      return plugin::config_error("librdkafka property " + quoted(k) + " = " + quoted(value) +
                                  ": " + err);
    return plugin::ok();
  };
  for (auto& p : pinned)
    if (auto st = set(p.key, p.value); !st.ok()) return st;
  if (host.raw()->abi_minor < 1 || !host.raw()->config_key)
    return plugin::fatal("this host speaks connector ABI 1.0; the kafka_bridge needs 1.1");
  const auto keys = host.keys();
  bool has_bootstrap = false;
  for (std::string_view key : keys) {
    if (is_bridge_key(key)) continue;
    const std::string k(key);
    const std::string value = host.get_string(k.c_str());
    for (auto& p : pinned) {
      if (key != p.key) continue;
      if (std::find(p.accepted.begin(), p.accepted.end(), value) == p.accepted.end())
        return plugin::config_error("librdkafka property " + quoted(k) + " = " + quoted(value) +
                                    ": the bridge needs " + quoted(p.value) +
                                    " for its delivery guarantee");
    }
    if (key == "bootstrap.servers" || key == "metadata.broker.list") has_bootstrap = true;
    if (auto st = set(key, value); !st.ok()) return st;
  }
  if (!has_bootstrap)
    return plugin::config_error(
        "\"bootstrap.servers\" is required (the Kafka/Redpanda "
        "brokers, e.g. \"127.0.0.1:9092\")");
  for (auto& [key, value] : defaults) {
    if (std::find(keys.begin(), keys.end(), std::string_view(key)) != keys.end()) continue;
    if (auto st = set(key, value); !st.ok()) return st;
  }
  out = std::move(conf);
  return plugin::ok();
}

plugin::status new_client(rd_kafka_type_t type, conf_ptr conf, const client_callbacks& callbacks,
                          rd_kafka_t*& out) {
  rd_kafka_conf_set_opaque(conf.get(), callbacks.opaque);
  rd_kafka_conf_set_error_cb(conf.get(), callbacks.error);
  rd_kafka_conf_set_log_cb(conf.get(), callbacks.log);
  char err[512];
  out = rd_kafka_new(type, conf.get(), err, sizeof err);
  if (!out)
    return plugin::config_error(std::string("cannot create the Kafka ") +
                                (type == RD_KAFKA_PRODUCER ? "producer" : "consumer") + ": " + err);
  conf.release();  // owned by the client now
  return plugin::ok();
}

void log_to_host(const plugin::host& host, int level, const char* facility, const char* text) {
  const lks_log_level l = level <= 3 ? LKS_LOG_WARN : level <= 6 ? LKS_LOG_INFO : LKS_LOG_DEBUG;
  host.log(l, std::string("librdkafka ") + facility + ": " + text);
}

std::string describe(rd_kafka_resp_err_t err) {
  return std::string(rd_kafka_err2name(err)) + ": " + rd_kafka_err2str(err);
}

}  // namespace lkstream::connectors::kafka_bridge

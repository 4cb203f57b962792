// connector_status <-> the JSON value of a status-topic record (contract in
// connector_host.hpp).
#include <nlohmann/json.hpp>

#include "lkstream/connector_host.hpp"

namespace lkstream {

std::optional<connector_state> connector_state_from_string(std::string_view s) {
  for (auto st : {connector_state::starting, connector_state::running, connector_state::backing_off,
                  connector_state::finished, connector_state::failed, connector_state::stopped})
    if (to_string(st) == s) return st;
  return std::nullopt;
}

std::string to_json(const connector_status& s) {
  nlohmann::json j{{"name", s.name},           {"plugin", s.plugin},
                   {"kind", s.kind},           {"library", s.library},
                   {"origin", s.origin},       {"state", std::string(to_string(s.state))},
                   {"condition", s.condition}, {"last_error", s.last_error},
                   {"restarts", s.restarts},   {"backoff_ms", s.backoff_ms},
                   {"records", s.records},     {"in_flight", s.in_flight},
                   {"lag", s.lag()},           {"published_ms", s.published_ms}};
  auto parts = nlohmann::json::array();
  for (auto& p : s.partitions)
    parts.push_back({{"topic", p.tp.topic},
                     {"partition", p.tp.partition.value()},
                     {"position", p.position},
                     {"committed", p.committed},
                     {"end_offset", p.end_offset}});
  j["partitions"] = std::move(parts);
  // Invalid UTF-8 (a plugin's error text) is replaced, never a reason to throw.
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

result<connector_status> connector_status_from_json(std::string_view text) {
  auto j = nlohmann::json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object())
    return error{errc::invalid_argument, "connector status: not a JSON object"};
  connector_status s;
  try {
    auto str = [&](const char* key, std::string& out) {
      if (j.contains(key) && j[key].is_string()) out = j[key].get<std::string>();
    };
    auto num = [&](const char* key, auto& out) {
      if (j.contains(key) && j[key].is_number()) out = j[key].get<std::decay_t<decltype(out)>>();
    };
    str("name", s.name);
    str("plugin", s.plugin);
    str("kind", s.kind);
    str("library", s.library);
    str("origin", s.origin);
    str("condition", s.condition);
    str("last_error", s.last_error);
    std::string state;
    str("state", state);
    auto st = connector_state_from_string(state);
    if (!st)
      return error{errc::invalid_argument, "connector status: unknown state \"" + state + "\""};
    s.state = *st;
    num("restarts", s.restarts);
    num("backoff_ms", s.backoff_ms);
    num("records", s.records);
    num("in_flight", s.in_flight);
    num("published_ms", s.published_ms);
    if (j.contains("partitions") && j["partitions"].is_array()) {
      for (auto& p : j["partitions"]) {
        partition_lag l;
        l.tp.topic = p.value("topic", std::string());
        l.tp.partition = partition_id{p.value("partition", 0)};
        l.position = p.value("position", int64_t{-1});
        l.committed = p.value("committed", int64_t{-1});
        l.end_offset = p.value("end_offset", int64_t{-1});
        s.partitions.push_back(std::move(l));
      }
    }
  } catch (const nlohmann::json::exception& e) {
    return error{errc::invalid_argument, std::string("connector status: ") + e.what()};
  }
  if (s.name.empty()) return error{errc::invalid_argument, "connector status: no \"name\""};
  return s;
}

}  // namespace lkstream

#include "config_parser.hpp"

#include <algorithm>
#include <map>
#include <regex>
#include <set>

namespace lkstream::config {

namespace {

std::string indexed(std::string_view name, size_t i) {
  return std::string(name) + "[" + std::to_string(i) + "]";
}

}  // namespace

void config_parser::report_unknown_keys(const toml::table& table, const std::string& path,
                                        section s) {
  auto known = known_keys(s);
  for (const auto& [key, node] : table)
    if (std::find(known.begin(), known.end(), key.str()) == known.end())
      diag_.add(position_of(key), join_path(path, key.str()), unknown_key_message(s, key.str()));
}

template <class Settings>
void config_parser::read_keys(const toml::table& table, const std::string& path,
                              std::span<const key_spec<Settings>> keys, Settings& out) {
  for (const auto& [key, node] : table) {
    auto spec = std::find_if(keys.begin(), keys.end(),
                             [&](const auto& k) { return k.name == key.str(); });
    if (spec == keys.end()) continue;  // unknown (reported separately) or read by the caller
    value_reader reader(diag_, node, join_path(path, key.str()));
    spec->read(reader, out);
  }
}

const toml::table* config_parser::section_table(const toml::node& node, const std::string& path,
                                                section s) {
  auto table = node.as_table();
  if (!table)
    diag_.add(position_of(node), path, "expected a table ([" + path + "]), got " + describe(node));
  else
    report_unknown_keys(*table, path, s);
  return table;
}

template <class Fn>
void config_parser::for_each_table(const toml::node& node, const std::string& name, Fn&& each) {
  auto array = node.as_array();
  if (!array) {
    diag_.add(position_of(node), name,
              "expected an array of tables (a [[" + name + "]] header per " + name + "), got " +
                  describe(node));
    return;
  }
  for (size_t i = 0; i < array->size(); ++i) {
    const toml::node& element = *array->get(i);
    std::string path = indexed(name, i);
    if (auto table = element.as_table())
      each(*table, path);
    else
      diag_.add(position_of(element), path, "expected a table, got " + describe(element));
  }
}

std::optional<std::string> config_parser::required_string(const toml::table& table,
                                                          const std::string& path,
                                                          std::string_view key) {
  auto node = table.get(key);
  if (!node) {
    diag_.add(position_of(table), path,
              "missing required key " + quoted(key) + " (a string)");
    return std::nullopt;
  }
  return value_reader(diag_, *node, join_path(path, key)).string();
}

std::string config_parser::read_unique_name(const toml::table& table, const std::string& path,
                                            std::string_view kind, name_registry& seen) {
  auto name = required_string(table, path, "name");
  if (!name) return {};
  const toml::node& node = *table.get("name");
  value_reader reader(diag_, node, path + ".name");
  if (!is_valid_name(*name)) {
    reader.fail("expected a " + std::string(kind) + " name of " + std::string(name_rule) +
                ", got " + describe(node));
  } else if (auto it = seen.find(*name); it != seen.end()) {
    reader.fail("duplicate " + std::string(kind) + " name " + quoted(*name) +
                ", first defined at " + diag_.where(it->second.second) + " (" + it->second.first +
                ")");
  } else {
    seen.emplace(*name, std::pair{path, position_of(node)});
    return *name;
  }
  return {};
}

result<config> config_parser::parse(const toml::table& root) {
  cfg_ = defaults();
  cfg_.source = diag_.source();
  report_unknown_keys(root, "", section::root);
  if (auto n = root.get("broker"))
    if (auto t = section_table(*n, "broker", section::broker))
      read_keys(*t, "broker", broker_keys(), cfg_.broker);
  // Topics start from topic_defaults, so the defaults are read first whatever the file order.
  if (auto n = root.get("topic_defaults"))
    if (auto t = section_table(*n, "topic_defaults", section::topic_defaults))
      read_keys(*t, "topic_defaults", topic_keys(), cfg_.topic_defaults);
  if (auto n = root.get("topic")) read_topics(*n);
  if (auto n = root.get("connector")) read_connectors(*n);

  // Limits between keys are checked only on otherwise valid values, so that one mistake is not
  // reported twice.
  if (diag_.empty()) check_cross_key_limits(root);
  if (!diag_.empty()) return diag_.to_error();
  return std::move(cfg_);
}

void config_parser::read_topics(const toml::node& node) {
  name_registry seen;
  for_each_table(node, "topic", [&](const toml::table& table, const std::string& path) {
    report_unknown_keys(table, path, section::topic);
    topic_entry entry;
    entry.name = read_unique_name(table, path, "topic", seen);
    entry.settings = cfg_.topic_defaults;
    read_keys(table, path, topic_keys(), entry.settings);
    cfg_.topics.push_back(std::move(entry));
    topic_tables_.push_back(&table);
  });
}

void config_parser::read_connectors(const toml::node& node) {
  name_registry seen;
  for_each_table(node, "connector", [&](const toml::table& table, const std::string& path) {
    report_unknown_keys(table, path, section::connector);
    connector_entry entry;
    entry.origin = diag_.where(position_of(table));
    entry.name = read_unique_name(table, path, "connector", seen);
    if (auto plugin = required_string(table, path, "plugin")) {
      if (is_valid_plugin_name(*plugin))
        entry.plugin = *plugin;
      else
        value_reader(diag_, *table.get("plugin"), path + ".plugin")
            .fail("expected a plugin name of 1..128 characters from [A-Za-z0-9_-] (it names "
                  "liblkstream_<plugin>.so), got " + describe(*table.get("plugin")));
    }
    if (auto n = table.get("topics")) read_connector_topics(*n, path + ".topics", entry);
    if (auto n = table.get("topic_prefix")) {
      if (auto v = value_reader(diag_, *n, path + ".topic_prefix").string()) {
        if (v->empty())
          diag_.add(position_of(*n), path + ".topic_prefix",
                    "expected a non-empty prefix (leave the key out to select no topics by "
                    "prefix)");
        entry.topic_prefix = std::move(*v);
      }
    }
    if (auto n = table.get("topic_regex")) {
      if (auto v = value_reader(diag_, *n, path + ".topic_regex").string()) {
        try {
          std::regex compiled(*v, std::regex::ECMAScript);
          if (v->empty()) throw std::regex_error(std::regex_constants::error_collate);
          entry.topic_regex = std::move(*v);
        } catch (const std::regex_error& e) {
          diag_.add(position_of(*n), path + ".topic_regex",
                    "expected a regular expression (ECMAScript, matched against whole topic "
                    "names), got " + describe(*n) + ": " + e.what());
        }
      }
    }
    if (auto n = table.get("config")) read_connector_config(*n, path + ".config", entry);
    cfg_.connectors.push_back(std::move(entry));
  });
}

void config_parser::read_connector_topics(const toml::node& node, const std::string& path,
                                          connector_entry& out) {
  auto topics = value_reader(diag_, node, path).string_array();
  if (!topics) return;
  std::set<std::string_view> listed;
  for (size_t i = 0; i < topics->size(); ++i) {
    const std::string& topic = (*topics)[i];
    const toml::node& at = *node.as_array()->get(i);
    if (!is_valid_name(topic))
      diag_.add(position_of(at), indexed(path, i),
                "expected a topic name of " + std::string(name_rule) + ", got " + describe(at));
    else if (!listed.insert(topic).second)
      diag_.add(position_of(at), indexed(path, i), "topic " + quoted(topic) + " is listed twice");
  }
  out.topics = std::move(*topics);
}

void config_parser::read_connector_config(const toml::node& node, const std::string& path,
                                          connector_entry& out) {
  auto table = node.as_table();
  if (!table) {
    diag_.add(position_of(node), path,
              "expected a table ([connector.config]), got " + describe(node));
    return;
  }
  std::vector<config_item> items;
  flatten_connector_config(*table, "", path, items);
  // toml++ keeps keys sorted; connectors get them in the order the file lists them.
  std::stable_sort(items.begin(), items.end(), [](const config_item& a, const config_item& b) {
    return a.pos.line != b.pos.line ? a.pos.line < b.pos.line : a.pos.column < b.pos.column;
  });
  std::map<std::string_view, position> seen;
  for (const auto& i : items) {
    if (auto [it, fresh] = seen.emplace(i.key, i.pos); !fresh)
      diag_.add(i.pos, i.path,
                "duplicate config key " + quoted(i.key) + ", first given at " +
                    diag_.where(it->second) + " (quoted and dotted forms name the same key)");
  }
  for (auto& i : items) out.config.emplace_back(std::move(i.key), std::move(i.value));
}

void config_parser::flatten_connector_config(const toml::table& table, const std::string& prefix,
                                             const std::string& path,
                                             std::vector<config_item>& items) {
  for (const auto& [key, value] : table) {
    std::string name(key.str());
    if (!prefix.empty()) name = prefix + "." + name;
    std::string value_path = join_path(path, key.str());
    if (auto sub = value.as_table()) {
      flatten_connector_config(*sub, name, value_path, items);
      continue;
    }
    value_reader reader(diag_, value, value_path);
    if (auto text = reader.scalar_text())
      items.push_back({position_of(key), name, *text, value_path});
  }
}

void config_parser::require_not_above(const bound& low, const bound& high) {
  if (low.node)
    diag_.add(position_of(*low.node), low.label,
              "expected at most " + high.label + " (" + high.shown + "), got " +
                  describe(*low.node));
  else if (high.node)
    diag_.add(position_of(*high.node), high.label,
              "expected at least " + low.label + " (" + low.shown + "), got " +
                  describe(*high.node));
}

void config_parser::check_cross_key_limits(const toml::table& root) {
  const broker_settings& b = cfg_.broker;
  auto broker_node = [&](std::string_view key) { return root["broker"][key].node(); };

  if (b.advertised.empty()) {
    auto listen = parse_host_port(b.listen);
    if (listen && (listen->host == "0.0.0.0" || listen->host == "::"))
      diag_.add(position_of(*broker_node("listen")), "broker.listen",
                quoted(b.listen) + " listens on every interface; set broker.advertised to the "
                "HOST:PORT clients should connect to");
  }

  if (b.group_session_timeout_min_ms > b.group_session_timeout_max_ms)
    require_not_above({broker_node("group_session_timeout_min_ms"),
                       "broker.group_session_timeout_min_ms",
                       format_duration_ms(b.group_session_timeout_min_ms)},
                      {broker_node("group_session_timeout_max_ms"),
                       "broker.group_session_timeout_max_ms",
                       format_duration_ms(b.group_session_timeout_max_ms)});

  const bound max_request{broker_node("max_request_bytes"), "broker.max_request_bytes",
                          format_size(b.max_request_bytes)};
  if (b.max_request_bytes > b.max_buffered_bytes)
    require_not_above(max_request, {broker_node("max_buffered_bytes"), "broker.max_buffered_bytes",
                                    format_size(b.max_buffered_bytes)});

  if (b.max_connections > 0 && b.max_connections_per_ip > b.max_connections)
    require_not_above({broker_node("max_connections_per_ip"), "broker.max_connections_per_ip",
                       std::to_string(b.max_connections_per_ip)},
                      {broker_node("max_connections"), "broker.max_connections",
                       std::to_string(b.max_connections)});

  // A batch may be as large as max_message_bytes; the request carrying it must be allowed too.
  // Reported where max_message_bytes is written (once for topic_defaults, not again for every
  // topic inheriting it), else at max_request_bytes.
  const toml::node* defaults_node = root["topic_defaults"]["max_message_bytes"].node();
  std::set<const toml::node*> reported;
  auto check = [&](const topic_settings& t, const toml::node* own, const std::string& own_path) {
    if (t.log.max_batch_bytes <= b.max_request_bytes) return;
    bound message{own, own_path, format_size(t.log.max_batch_bytes)};
    if (!own) message = {defaults_node, "topic_defaults.max_message_bytes", message.shown};
    if (!message.node) message.label = "the built-in default of max_message_bytes";
    if (reported.insert(message.node ? message.node : max_request.node).second)
      require_not_above(message, max_request);
  };
  check(cfg_.topic_defaults, nullptr, "");
  for (size_t i = 0; i < cfg_.topics.size(); ++i)
    check(cfg_.topics[i].settings, topic_tables_[i]->get("max_message_bytes"),
          indexed("topic", i) + ".max_message_bytes");

  // min_compaction_lag_ms <= max_compaction_lag_ms (Kafka's LogConfig rule). A topic that sets
  // neither key inherits the pair from topic_defaults, where it is reported once.
  auto check_lags = [&](const topic_settings& t, const toml::table* own, std::string prefix) {
    if (t.log.min_compaction_lag_ms <= t.log.max_compaction_lag_ms) return;
    auto side = [&](std::string_view key, int64_t ms) {
      const toml::node* n = own ? own->get(key) : nullptr;
      std::string label = prefix + "." + std::string(key);
      if (!n) {
        n = root["topic_defaults"][key].node();
        label = "topic_defaults." + std::string(key);
      }
      return bound{n, label, format_duration_ms(ms)};
    };
    require_not_above(side("min_compaction_lag_ms", t.log.min_compaction_lag_ms),
                      side("max_compaction_lag_ms", t.log.max_compaction_lag_ms));
  };
  check_lags(cfg_.topic_defaults, nullptr, "topic_defaults");
  for (size_t i = 0; i < cfg_.topics.size(); ++i) {
    const toml::table* own = topic_tables_[i];
    if (own->get("min_compaction_lag_ms") || own->get("max_compaction_lag_ms"))
      check_lags(cfg_.topics[i].settings, own, indexed("topic", i));
  }
}

}  // namespace lkstream::config

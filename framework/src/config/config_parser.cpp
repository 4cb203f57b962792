#include "config_parser.hpp"

#include <algorithm>
#include <map>
#include <set>

namespace lkstream::config {

namespace {

bool contains(const std::vector<std::string_view>& v, std::string_view s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

std::string indexed(std::string_view name, size_t i) {
  return std::string(name) + "[" + std::to_string(i) + "]";
}

}  // namespace

template <class Settings>
void config_parser::read_keys(const toml::table& table, const std::string& path, section s,
                              std::span<const key_spec<Settings>> keys, Settings& out) {
  auto known = known_keys(s);
  for (const auto& [key, node] : table) {
    auto spec = std::find_if(keys.begin(), keys.end(),
                             [&](const auto& k) { return k.name == key.str(); });
    if (spec != keys.end()) {
      value_reader reader(diag_, node, join_path(path, key.str()));
      spec->read(reader, out);
    } else if (!contains(known, key.str())) {
      diag_.add(position_of(key), join_path(path, key.str()),
                unknown_key_message(s, key.str()));
    }  // else: a key the caller reads itself (a topic's name)
  }
}

const toml::table* config_parser::section_table(const toml::node& node, const std::string& path) {
  if (auto t = node.as_table()) return t;
  diag_.add(position_of(node), path,
            "expected a table ([" + path + "]), got " + describe(node));
  return nullptr;
}

result<config> config_parser::parse(const toml::table& root) {
  cfg_ = defaults();
  cfg_.source = diag_.source();
  auto root_keys = known_keys(section::root);
  for (const auto& [key, node] : root)
    if (!contains(root_keys, key.str()))
      diag_.add(position_of(key), join_path("", key.str()),
                unknown_key_message(section::root, key.str()));

  if (auto n = root.get("broker"))
    if (auto t = section_table(*n, "broker"))
      read_keys(*t, "broker", section::broker, broker_keys(), cfg_.broker);
  // Topics start from topic_defaults, so the defaults are read first whatever the file order.
  if (auto n = root.get("topic_defaults"))
    if (auto t = section_table(*n, "topic_defaults"))
      read_keys(*t, "topic_defaults", section::topic_defaults, topic_keys(), cfg_.topic_defaults);
  if (auto n = root.get("topic")) read_topics(*n);
  if (auto n = root.get("connector")) read_connectors(*n);

  // Limits between keys are checked only on otherwise valid values, so that one mistake is not
  // reported twice.
  if (diag_.empty()) check_cross_key_limits(root);
  if (!diag_.empty()) return diag_.to_error();
  return std::move(cfg_);
}

void config_parser::read_topics(const toml::node& node) {
  auto array = node.as_array();
  if (!array) {
    diag_.add(position_of(node), "topic",
              "expected an array of tables (a [[topic]] header per topic), got " +
                  describe(node));
    return;
  }
  std::map<std::string, std::pair<size_t, position>, std::less<>> seen;
  for (size_t i = 0; i < array->size(); ++i) {
    const toml::node& element = *array->get(i);
    std::string path = indexed("topic", i);
    auto table = element.as_table();
    if (!table) {
      diag_.add(position_of(element), path, "expected a table, got " + describe(element));
      continue;
    }
    topic_entry entry;
    entry.settings = cfg_.topic_defaults;
    if (auto name_node = table->get("name")) {
      value_reader reader(diag_, *name_node, path + ".name");
      if (auto name = reader.string()) {
        if (!is_valid_topic_name(*name)) {
          reader.fail("expected a topic name of 1..249 characters from [A-Za-z0-9._-], not \".\" "
                      "or \"..\", got " + describe(*name_node));
        } else if (auto it = seen.find(*name); it != seen.end()) {
          reader.fail("duplicate topic name " + quoted(*name) + ", first defined at " +
                      diag_.where(it->second.second) + " (" + indexed("topic", it->second.first) +
                      ")");
        } else {
          seen.emplace(*name, std::pair{i, position_of(*name_node)});
          entry.name = *name;
        }
      }
    } else {
      diag_.add(position_of(*table), path, "missing required key \"name\" (a string)");
    }
    read_keys(*table, path, section::topic, topic_keys(), entry.settings);
    cfg_.topics.push_back(std::move(entry));
    topic_tables_.push_back(table);
  }
}

void config_parser::read_connectors(const toml::node& node) {
  auto array = node.as_array();
  if (!array) {
    diag_.add(position_of(node), "connector",
              "expected an array of tables (a [[connector]] header per connector), got " +
                  describe(node));
    return;
  }
  auto known = known_keys(section::connector);
  std::map<std::string, std::pair<size_t, position>, std::less<>> seen;
  for (size_t i = 0; i < array->size(); ++i) {
    const toml::node& element = *array->get(i);
    std::string path = indexed("connector", i);
    auto table = element.as_table();
    if (!table) {
      diag_.add(position_of(element), path, "expected a table, got " + describe(element));
      continue;
    }
    connector_entry entry;
    entry.origin = diag_.where(position_of(*table));
    for (const auto& [key, value] : *table)
      if (!contains(known, key.str()))
        diag_.add(position_of(key), join_path(path, key.str()),
                  unknown_key_message(section::connector, key.str()));

    if (auto n = table->get("name")) {
      value_reader reader(diag_, *n, path + ".name");
      if (auto name = reader.string()) {
        if (!is_valid_connector_name(*name)) {
          reader.fail("expected a connector name of 1..249 characters from [A-Za-z0-9._-], "
                      "got " + describe(*n));
        } else if (auto it = seen.find(*name); it != seen.end()) {
          reader.fail("duplicate connector name " + quoted(*name) + ", first defined at " +
                      diag_.where(it->second.second) + " (" +
                      indexed("connector", it->second.first) + ")");
        } else {
          seen.emplace(*name, std::pair{i, position_of(*n)});
          entry.name = *name;
        }
      }
    } else {
      diag_.add(position_of(*table), path, "missing required key \"name\" (a string)");
    }

    if (auto n = table->get("plugin")) {
      value_reader reader(diag_, *n, path + ".plugin");
      if (auto plugin = reader.string()) {
        if (is_valid_plugin_name(*plugin))
          entry.plugin = *plugin;
        else
          reader.fail("expected a plugin name of 1..128 characters from [A-Za-z0-9_-] (it "
                      "names liblkstream_<plugin>.so), got " + describe(*n));
      }
    } else {
      diag_.add(position_of(*table), path, "missing required key \"plugin\" (a string)");
    }

    if (auto n = table->get("topics")) {
      value_reader reader(diag_, *n, path + ".topics");
      if (auto topics = reader.string_array()) {
        std::set<std::string_view> listed;
        for (size_t t = 0; t < topics->size(); ++t) {
          const std::string& topic = (*topics)[t];
          const toml::node& at = *n->as_array()->get(t);
          std::string topic_path = indexed(path + ".topics", t);
          if (!is_valid_topic_name(topic))
            diag_.add(position_of(at), topic_path,
                      "expected a topic name of 1..249 characters from [A-Za-z0-9._-], got " +
                          describe(at));
          else if (!listed.insert(topic).second)
            diag_.add(position_of(at), topic_path, "topic " + quoted(topic) + " is listed twice");
        }
        entry.topics = std::move(*topics);
      }
    }

    if (auto n = table->get("config")) read_connector_config(*n, path + ".config", entry);
    cfg_.connectors.push_back(std::move(entry));
  }
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
}

}  // namespace lkstream::config

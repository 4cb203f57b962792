#include "connector_command.hpp"

#include <chrono>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "kafka_admin_client.hpp"
#include "lkstream/config/config.hpp"
#include "lkstream/connector_host.hpp"
#include "lkstream/plugin_host/plugin_library.hpp"
#include "text_table.hpp"

namespace lkstream::app {

namespace {

// A status older than this (three publishing intervals) is stale.
constexpr int64_t stale_after_ms = 15000;
// Most status records read (the newest ones); the topic keeps an hour at most.
constexpr int64_t max_status_records = 200000;

int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

/// The latest status record per connector name, in name order.
result<std::map<std::string, connector_status>> read_statuses(kafka_admin_client& client) {
  const std::string topic(connector_status_topic);
  if (auto count = client.partition_count(topic); !count) {
    if (count.code() == errc::unknown_topic)
      return error{errc::not_found, "the server publishes no connector status (no topic " + topic +
                                        "): it runs no [[connector]], or none that "
                                        "could be loaded (see its log)"};
    return count.err();
  }
  auto range = client.offsets(topic, 0);
  if (!range) return range.err();
  std::map<std::string, connector_status> latest;
  const int64_t from = std::max(range->start, range->end - max_status_records);
  if (from >= range->end) return latest;
  rd_kafka_t* rk = client.handle();
  auto* parts = rd_kafka_topic_partition_list_new(1);
  rd_kafka_topic_partition_list_add(parts, topic.c_str(), 0)->offset = from;
  rd_kafka_resp_err_t err = rd_kafka_assign(rk, parts);
  rd_kafka_topic_partition_list_destroy(parts);
  if (err) return error{errc::io_error, "reading " + topic + ": " + kafka_error_text(err)};
  const auto deadline = std::chrono::steady_clock::now() + client.options().timeout;
  int64_t next = from;
  while (next < range->end) {
    if (std::chrono::steady_clock::now() >= deadline)
      return error{errc::timeout, "reading " + topic + ": stopped at offset " +
                                      std::to_string(next) + " of " + std::to_string(range->end) +
                                      " (timeout)"};
    rd_kafka_message_t* m = rd_kafka_consumer_poll(rk, 200);
    if (!m) continue;
    if (m->err) {
      const auto e = m->err;
      rd_kafka_message_destroy(m);
      if (e == RD_KAFKA_RESP_ERR__PARTITION_EOF) continue;
      return error{errc::io_error, "reading " + topic + ": " + kafka_error_text(e)};
    }
    next = m->offset + 1;
    if (m->payload) {
      auto st = connector_status_from_json(
          std::string_view(static_cast<const char*>(m->payload), m->len));
      if (st) latest[st->name] = std::move(*st);  // a malformed record is skipped
    }
    rd_kafka_message_destroy(m);
  }
  (void)rd_kafka_assign(rk, nullptr);
  return latest;
}

handle_options status_reader() {
  handle_options how;
  how.type = RD_KAFKA_CONSUMER;
  how.properties = {{"group.id", "lkstream-cli-connector-status"},
                    {"enable.auto.commit", "false"},
                    {"enable.auto.offset.store", "false"},
                    {"enable.partition.eof", "false"}};
  return how;
}

std::string age_text(const connector_status& s) {
  if (s.published_ms <= 0) return "-";
  const int64_t age = std::max<int64_t>(0, now_ms() - s.published_ms);
  return std::to_string(age / 1000) + "s ago";
}

bool stale(const connector_status& s) {
  return now_ms() - s.published_ms > stale_after_ms;
}

std::string state_text(const connector_status& s) {
  std::string t(to_string(s.state));
  if (!s.condition.empty()) t += " (degraded)";
  if (stale(s)) t += " (stale)";
  return t;
}

/// Reads the statuses (all, or the one named by the first positional argument).
std::optional<std::vector<connector_status>> load(const parsed_args& args, int& rc) {
  auto client = connect_admin(args, rc, status_reader());
  if (!client) return std::nullopt;
  auto statuses = read_statuses(*client);
  if (!statuses) {
    rc = args.failure(statuses.err().message);
    return std::nullopt;
  }
  std::vector<connector_status> out;
  if (!args.positional.empty()) {
    auto it = statuses->find(args.positional[0]);
    if (it == statuses->end()) {
      std::string known;
      for (auto& [name, _] : *statuses) known += (known.empty() ? "" : ", ") + name;
      rc = args.failure("no connector named '" + args.positional[0] +
                        "' (the server has: " + (known.empty() ? "none" : known) + ")");
      return std::nullopt;
    }
    out.push_back(it->second);
    return out;
  }
  for (auto& [_, st] : *statuses) out.push_back(std::move(st));
  return out;
}

int print_json(const std::vector<connector_status>& statuses) {
  std::string out = "[";
  for (size_t i = 0; i < statuses.size(); ++i) out += (i ? "," : "") + to_json(statuses[i]);
  std::cout << out << "]" << std::endl;
  return exit_ok;
}

int run_list(const parsed_args& args) {
  int rc = exit_failure;
  auto statuses = load(args, rc);
  if (!statuses) return rc;
  if (args.has("json")) return print_json(*statuses);
  text_table table({"NAME", "PLUGIN", "KIND", "STATE", "RECORDS", "LAG", "UPDATED"});
  for (auto& s : *statuses)
    table.add_row({s.name, s.plugin, s.kind.empty() ? "-" : s.kind, state_text(s),
                   std::to_string(s.records), std::to_string(s.lag()), age_text(s)});
  table.print(std::cout);
  std::cout << std::flush;
  return exit_ok;
}

int run_status(const parsed_args& args) {
  int rc = exit_failure;
  auto statuses = load(args, rc);
  if (!statuses) return rc;
  if (args.has("json")) return print_json(*statuses);
  for (auto& s : *statuses) {
    std::cout << "connector " << s.name << " (" << s.plugin << (s.kind.empty() ? "" : ", " + s.kind)
              << "): " << to_string(s.state) << "\n";
    if (!s.condition.empty()) std::cout << "  condition:  " << s.condition << "\n";
    std::cout << "  records:    " << s.records
              << (s.kind == "source" ? " stored"
                  : s.kind == "sink" ? " committed"
                                     : "")
              << ", lag " << s.lag();
    if (s.kind == "source") std::cout << " (in flight)";
    std::cout << "\n";
    for (auto& p : s.partitions)
      std::cout << "  position:   " << p.tp.topic << "-" << p.tp.partition.value() << " at "
                << p.position << ", committed " << p.committed << ", end " << p.end_offset
                << ", lag " << uncommitted(p) << "\n";
    std::cout << "  restarts:   " << s.restarts;
    if (s.state == connector_state::backing_off)
      std::cout << " (next attempt within " << s.backoff_ms << " ms)";
    std::cout << "\n";
    if (!s.last_error.empty()) std::cout << "  last error: " << s.last_error << "\n";
    if (s.state == connector_state::failed)
      std::cout << "  not restarted: the error is permanent (see what to do above); fix it, "
                   "then restart lkstream serve\n";
    else if (s.state == connector_state::backing_off)
      std::cout << "  transient: restarted automatically after the backoff\n";
    if (!s.library.empty()) std::cout << "  library:    " << s.library << "\n";
    if (!s.origin.empty()) std::cout << "  declared:   " << s.origin << "\n";
    std::cout << "  updated:    " << age_text(s);
    if (stale(s)) std::cout << " (stale: is the server still running?)";
    std::cout << "\n";
  }
  std::cout << std::flush;
  return exit_ok;
}

std::vector<std::string> split_dirs(const std::string& text) {
  std::vector<std::string> out;
  std::stringstream ss(text);
  std::string dir;
  while (std::getline(ss, dir, ','))
    if (!dir.empty()) out.push_back(dir);
  return out;
}

int run_describe(const parsed_args& args) {
  config::broker_settings broker;
  if (auto path = args.get("config")) {
    auto cfg = config::load_file(*path);
    if (!cfg) return args.failure("cannot load configuration " + *path + ":\n" + cfg.err().message);
    broker = cfg->broker;
  }
  if (auto dirs = args.get("plugin-dir")) {
    auto extra = split_dirs(*dirs);
    broker.plugin_dirs.insert(broker.plugin_dirs.begin(), extra.begin(), extra.end());
  }
  const std::string& plugin = args.positional[0];
  auto lib = plugin_host::plugin_library::load(plugin, plugin_host::plugin_search_path(broker));
  if (!lib) return args.failure(lib.err().message);
  const lks_connector& d = (*lib)->descriptor();
  std::string kind(plugin_host::to_string((*lib)->kind()));
  if ((*lib)->kind() == LKS_KIND_BY_CONFIG)
    kind += std::string(" (") + d.kind_key + " = \"" + d.source_value +
            "\" makes it a source, any other value a sink)";
  if (args.has("json")) {
    auto fields = nlohmann::json::array();
    for (auto& f : (*lib)->schema().fields())
      fields.push_back(
          {{"key", f.key},
           {"type", std::string(plugin_host::to_string(f.type))},
           {"required", f.required},
           {"default", f.default_value ? nlohmann::json(*f.default_value) : nlohmann::json()},
           {"choices", f.choices},
           {"description", f.description}});
    nlohmann::json j{{"name", d.name},
                     {"version", d.version ? d.version : ""},
                     {"kind", kind},
                     {"description", d.description ? d.description : ""},
                     {"library", (*lib)->path()},
                     {"config", fields}};
    std::cout << j.dump(2) << std::endl;
    return exit_ok;
  }
  std::cout << d.name << " " << (d.version ? d.version : "") << ": "
            << (d.description ? d.description : "") << "\n"
            << "kind:    " << kind << "\n"
            << "library: " << (*lib)->path() << "\n\n";
  if ((*lib)->schema().fields().empty()) {
    std::cout << "It takes no [connector.config] keys.\n" << std::flush;
    return exit_ok;
  }
  std::cout << "[connector.config] keys:\n";
  text_table table({"KEY", "TYPE", "DEFAULT", "DESCRIPTION"});
  for (auto& f : (*lib)->schema().fields()) {
    std::string type(plugin_host::to_string(f.type));
    if (f.type == LKS_CONFIG_ENUM) {
      type.clear();
      for (auto& c : f.choices) type += (type.empty() ? "" : "|") + c;
    }
    const std::string def = f.required ? "(required)"
                            : f.default_value
                                ? (f.default_value->empty() ? "\"\"" : *f.default_value)
                                : "-";
    table.add_row({f.key, type, def, f.description});
  }
  table.print(std::cout);
  std::cout << std::flush;
  return exit_ok;
}

}  // namespace

command_spec connector_command() {
  command_spec list{
      .name = "list",
      .summary = "list the connectors of a running server with state, records and lag",
      .synopsis = "connector list [--json] [--bootstrap HOST:PORT]",
      .description = {},
      .flags = connection_flags({{"json", "", "print a JSON array of status objects"}}),
      .max_positional = 0,
      .run = run_list,
  };
  command_spec status{
      .name = "status",
      .summary = "show state, condition, position, lag and last error of connectors",
      .synopsis = "connector status [NAME] [--json] [--bootstrap HOST:PORT]",
      .description =
          "Every connector of the server, or the one called NAME. The server "
          "publishes each connector's status to the topic __lkstream_connectors on "
          "every change and every 5 s; a status older than 15 s is marked stale.",
      .flags = connection_flags({{"json", "", "print a JSON array of status objects"}}),
      .max_positional = 1,
      .run = run_status,
  };
  command_spec describe{
      .name = "describe",
      .summary = "load a connector plugin here and print its config schema",
      .synopsis =
          "connector describe PLUGIN [--plugin-dir DIR[,DIR...]] [--config FILE] "
          "[--json]",
      .description =
          "Finds liblkstream_PLUGIN.so like `serve` does (--plugin-dir, then "
          "broker.plugin_dirs of --config, then the installed and the build's own connectors), "
          "checks it as the server would, and prints its kind and [connector.config] keys.",
      .flags = {{"plugin-dir", "DIR[,DIR...]", "directories searched first"},
                {"config", "FILE", "use broker.plugin_dirs of this configuration"},
                {"json", "", "print one JSON object"}},
      .max_positional = 1,
      .run = run_describe,
      .subcommands = {},
      .min_positional = 1,
  };
  return {
      .name = "connector",
      .summary = "show the connectors of a running server; describe a connector plugin",
      .synopsis = "connector <list|status|describe> [flags]",
      .description =
          "list and status talk to a running `lkstream serve` over the Kafka "
          "protocol (--bootstrap HOST:PORT, default 127.0.0.1:9092); describe loads "
          "a plugin locally.",
      .flags = {},
      .max_positional = 0,
      .run = {},
      .subcommands = {std::move(list), std::move(status), std::move(describe)},
  };
}

}  // namespace lkstream::app

#include "topic_command.hpp"

#include <cstdint>
#include <iostream>
#include <nlohmann/json.hpp>

#include "kafka_admin_client.hpp"
#include "text_table.hpp"

namespace lkstream::app {

namespace {

/// "k=v,k2=v2" -> pairs; usage error text otherwise.
result<std::vector<std::pair<std::string, std::string>>> parse_configs(std::string_view text) {
  std::vector<std::pair<std::string, std::string>> out;
  while (!text.empty()) {
    auto comma = text.find(',');
    std::string_view item = text.substr(0, comma);
    text = comma == std::string_view::npos ? std::string_view{} : text.substr(comma + 1);
    auto eq = item.find('=');
    if (eq == std::string_view::npos || eq == 0 || eq + 1 == item.size())
      return error{errc::invalid_argument, "invalid --config item '" + std::string(item) +
                                               "': expected KEY=VALUE (e.g. retention.ms=3600000)"};
    out.emplace_back(item.substr(0, eq), item.substr(eq + 1));
  }
  return out;
}

int run_create(const parsed_args& args) {
  auto partitions = args.get_int("partitions", 1, 10000);
  if (!partitions) return args.usage_error(partitions.err().message);
  std::vector<std::pair<std::string, std::string>> configs;
  if (auto c = args.get("config")) {
    auto parsed = parse_configs(*c);
    if (!parsed) return args.usage_error(parsed.err().message);
    configs = std::move(*parsed);
  }
  int rc = exit_failure;
  auto client = connect_admin(args, rc);
  if (!client) return rc;
  const std::string& topic = args.positional[0];
  auto n = partitions->value_or(-1);
  if (auto st = client->create_topic(topic, static_cast<int32_t>(n), configs); !st)
    return args.failure(st.err().message);
  auto count = client->partition_count(topic);
  std::cout << "created topic " << topic;
  if (count) std::cout << " with " << *count << (*count == 1 ? " partition" : " partitions");
  std::cout << std::endl;
  return exit_ok;
}

int run_list(const parsed_args& args) {
  int rc = exit_failure;
  auto client = connect_admin(args, rc);
  if (!client) return rc;
  auto topics = client->list_topics();
  if (!topics) return args.failure(topics.err().message);
  if (args.has("exclude-internal"))  // the only internal topic served is Kafka's offsets view
    std::erase_if(*topics, [](const topic_listing& t) { return t.name == "__consumer_offsets"; });
  if (args.has("json")) {
    auto out = nlohmann::json::array();
    for (auto& t : *topics) out.push_back({{"name", t.name}, {"partitions", t.partitions}});
    std::cout << out.dump() << std::endl;
    return exit_ok;
  }
  text_table table({"NAME", "PARTITIONS"});
  for (auto& t : *topics) table.add_row({t.name, std::to_string(t.partitions)});
  table.print(std::cout);
  return exit_ok;
}

int run_describe(const parsed_args& args) {
  int rc = exit_failure;
  auto client = connect_admin(args, rc);
  if (!client) return rc;
  const std::string& topic = args.positional[0];
  auto count = client->partition_count(topic);
  if (!count) return args.failure(count.err().message);
  std::vector<partition_offsets> parts;
  for (int32_t p = 0; p < *count; ++p) {
    auto o = client->offsets(topic, p);
    if (!o) return args.failure(o.err().message);
    parts.push_back(*o);
  }
  auto configs = client->topic_configs(topic);
  if (!configs) return args.failure(configs.err().message);
  if (args.has("json")) {
    nlohmann::json out{{"name", topic},
                       {"partitions", nlohmann::json::array()},
                       {"configs", nlohmann::json::object()}};
    for (auto& p : parts)
      out["partitions"].push_back({{"partition", p.partition}, {"start", p.start}, {"end", p.end}});
    for (auto& c : *configs) out["configs"][c.name] = c.value;
    std::cout << out.dump() << std::endl;
    return exit_ok;
  }
  std::cout << "NAME        " << topic << "\nPARTITIONS  " << *count << "\n\n";
  text_table offsets({"PARTITION", "START-OFFSET", "END-OFFSET", "RECORDS"});
  for (auto& p : parts)
    offsets.add_row({std::to_string(p.partition), std::to_string(p.start), std::to_string(p.end),
                     std::to_string(p.end - p.start)});
  offsets.print(std::cout);
  std::cout << "\n";
  text_table cfg({"CONFIG", "VALUE", "SOURCE"});
  for (auto& c : *configs) cfg.add_row({c.name, c.value, c.is_default ? "default" : "topic"});
  cfg.print(std::cout);
  std::cout << std::flush;
  return exit_ok;
}

int run_delete(const parsed_args& args) {
  int rc = exit_failure;
  auto client = connect_admin(args, rc);
  if (!client) return rc;
  const std::string& topic = args.positional[0];
  if (auto st = client->delete_topic(topic); !st) return args.failure(st.err().message);
  std::cout << "deleted topic " << topic << std::endl;
  return exit_ok;
}

int run_alter_config(const parsed_args& args) {
  std::vector<std::pair<std::string, std::string>> set;
  std::vector<std::string> reset;
  if (auto c = args.get("set")) {
    auto parsed = parse_configs(*c);
    if (!parsed) return args.usage_error(parsed.err().message);
    set = std::move(*parsed);
  }
  if (auto r = args.get("reset")) {
    std::string_view text = *r;
    while (!text.empty()) {
      auto comma = text.find(',');
      auto name = text.substr(0, comma);
      if (name.empty()) return args.usage_error("invalid --reset: empty config name");
      reset.emplace_back(name);
      text = comma == std::string_view::npos ? std::string_view{} : text.substr(comma + 1);
    }
  }
  if (set.empty() && reset.empty())
    return args.usage_error("nothing to change: give --set KEY=VALUE,... and/or --reset KEY,...");
  int rc = exit_failure;
  auto client = connect_admin(args, rc);
  if (!client) return rc;
  const std::string& topic = args.positional[0];
  if (auto st = client->alter_topic_configs(topic, set, reset); !st)
    return args.failure(st.err().message);
  std::cout << "changed the configuration of topic " << topic << std::endl;
  return exit_ok;
}

int run_add_partitions(const parsed_args& args) {
  auto partitions = args.get_int("partitions", 1, 10000);
  if (!partitions) return args.usage_error(partitions.err().message);
  if (!*partitions) return args.usage_error("--partitions N is required (the new total)");
  int rc = exit_failure;
  auto client = connect_admin(args, rc);
  if (!client) return rc;
  const std::string& topic = args.positional[0];
  auto n = static_cast<int32_t>(**partitions);
  if (auto st = client->add_partitions(topic, n); !st) return args.failure(st.err().message);
  std::cout << "topic " << topic << " now has " << n << " partitions" << std::endl;
  return exit_ok;
}

int run_trim(const parsed_args& args) {
  auto partition = args.get_int("partition", 0, INT32_MAX);
  if (!partition) return args.usage_error(partition.err().message);
  auto before = args.get_int("before", 0, INT64_MAX);
  if (!before) return args.usage_error(before.err().message);
  if (!*before && !args.has("all"))
    return args.usage_error("give --before OFFSET, or --all to delete everything there is");
  if (*before && args.has("all")) return args.usage_error("--before and --all exclude each other");
  int rc = exit_failure;
  auto client = connect_admin(args, rc);
  if (!client) return rc;
  const std::string& topic = args.positional[0];
  auto count = client->partition_count(topic);
  if (!count) return args.failure(count.err().message);
  std::vector<int32_t> parts;
  if (*partition) {
    if (**partition >= *count)
      return args.failure("topic '" + topic + "' has no partition " +
                          std::to_string(**partition) + " (it has " + std::to_string(*count) +
                          ")");
    parts.push_back(static_cast<int32_t>(**partition));
  } else {
    for (int32_t p = 0; p < *count; ++p) parts.push_back(p);
  }
  for (int32_t p : parts) {
    auto start = client->delete_records(topic, p, *before ? **before : -1);
    if (!start) return args.failure(start.err().message);
    std::cout << topic << "[" << p << "] now starts at offset " << *start << std::endl;
  }
  return exit_ok;
}

}  // namespace

command_spec topic_command() {
  command_spec create{
      .name = "create",
      .summary = "create a topic",
      .synopsis =
          "topic create TOPIC [--partitions N] [--config KEY=VALUE[,KEY=VALUE]...] "
          "[--bootstrap HOST:PORT]",
      .description =
          "Creates TOPIC with N partitions (default: the server's topic_defaults). "
          "--config takes Kafka topic configs, e.g. retention.ms=3600000.",
      .flags = connection_flags({{"partitions", "N", "number of partitions, 1..10000"},
                                 {"config", "KEY=VALUE,...", "topic configs (Kafka names)"}}),
      .max_positional = 1,
      .run = run_create,
      .subcommands = {},
      .min_positional = 1,
  };
  command_spec list{
      .name = "list",
      .summary = "list topics with their partition counts",
      .synopsis = "topic list [--json] [--exclude-internal] [--bootstrap HOST:PORT]",
      .description = {},
      .flags = connection_flags(
          {{"json", "", "print a JSON array instead of a table"},
           {"exclude-internal", "", "leave out the internal topic __consumer_offsets"}}),
      .max_positional = 0,
      .run = run_list,
  };
  command_spec describe{
      .name = "describe",
      .summary = "show a topic's partitions (start/end offsets) and configuration",
      .synopsis = "topic describe TOPIC [--json] [--bootstrap HOST:PORT]",
      .description =
          "Start and end offsets come from ListOffsets (earliest, latest); RECORDS "
          "is their difference. Configuration from DescribeConfigs.",
      .flags = connection_flags({{"json", "", "print one JSON object instead of tables"}}),
      .max_positional = 1,
      .run = run_describe,
      .subcommands = {},
      .min_positional = 1,
  };
  command_spec remove{
      .name = "delete",
      .summary = "delete a topic and its data",
      .synopsis = "topic delete TOPIC [--bootstrap HOST:PORT]",
      .description = {},
      .flags = connection_flags({}),
      .max_positional = 1,
      .run = run_delete,
      .subcommands = {},
      .min_positional = 1,
  };
  command_spec alter_config{
      .name = "alter-config",
      .summary = "change a topic's configuration",
      .synopsis =
          "topic alter-config TOPIC [--set KEY=VALUE[,KEY=VALUE]...] [--reset KEY[,KEY]...] "
          "[--bootstrap HOST:PORT]",
      .description =
          "Sets Kafka topic configs (e.g. retention.ms=3600000, cleanup.policy=compact) and "
          "resets others to the server's defaults; configs not named keep their values. "
          "The server stores them, so they survive its restart.",
      .flags = connection_flags({{"set", "KEY=VALUE,...", "configs to set (Kafka names)"},
                                 {"reset", "KEY,...", "configs to return to the default"}}),
      .max_positional = 1,
      .run = run_alter_config,
      .subcommands = {},
      .min_positional = 1,
  };
  command_spec add_partitions{
      .name = "add-partitions",
      .summary = "grow a topic to more partitions",
      .synopsis = "topic add-partitions TOPIC --partitions N [--bootstrap HOST:PORT]",
      .description =
          "Grows TOPIC to N partitions in all (never fewer: records keep their partition). "
          "Producers spread keys over the new count; consumer groups rebalance.",
      .flags = connection_flags({{"partitions", "N", "the new total, 1..10000"}}),
      .max_positional = 1,
      .run = run_add_partitions,
      .subcommands = {},
      .min_positional = 1,
  };
  command_spec trim{
      .name = "trim",
      .summary = "delete a topic's oldest records (move its start offset)",
      .synopsis =
          "topic trim TOPIC (--before OFFSET | --all) [--partition P] [--bootstrap HOST:PORT]",
      .description =
          "Deletes the records below OFFSET (--all: every record there is) in partition P, "
          "or in every partition (Kafka's DeleteRecords). The new start offset is durable; "
          "consumers positioned below it move by their auto.offset.reset policy.",
      .flags = connection_flags({{"before", "OFFSET", "the first offset to keep"},
                                 {"all", "", "delete up to the end of each partition"},
                                 {"partition", "P", "only partition P"}}),
      .max_positional = 1,
      .run = run_trim,
      .subcommands = {},
      .min_positional = 1,
  };
  return {
      .name = "topic",
      .summary = "create, list, describe, change, trim and delete topics on a running server",
      .synopsis = "topic <create|list|describe|alter-config|add-partitions|trim|delete> [flags]",
      .description =
          "Talks to a running `lkstream serve` over the Kafka protocol "
          "(--bootstrap HOST:PORT, default 127.0.0.1:9092).",
      .flags = {},
      .max_positional = 0,
      .run = {},
      .subcommands = {std::move(create), std::move(list), std::move(describe),
                      std::move(alter_config), std::move(add_partitions), std::move(trim),
                      std::move(remove)},
  };
}

}  // namespace lkstream::app

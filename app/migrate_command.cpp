#include "migrate_command.hpp"

#include <algorithm>
#include <chrono>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "kafka_admin_client.hpp"
#include "lkstream/config/units.hpp"
#include "text_table.hpp"

namespace lkstream::app {

namespace {

constexpr const char* default_map_topic = "lkstream.offset-map";

/// The pairs of one source partition in the order the bridge wrote them, reduced so that a
/// later pair replaces every earlier one at or above its source offset (a later instance
/// resent those records at new target offsets). Sorted by source offset.
using pair_map = std::map<int64_t, int64_t>;  // source offset -> target offset

struct mapped_partition {
  std::string target_topic;
  int32_t target_partition = 0;
  pair_map pairs;
};

using offset_map = std::map<topic_partition, mapped_partition>;  // by source partition

/// Reads the whole map topic (one partition) from the cluster.
result<offset_map> read_offset_map(const connection_options& to, const std::string& topic) {
  handle_options how;
  how.type = RD_KAFKA_CONSUMER;
  how.properties = {{"group.id", "lkstream-cli-migrate"},
                    {"enable.auto.commit", "false"},
                    {"enable.auto.offset.store", "false"},
                    {"enable.partition.eof", "false"}};
  auto client = kafka_admin_client::connect(to, how);
  if (!client) return client.err();
  auto count = client->partition_count(topic);
  if (!count) {
    if (count.code() == errc::unknown_topic)
      return error{errc::not_found,
                   "the cluster at " + to.bootstrap + " has no offset map topic " + topic +
                       ": no kafka_bridge (direction out) has mirrored to it yet, or it uses "
                       "another offset_map_topic (give it with --map-topic)"};
    return count.err();
  }
  offset_map out;
  for (int32_t p = 0; p < *count; ++p) {
    auto range = client->offsets(topic, p);
    if (!range) return range.err();
    if (range->start >= range->end) continue;
    rd_kafka_t* rk = client->handle();
    auto* parts = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(parts, topic.c_str(), p)->offset = range->start;
    rd_kafka_resp_err_t err = rd_kafka_assign(rk, parts);
    rd_kafka_topic_partition_list_destroy(parts);
    if (err) return error{errc::io_error, "reading " + topic + ": " + kafka_error_text(err)};
    const auto deadline = std::chrono::steady_clock::now() + to.timeout * 6;
    int64_t next = range->start;
    while (next < range->end) {
      if (std::chrono::steady_clock::now() >= deadline)
        return error{errc::timeout, "reading " + topic + ": stopped at offset " +
                                        std::to_string(next) + " of " +
                                        std::to_string(range->end)};
      rd_kafka_message_t* m = rd_kafka_consumer_poll(rk, 200);
      if (!m) continue;
      if (m->err) {
        const auto e = m->err;
        rd_kafka_message_destroy(m);
        return error{errc::io_error, "reading " + topic + ": " + kafka_error_text(e)};
      }
      next = m->offset + 1;
      auto j = m->payload ? nlohmann::json::parse(static_cast<const char*>(m->payload),
                                                  static_cast<const char*>(m->payload) + m->len,
                                                  nullptr, false)
                          : nlohmann::json();
      rd_kafka_message_destroy(m);
      if (!j.is_object() || !j.contains("source_topic") || !j.contains("source_offset"))
        continue;  // not a mapping record
      topic_partition src{j.value("source_topic", ""), j.value("source_partition", 0)};
      auto& mp = out[src];
      mp.target_topic = j.value("target_topic", "");
      mp.target_partition = j.value("target_partition", 0);
      const int64_t s = j.value("source_offset", int64_t{-1});
      const int64_t t = j.value("target_offset", int64_t{-1});
      if (s < 0 || t < 0) continue;
      mp.pairs.erase(mp.pairs.lower_bound(s), mp.pairs.end());
      mp.pairs[s] = t;
    }
    (void)rd_kafka_assign(rk, nullptr);
  }
  return out;
}

struct translated {
  std::string target_topic;
  int32_t target_partition = 0;
  int64_t offset = -1;
  std::string note;
};

/// x through the pairs, clamped to the target's end offset.
translated translate(const mapped_partition& mp, int64_t x, int64_t target_end) {
  translated r{mp.target_topic, mp.target_partition, -1, ""};
  auto it = mp.pairs.upper_bound(x);
  if (it == mp.pairs.begin()) {
    r.offset = it->second;
    r.note = "before the first mirrored record";
  } else {
    --it;
    r.offset = it->second + (x - it->first);
  }
  if (r.offset > target_end) {
    r.note = "ahead of the mirror (end " + std::to_string(target_end) + "): clamped";
    r.offset = target_end;
  }
  return r;
}

std::vector<std::string> split_list(const std::string& text) {
  std::vector<std::string> out;
  std::stringstream ss(text);
  for (std::string item; std::getline(ss, item, ',');)
    if (!item.empty()) out.push_back(item);
  return out;
}

/// One pass over the chosen groups; prints a table (or JSON) and returns the exit code.
int migrate_once(const parsed_args& args, const connection_options& from,
                 const connection_options& to, const std::string& map_topic) {
  auto source = kafka_admin_client::connect(from);
  if (!source) return args.failure(source.err().message);
  auto target = kafka_admin_client::connect(to);
  if (!target) return args.failure(target.err().message);
  auto map = read_offset_map(to, map_topic);
  if (!map) return args.failure(map.err().message);

  std::vector<std::string> groups;
  if (auto g = args.get("group")) {
    groups = split_list(*g);
  } else {
    auto listed = source->list_groups();
    if (!listed) return args.failure(listed.err().message);
    for (auto& g : *listed)
      if (g.group_id.rfind("connector.", 0) != 0 && g.group_id.rfind("lkstream-cli", 0) != 0)
        groups.push_back(g.group_id);  // connectors' own groups stay
  }
  int rc = exit_ok;
  auto out = nlohmann::json::array();
  text_table table({"GROUP", "TOPIC", "PARTITION", "LKSTREAM", "KAFKA-TOPIC", "KAFKA", "NOTE"});
  for (auto& group : groups) {
    auto committed = source->committed(group);
    if (!committed) {
      std::cerr << args.program << ": group " << group << ": " << committed.err().message << "\n";
      rc = exit_failure;
      continue;
    }
    if (committed->empty()) {
      std::cerr << args.program << ": group " << group << " has no committed offsets on "
                << from.bootstrap << "\n";
      if (args.has("group")) rc = exit_failure;
      continue;
    }
    committed_offsets translated_offsets;
    for (auto& [tp, x] : *committed) {
      auto it = map->find(tp);
      nlohmann::json row{{"group", group}, {"topic", tp.topic}, {"partition", tp.partition},
                         {"lkstream_offset", x}};
      if (it == map->end() || it->second.pairs.empty()) {
        table.add_row({group, tp.topic, std::to_string(tp.partition), std::to_string(x), "-",
                       "-", "not mirrored (no offset map): skipped"});
        row["note"] = "not mirrored";
        out.push_back(row);
        continue;
      }
      auto end = target->offsets(it->second.target_topic, it->second.target_partition);
      if (!end) return args.failure(end.err().message);
      auto t = translate(it->second, x, end->end);
      translated_offsets[{t.target_topic, t.target_partition}] = t.offset;
      table.add_row({group, tp.topic, std::to_string(tp.partition), std::to_string(x),
                     t.target_topic + "-" + std::to_string(t.target_partition),
                     std::to_string(t.offset), t.note});
      row["kafka_topic"] = t.target_topic;
      row["kafka_partition"] = t.target_partition;
      row["kafka_offset"] = t.offset;
      row["note"] = t.note;
      out.push_back(row);
    }
    if (translated_offsets.empty() || args.has("dry-run")) continue;
    auto desc = target->describe_group(group);
    if (desc && !desc->members.empty()) {
      std::cerr << args.program << ": group " << group << " is active on " << to.bootstrap
                << " (" << desc->members.size()
                << " members): left alone (its consumers moved already)\n";
      continue;
    }
    if (auto st = target->commit(group, translated_offsets); !st) {
      std::cerr << args.program << ": group " << group << ": committing on " << to.bootstrap
                << " failed: " << st.err().message << "\n";
      rc = exit_failure;
    }
  }
  if (args.has("json")) {
    std::cout << out.dump() << std::endl;
  } else {
    table.print(std::cout);
    std::cout << (args.has("dry-run") ? "dry run: nothing committed"
                                      : "migrated to " + to.bootstrap)
              << std::endl;
  }
  return rc;
}

int run_groups(const parsed_args& args) {
  auto from = connection_options_from(args);
  if (!from) return args.usage_error(from.err().message);
  auto to_bootstrap = args.get("to");
  if (!to_bootstrap || to_bootstrap->empty())
    return args.usage_error("--to BOOTSTRAP (the Kafka/Redpanda cluster) is required");
  connection_options to = *from;
  to.bootstrap = *to_bootstrap;
  const std::string map_topic = args.get("map-topic").value_or(default_map_topic);
  std::optional<int64_t> every_ms;
  if (auto every = args.get("every")) {
    auto ms = config::parse_duration_ms(*every);
    if (!ms || *ms <= 0)
      return args.usage_error("--every: expected a duration like 10s, got " + *every);
    every_ms = *ms;
  }
  for (;;) {
    const int rc = migrate_once(args, *from, to, map_topic);
    if (!every_ms) return rc;
    std::cout << std::flush;
    std::this_thread::sleep_for(std::chrono::milliseconds(*every_ms));
  }
}

}  // namespace

command_spec migrate_command() {
  command_spec groups{
      .name = "groups",
      .summary = "carry consumer-group offsets to the cluster a kafka_bridge mirrors to",
      .synopsis =
          "migrate groups --to BOOTSTRAP [--group G,G...] [--map-topic T] [--every DURATION] "
          "[--dry-run] [--json] [--bootstrap HOST:PORT]",
      .description =
          "Translates every committed offset of the groups (default: all but the "
          "connectors' own) through the bridge's offset map on the cluster and commits "
          "the results there, so that consumers switched to the cluster resume where they "
          "were (docs/migration.md). A group with members on the cluster is left alone. "
          "--every repeats it until interrupted.",
      .flags = connection_flags({{"to", "BOOTSTRAP", "the Kafka/Redpanda cluster (required)"},
                                 {"group", "G,G...", "only these groups"},
                                 {"map-topic", "T", "the bridge's offset_map_topic"},
                                 {"every", "DURATION", "repeat every DURATION (continuous)"},
                                 {"dry-run", "", "print the translation without committing"},
                                 {"json", "", "print a JSON array instead of a table"}}),
      .max_positional = 0,
      .run = run_groups,
  };
  return {
      .name = "migrate",
      .summary = "move consumer groups from this server to Kafka/Redpanda",
      .synopsis = "migrate groups --to BOOTSTRAP [flags]",
      .description =
          "Talks to a running `lkstream serve` (--bootstrap) and to the cluster a "
          "kafka_bridge (direction out) mirrors to (--to).",
      .flags = {},
      .max_positional = 0,
      .run = {},
      .subcommands = {std::move(groups)},
  };
}

}  // namespace lkstream::app

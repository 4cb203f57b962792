#include "group_command.hpp"

#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "kafka_admin_client.hpp"
#include "text_table.hpp"

namespace lkstream::app {

namespace {

std::string offset_text(std::optional<int64_t> o) {
  return o ? std::to_string(*o) : "-";
}

int run_list(const parsed_args& args) {
  int rc = exit_failure;
  auto client = connect_admin(args, rc);
  if (!client) return rc;
  auto groups = client->list_groups();
  if (!groups) return args.failure(groups.err().message);
  // ListGroups v0-2 carry no state: DescribeGroups has it, and the member count.
  std::vector<size_t> members(groups->size(), 0);
  for (size_t i = 0; i < groups->size(); ++i) {
    auto& g = (*groups)[i];
    auto d = client->describe_group(g.group_id);
    if (!d) continue;  // gone since the listing
    g.state = d->state;
    members[i] = d->members.size();
  }
  if (args.has("json")) {
    auto out = nlohmann::json::array();
    for (size_t i = 0; i < groups->size(); ++i)
      out.push_back({{"group", (*groups)[i].group_id},
                     {"state", (*groups)[i].state},
                     {"members", members[i]}});
    std::cout << out.dump() << std::endl;
    return exit_ok;
  }
  text_table table({"GROUP", "STATE", "MEMBERS"});
  for (size_t i = 0; i < groups->size(); ++i)
    table.add_row({(*groups)[i].group_id, (*groups)[i].state, std::to_string(members[i])});
  table.print(std::cout);
  std::cout << std::flush;
  return exit_ok;
}

/// One row of `group describe`: a partition the group reads or has a commit for.
struct partition_row {
  topic_partition tp;
  std::optional<int64_t> committed;
  int64_t end = 0;
  std::string member;  // client id of the member it is assigned to, or ""
};

int run_describe(const parsed_args& args) {
  int rc = exit_failure;
  auto client = connect_admin(args, rc);
  if (!client) return rc;
  const std::string& group = args.positional[0];
  auto desc = client->describe_group(group);
  if (!desc) return args.failure(desc.err().message);
  auto committed = client->committed(group);
  if (!committed) return args.failure(committed.err().message);
  if (desc->state == "Dead" && desc->members.empty() && committed->empty())
    return args.failure("group '" + group + "' does not exist");

  // Every partition of every topic the group reads or committed for, so unread partitions show.
  std::map<topic_partition, std::string> owner;
  std::set<std::string> topics;
  for (auto& m : desc->members)
    for (auto& tp : m.assignment) {
      owner[tp] = m.client_id.empty() ? m.member_id : m.client_id;
      topics.insert(tp.topic);
    }
  for (auto& [tp, _] : *committed) topics.insert(tp.topic);
  std::vector<partition_row> rows;
  for (auto& topic : topics) {
    auto count = client->partition_count(topic);
    if (!count) continue;  // deleted since the commit: nothing to show but the commit
    for (int32_t p = 0; p < *count; ++p) {
      topic_partition tp{topic, p};
      auto o = client->offsets(topic, p);
      if (!o) return args.failure(o.err().message);
      partition_row row{tp, std::nullopt, o->end, owner.count(tp) ? owner[tp] : ""};
      if (auto c = committed->find(tp); c != committed->end()) row.committed = c->second;
      rows.push_back(std::move(row));
    }
  }
  auto lag = [](const partition_row& r) -> std::optional<int64_t> {
    if (!r.committed) return std::nullopt;
    return std::max<int64_t>(0, r.end - *r.committed);
  };

  if (args.has("json")) {
    nlohmann::json out{{"group", group},
                       {"state", desc->state},
                       {"assignor", desc->assignor},
                       {"members", nlohmann::json::array()},
                       {"partitions", nlohmann::json::array()}};
    for (auto& m : desc->members) {
      nlohmann::json parts = nlohmann::json::array();
      for (auto& tp : m.assignment)
        parts.push_back({{"topic", tp.topic}, {"partition", tp.partition}});
      out["members"].push_back({{"member_id", m.member_id},
                                {"client_id", m.client_id},
                                {"host", m.host},
                                {"assignment", parts}});
    }
    for (auto& r : rows) {
      auto l = lag(r);
      out["partitions"].push_back(
          {{"topic", r.tp.topic},
           {"partition", r.tp.partition},
           {"committed", r.committed ? nlohmann::json(*r.committed) : nlohmann::json()},
           {"end", r.end},
           {"lag", l ? nlohmann::json(*l) : nlohmann::json()},
           {"member", r.member}});
    }
    std::cout << out.dump() << std::endl;
    return exit_ok;
  }
  int64_t total_lag = 0;
  for (auto& r : rows) total_lag += lag(r).value_or(0);
  std::cout << "GROUP     " << group << "\nSTATE     " << desc->state << "\nASSIGNOR  "
            << (desc->assignor.empty() ? "-" : desc->assignor) << "\nMEMBERS   "
            << desc->members.size() << "\nTOTAL-LAG " << total_lag << "\n\n";
  if (!desc->members.empty()) {
    text_table members({"MEMBER-ID", "CLIENT-ID", "HOST", "ASSIGNMENT"});
    for (auto& m : desc->members) {
      std::string parts;
      for (auto& tp : m.assignment)
        parts += (parts.empty() ? "" : ",") + tp.topic + "-" + std::to_string(tp.partition);
      members.add_row({m.member_id, m.client_id, m.host, parts.empty() ? "-" : parts});
    }
    members.print(std::cout);
    std::cout << "\n";
  }
  text_table table({"TOPIC", "PARTITION", "COMMITTED", "END-OFFSET", "LAG", "MEMBER"});
  for (auto& r : rows)
    table.add_row({r.tp.topic, std::to_string(r.tp.partition), offset_text(r.committed),
                   std::to_string(r.end), offset_text(lag(r)), r.member.empty() ? "-" : r.member});
  table.print(std::cout);
  std::cout << std::flush;
  return exit_ok;
}

int run_reset(const parsed_args& args) {
  const int modes =
      int(args.has("to-earliest")) + int(args.has("to-latest")) + int(args.has("to-offset"));
  if (modes != 1)
    return args.usage_error("give exactly one of --to-earliest, --to-latest, --to-offset N");
  auto to_offset = args.get_int("to-offset", 0, INT64_MAX);
  if (!to_offset) return args.usage_error(to_offset.err().message);
  int rc = exit_failure;
  auto client = connect_admin(args, rc);
  if (!client) return rc;
  const std::string& group = args.positional[0];

  auto desc = client->describe_group(group);
  if (!desc && desc.code() != errc::not_found) return args.failure(desc.err().message);
  if (desc && !desc->members.empty()) {
    std::string names;
    for (auto& m : desc->members)
      names += (names.empty() ? "" : ", ") + (m.client_id.empty() ? m.member_id : m.client_id);
    return args.failure("group '" + group + "' is active (state " + desc->state + ", " +
                        std::to_string(desc->members.size()) + " member" +
                        (desc->members.size() == 1 ? "" : "s") + ": " + names +
                        "); stop its consumers before resetting its offsets");
  }
  auto committed = client->committed(group);
  if (!committed) return args.failure(committed.err().message);

  std::set<std::string> topics;
  if (auto t = args.get("topic")) {
    topics.insert(*t);
  } else {
    for (auto& [tp, _] : *committed) topics.insert(tp.topic);
    if (topics.empty())
      return args.failure("group '" + group + "' has no committed offsets; name the topic " +
                          "to reset with --topic T");
  }
  committed_offsets target;
  text_table table({"TOPIC", "PARTITION", "OLD-OFFSET", "NEW-OFFSET", "NOTE"});
  for (auto& topic : topics) {
    auto count = client->partition_count(topic);
    if (!count) return args.failure(count.err().message);
    for (int32_t p = 0; p < *count; ++p) {
      topic_partition tp{topic, p};
      auto o = client->offsets(topic, p);
      if (!o) return args.failure(o.err().message);
      int64_t want = args.has("to-earliest") ? o->start
                     : args.has("to-latest") ? o->end
                                             : **to_offset;
      int64_t clamped = std::clamp(want, o->start, o->end);
      std::optional<int64_t> old;
      if (auto c = committed->find(tp); c != committed->end()) old = c->second;
      table.add_row({topic, std::to_string(p), offset_text(old), std::to_string(clamped),
                     clamped != want ? "clamped to [" + std::to_string(o->start) + ", " +
                                           std::to_string(o->end) + "]"
                                     : ""});
      target[tp] = clamped;
    }
  }
  if (!args.has("dry-run")) {
    if (auto st = client->commit(group, target); !st) {
      // The group may have gained a member since we looked.
      return args.failure(st.err().message + " (is a consumer of the group running?)");
    }
  }
  table.print(std::cout);
  std::cout << (args.has("dry-run") ? "dry run: nothing committed"
                                    : "committed new offsets of group " + group)
            << std::endl;
  return exit_ok;
}

}  // namespace

namespace {

int run_delete(const parsed_args& args) {
  int rc = exit_failure;
  auto client = connect_admin(args, rc);
  if (!client) return rc;
  const std::string& group = args.positional[0];
  if (auto st = client->delete_group(group); !st) return args.failure(st.err().message);
  std::cout << "deleted group " << group << std::endl;
  return exit_ok;
}

}  // namespace

command_spec group_command() {
  command_spec list{
      .name = "list",
      .summary = "list consumer groups with their state and member count",
      .synopsis = "group list [--json] [--bootstrap HOST:PORT]",
      .description = {},
      .flags = connection_flags({{"json", "", "print a JSON array instead of a table"}}),
      .max_positional = 0,
      .run = run_list,
  };
  command_spec describe{
      .name = "describe",
      .summary = "show a group's members, assignment, committed offsets and lag",
      .synopsis = "group describe GROUP [--json] [--bootstrap HOST:PORT]",
      .description =
          "Per partition of every topic the group reads or has committed for: the "
          "committed offset, the end offset, LAG = end - committed, and the member it "
          "is assigned to.",
      .flags = connection_flags({{"json", "", "print one JSON object instead of tables"}}),
      .max_positional = 1,
      .run = run_describe,
      .subcommands = {},
      .min_positional = 1,
  };
  command_spec reset{
      .name = "reset",
      .summary = "move an inactive group's committed offsets",
      .synopsis =
          "group reset GROUP (--to-earliest | --to-latest | --to-offset N) [--topic T] "
          "[--dry-run] [--bootstrap HOST:PORT]",
      .description =
          "Commits new offsets for every partition of T (default: every partition "
          "the group has committed offsets for). The group must have no active "
          "members. --to-offset is clamped to each partition's [start, end].",
      .flags = connection_flags({{"to-earliest", "", "the first offset still in the log"},
                                 {"to-latest", "", "the end (skip everything there is)"},
                                 {"to-offset", "N", "offset N in every partition"},
                                 {"topic", "T", "reset the partitions of topic T"},
                                 {"dry-run", "", "print the new offsets without committing"}}),
      .max_positional = 1,
      .run = run_reset,
      .subcommands = {},
      .min_positional = 1,
  };
  command_spec remove{
      .name = "delete",
      .summary = "delete an inactive group and its committed offsets",
      .synopsis = "group delete GROUP [--bootstrap HOST:PORT]",
      .description =
          "Deletes GROUP (Kafka's DeleteGroups): its committed offsets go and it is no "
          "longer listed. The group must have no active members; stop its consumers first.",
      .flags = connection_flags({}),
      .max_positional = 1,
      .run = run_delete,
      .subcommands = {},
      .min_positional = 1,
  };
  return {
      .name = "group",
      .summary = "list, describe, reset and delete consumer groups on a running server",
      .synopsis = "group <list|describe|reset|delete> [flags]",
      .description =
          "Talks to a running `lkstream serve` over the Kafka protocol "
          "(--bootstrap HOST:PORT, default 127.0.0.1:9092).",
      .flags = {},
      .max_positional = 0,
      .run = {},
      .subcommands = {std::move(list), std::move(describe), std::move(reset), std::move(remove)},
  };
}

}  // namespace lkstream::app

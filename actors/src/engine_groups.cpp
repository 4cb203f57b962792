// Wiring of the consumer-group manager into the engine, and the engine's group-admin API.
#include "engine_impl.hpp"
#include "group/group_api.hpp"
#include "group/group_manager_actor.hpp"
#include "group_client.hpp"
#include "lkstream/group/consumer_protocol.hpp"
#include "lkstream/group/group_state.hpp"

#include <algorithm>
#include <map>
#include <set>

namespace lkstream {

group::group_manager_actor engine::impl::spawn_groups() {
  group::group_manager_config gc;
  gc.data_dir = cfg.broker.data_dir;
  gc.fs = fs;
  gc.group.min_session_timeout_ms = static_cast<int32_t>(cfg.broker.group_session_timeout_min_ms);
  gc.group.max_session_timeout_ms = static_cast<int32_t>(cfg.broker.group_session_timeout_max_ms);
  gc.group.initial_rebalance_delay_ms =
      static_cast<int32_t>(cfg.broker.group_initial_rebalance_delay_ms);
  // The config says -1 for "never expire"; the manager says 0.
  gc.offsets_retention_ms = cfg.broker.offsets_retention_ms < 0 ? 0 : cfg.broker.offsets_retention_ms;
  gc.wall_clock_ms = clock;
  return group::spawn_group_manager(*sys, std::move(gc));
}

void engine::impl::on_topic_deleted(const std::string& topic) {
  if (groups) caf::anon_send(groups, group::delete_topic_offsets_atom::value, topic);
}

}  // namespace lkstream

// ---- group administration (engine.hpp) -----------------------------------------------------

namespace lkstream {

namespace {

group_info to_group_info(const group::group_description& d) {
  group_info g{d.group_id, d.state, d.protocol_type, d.protocol_name, {}};
  for (const auto& m : d.members) {
    group_member_info mi{m.member_id, m.group_instance_id, m.client_id, m.client_host, {}};
    if (d.protocol_type == "consumer" && !m.assignment.empty())
      if (auto a = group::decode_assignment(m.assignment))
        mi.assignment = group::flatten(a->assigned_partitions);
    g.members.push_back(std::move(mi));
  }
  return g;
}

}  // namespace

result<std::vector<group_info>> engine::list_groups() {
  auto call = impl_->enter();
  if (!call) return error{errc::closed, "engine closed"};
  actors::group_client client{*impl_};
  LK_ASSIGN_OR_RETURN(auto listing, client.list());
  std::vector<group_info> out;
  for (const auto& l : listing) {
    LK_ASSIGN_OR_RETURN(auto d, client.describe(l.group_id));
    if (d.state == group::to_string(group::group_phase::dead)) continue;  // gone meanwhile
    auto g = to_group_info(d);
    if (g.protocol_type.empty()) g.protocol_type = l.protocol_type;
    out.push_back(std::move(g));
  }
  std::sort(out.begin(), out.end(),
            [](const auto& a, const auto& b) { return a.group_id < b.group_id; });
  return out;
}

result<group_info> engine::describe_group(std::string_view group_id) {
  auto call = impl_->enter();
  if (!call) return error{errc::closed, "engine closed"};
  if (group_id.empty()) return error{errc::invalid_argument, "the group id must not be empty"};
  actors::group_client client{*impl_};
  LK_ASSIGN_OR_RETURN(auto d, client.describe(std::string(group_id)));
  return to_group_info(d);
}

result<std::vector<group_partition_offset>> engine::group_offsets(
    std::string_view group_id, std::optional<std::string> topic) {
  auto call = impl_->enter();
  if (!call) return error{errc::closed, "engine closed"};
  if (group_id.empty()) return error{errc::invalid_argument, "the group id must not be empty"};
  const std::string gid(group_id);
  actors::group_client client{*impl_};
  LK_ASSIGN_OR_RETURN(auto offsets, client.fetch_offsets({gid, std::nullopt}));
  if (offsets.error != group::group_error::none)
    return error{errc::io_error, "offsets of group " + gid + ": " +
                                     std::string(group::to_string(offsets.error))};
  std::map<topic_partition, int64_t> committed;
  std::set<std::string> topics;
  for (const auto& p : offsets.partitions) {
    if (p.error != group::group_error::none || p.offset < 0) continue;
    committed[p.tp] = p.offset;
    topics.insert(p.tp.topic);
  }
  if (topic) {
    topics = {*topic};
  } else {  // topics the members read, even before their first commit
    LK_ASSIGN_OR_RETURN(auto d, describe_group(gid));
    for (const auto& m : d.members)
      for (const auto& tp : m.assignment) topics.insert(tp.topic);
  }
  std::vector<group_partition_offset> out;
  for (const auto& name : topics) {
    auto info = describe_topic(name);
    if (!info) {
      if (!topic && info.code() == errc::unknown_topic) continue;  // deleted since
      return std::move(info).take_error();
    }
    for (const auto& p : info->partitions) {
      group_partition_offset o;
      o.tp = {name, partition_id{p.partition}};
      auto c = committed.find(o.tp);
      if (c != committed.end()) o.committed = c->second;
      o.log_start = p.log_start;
      o.end_offset = p.high_watermark;
      out.push_back(std::move(o));
    }
  }
  return out;
}

result<uint64_t> engine::delete_group_offsets(std::string_view group_id) {
  auto call = impl_->enter();
  if (!call) return error{errc::closed, "engine closed"};
  if (group_id.empty()) return error{errc::invalid_argument, "the group id must not be empty"};
  const std::string gid(group_id);
  LK_ASSIGN_OR_RETURN(auto r, impl_->ask<group::delete_group_offsets_result>(
                                  impl_->groups, group::delete_group_offsets_atom::value, gid));
  if (r.error == group::group_error::group_id_not_found)
    return error{errc::not_found, "no consumer group " + gid};
  if (r.members > 0)
    return error{errc::invalid_argument,
                 "group " + gid + " has " + std::to_string(r.members) +
                     (r.members == 1 ? " member" : " members") +
                     ": close its consumers before deleting its offsets"};
  if (!r.failure.empty())
    return error{errc::io_error, "deleting the offsets of group " + gid + ": " + r.failure};
  return r.removed;
}

status engine::delete_group(std::string_view group_id) {
  auto call = impl_->enter();
  if (!call) return {errc::closed, "engine closed"};
  if (group_id.empty()) return {errc::invalid_argument, "the group id must not be empty"};
  const std::string gid(group_id);
  LK_ASSIGN_OR_RETURN(auto r, impl_->ask<group::delete_group_result>(
                                  impl_->groups, group::delete_group_atom::value, gid));
  switch (r.error) {
    case group::group_error::none: return {};
    case group::group_error::group_id_not_found:
      return {errc::not_found, "no consumer group " + gid};
    case group::group_error::non_empty_group:
      return {errc::invalid_argument,
              "group " + gid + " has members: close its consumers before deleting it"};
    default:
      return {errc::io_error, "deleting group " + gid + ": " + r.failure};
  }
}

}  // namespace lkstream

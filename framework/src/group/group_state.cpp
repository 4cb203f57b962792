#include "lkstream/group/group_state.hpp"

#include <algorithm>
#include <cstdio>

#include "lkstream/group/consumer_protocol.hpp"

namespace lkstream::group {

std::string_view to_string(group_phase p) noexcept {
  switch (p) {
    case group_phase::empty: return "Empty";
    case group_phase::preparing_rebalance: return "PreparingRebalance";
    case group_phase::completing_rebalance: return "CompletingRebalance";
    case group_phase::stable: return "Stable";
    case group_phase::dead: return "Dead";
  }
  return "Unknown";
}

namespace {

join_response join_error(group_error e, std::string member_id) {
  join_response r;
  r.error = e;
  r.member_id = std::move(member_id);
  return r;
}

sync_response sync_error(group_error e) {
  sync_response r;
  r.error = e;
  return r;
}

}  // namespace

group_state::group_state(std::string group_id, group_config cfg, uint64_t seed)
    : group_id_(std::move(group_id)), cfg_(cfg), rng_(seed) {}

// ---- JoinGroup -----------------------------------------------------------------------------

void group_state::join(request_id id, const join_request& req, int64_t now, group_effects& out) {
  if (phase_ == group_phase::dead) {
    out.joins.push_back({id, join_error(group_error::coordinator_not_available, req.member_id)});
    return;
  }
  if (req.session_timeout_ms < cfg_.min_session_timeout_ms ||
      req.session_timeout_ms > cfg_.max_session_timeout_ms) {
    out.joins.push_back({id, join_error(group_error::invalid_session_timeout, req.member_id)});
    return;
  }
  if (req.member_id.empty())
    join_new_member(id, req, now, out);
  else
    join_existing_member(id, req, now, out);
}

void group_state::join_new_member(request_id id, const join_request& req, int64_t now,
                                  group_effects& out) {
  if (!supports_protocols(req, {})) {
    out.joins.push_back({id, join_error(group_error::inconsistent_group_protocol, "")});
    return;
  }
  auto member_id = new_member_id(req.client_id);
  if (req.group_instance_id) {
    // A static member restarting: the previous incarnation is fenced and replaced.
    auto i = static_members_.find(*req.group_instance_id);
    if (i != static_members_.end()) {
      auto old_id = i->second;
      remove_member(old_id, group_error::fenced_instance_id, out);
    }
    add_member_and_rebalance(id, req, std::move(member_id), now, out);
    return;
  }
  if (req.require_known_member_id) {
    pending_members_[member_id] = now + req.session_timeout_ms;
    auto r = join_error(group_error::member_id_required, member_id);
    out.joins.push_back({id, std::move(r)});
    return;
  }
  add_member_and_rebalance(id, req, std::move(member_id), now, out);
}

void group_state::join_existing_member(request_id id, const join_request& req, int64_t now,
                                       group_effects& out) {
  if (!supports_protocols(req, req.member_id)) {
    out.joins.push_back({id, join_error(group_error::inconsistent_group_protocol, req.member_id)});
    return;
  }
  if (auto p = pending_members_.find(req.member_id); p != pending_members_.end()) {
    pending_members_.erase(p);
    add_member_and_rebalance(id, req, req.member_id, now, out);
    return;
  }
  if (auto e = check_member(req.member_id, req.group_instance_id); e != group_error::none) {
    out.joins.push_back({id, join_error(e, req.member_id)});
    return;
  }
  auto& m = members_.at(req.member_id);
  auto same_protocols = m.protocols == req.protocols;
  switch (phase_) {
    case group_phase::preparing_rebalance:
      update_member_and_rebalance(m, id, req, now, out);
      break;
    case group_phase::completing_rebalance:
      if (same_protocols) {
        // The member lost our JoinGroup answer and asks again: repeat it.
        m.session_deadline = now + m.session_timeout_ms;
        out.joins.push_back({id, current_join_response(m)});
      } else {
        update_member_and_rebalance(m, id, req, now, out);
      }
      break;
    case group_phase::stable:
      if (m.id == leader_ || !same_protocols) {
        // A leader's join means it wants a new assignment (e.g. new topics matched a pattern).
        update_member_and_rebalance(m, id, req, now, out);
      } else {
        m.session_deadline = now + m.session_timeout_ms;
        out.joins.push_back({id, current_join_response(m)});
      }
      break;
    case group_phase::empty:
    case group_phase::dead:
      out.joins.push_back({id, join_error(group_error::unknown_member_id, req.member_id)});
      break;
  }
}

void group_state::take_join_fields(member& m, const join_request& req) {
  m.client_id = req.client_id;
  m.client_host = req.client_host;
  m.session_timeout_ms = req.session_timeout_ms;
  // JoinGroup v0 has no rebalance timeout: Kafka uses the session timeout.
  m.rebalance_timeout_ms =
      req.rebalance_timeout_ms < 0 ? req.session_timeout_ms : req.rebalance_timeout_ms;
  m.protocols = req.protocols;
}

void group_state::add_member_and_rebalance(request_id id, const join_request& req,
                                           std::string member_id, int64_t now,
                                           group_effects& out) {
  member m;
  m.id = member_id;
  m.instance_id = req.group_instance_id;
  take_join_fields(m, req);
  m.awaiting_join = id;
  m.is_new = true;
  // New members cannot heartbeat yet; bound how long an abandoned JoinGroup can hold a slot.
  m.session_deadline = now + cfg_.new_member_join_timeout_ms;
  m.join_seq = next_join_seq_++;
  if (members_.empty()) protocol_type_ = req.protocol_type;
  if (m.instance_id) static_members_[*m.instance_id] = member_id;
  if (leader_.empty()) leader_ = member_id;
  members_.emplace(member_id, std::move(m));
  if (phase_ == group_phase::preparing_rebalance && initial_delay_) new_member_added_ = true;
  maybe_prepare_rebalance(now, out);
  try_complete_join(now, out);
}

void group_state::update_member_and_rebalance(member& m, request_id id, const join_request& req,
                                              int64_t now, group_effects& out) {
  if (m.awaiting_join) {
    // Superseded by this request (the member retried); answer the old one so it is not lost.
    out.joins.push_back({*m.awaiting_join, join_error(group_error::rebalance_in_progress, m.id)});
  }
  take_join_fields(m, req);
  m.awaiting_join = id;
  m.session_deadline = now + m.session_timeout_ms;
  maybe_prepare_rebalance(now, out);
  try_complete_join(now, out);
}

// ---- rebalance ------------------------------------------------------------------------------

void group_state::maybe_prepare_rebalance(int64_t now, group_effects& out) {
  if (phase_ == group_phase::stable || phase_ == group_phase::completing_rebalance ||
      phase_ == group_phase::empty)
    prepare_rebalance(now, out);
}

void group_state::prepare_rebalance(int64_t now, group_effects& out) {
  if (phase_ == group_phase::completing_rebalance)
    reset_and_propagate_assignment_error(group_error::rebalance_in_progress, now, out);
  pending_sync_.clear();
  auto timeout = rebalance_timeout_ms();
  if (phase_ == group_phase::empty && cfg_.initial_rebalance_delay_ms > 0) {
    // Kafka's InitialDelayedJoin: wait for more members before the first generation, extended
    // by one delay while members keep arriving, for at most max(rebalance timeout, delay).
    initial_delay_ = true;
    new_member_added_ = false;
    initial_delay_limit_ = now + std::max(timeout, cfg_.initial_rebalance_delay_ms);
    join_deadline_ = now + cfg_.initial_rebalance_delay_ms;
  } else {
    initial_delay_ = false;
    join_deadline_ = now + timeout;
  }
  phase_ = group_phase::preparing_rebalance;
  try_complete_join(now, out);
}

void group_state::try_complete_join(int64_t now, group_effects& out) {
  if (phase_ == group_phase::preparing_rebalance && !initial_delay_ && all_members_joined())
    complete_join(now, out);
}

void group_state::complete_join(int64_t now, group_effects& out) {
  initial_delay_ = false;
  // Members that did not rejoin within the rebalance timeout leave the group.
  std::vector<std::string> stragglers;
  for (const auto& [id, m] : members_)
    if (!m.awaiting_join) stragglers.push_back(id);
  for (const auto& id : stragglers) remove_member(id, group_error::unknown_member_id, out);
  ++generation_;
  if (members_.empty()) {
    // The protocol type stays, as Kafka's does (DescribeGroups and ListGroups show an Empty
    // group's "consumer"); the next first member sets it again.
    protocol_name_.clear();
    leader_.clear();
    phase_ = group_phase::empty;
    return;
  }
  protocol_name_ = select_protocol();
  phase_ = group_phase::completing_rebalance;
  for (const auto& [id, m] : members_) pending_sync_.insert(id);
  sync_deadline_ = now + rebalance_timeout_ms();
  for (const auto* cm : members_in_join_order()) {
    auto& m = members_.at(cm->id);
    out.joins.push_back({*m.awaiting_join, current_join_response(m)});
    m.awaiting_join.reset();
    m.is_new = false;
    m.session_deadline = now + m.session_timeout_ms;
  }
}

void group_state::reset_and_propagate_assignment_error(group_error err, int64_t now,
                                                       group_effects& out) {
  for (auto& [id, m] : members_) {
    m.assignment.clear();
    if (m.awaiting_sync) {
      out.syncs.push_back({*m.awaiting_sync, sync_error(err)});
      m.awaiting_sync.reset();
      // Its session clock restarts now: while parked it could not heartbeat (Kafka does this
      // in propagateAssignment).
      m.session_deadline = now + m.session_timeout_ms;
    }
  }
}

void group_state::remove_member(const std::string& member_id, group_error parked_error,
                                group_effects& out) {
  auto i = members_.find(member_id);
  if (i == members_.end()) return;
  auto& m = i->second;
  if (m.awaiting_join) out.joins.push_back({*m.awaiting_join, join_error(parked_error, m.id)});
  if (m.awaiting_sync) out.syncs.push_back({*m.awaiting_sync, sync_error(parked_error)});
  if (m.instance_id) static_members_.erase(*m.instance_id);
  pending_sync_.erase(member_id);
  members_.erase(i);
  if (leader_ == member_id) {
    auto order = members_in_join_order();
    leader_ = order.empty() ? std::string{} : order.front()->id;
  }
}

void group_state::remove_member_and_update(const std::string& member_id, int64_t now,
                                           group_effects& out) {
  remove_member(member_id, group_error::unknown_member_id, out);
  switch (phase_) {
    case group_phase::stable:
    case group_phase::completing_rebalance:
      maybe_prepare_rebalance(now, out);
      break;
    case group_phase::preparing_rebalance:
      try_complete_join(now, out);
      break;
    case group_phase::empty:
    case group_phase::dead:
      break;
  }
}

// ---- SyncGroup, Heartbeat, LeaveGroup, OffsetCommit ----------------------------------------

void group_state::sync(request_id id, const sync_request& req, int64_t now, group_effects& out) {
  if (phase_ == group_phase::dead) {
    out.syncs.push_back({id, sync_error(group_error::coordinator_not_available)});
    return;
  }
  if (auto e = check_member(req.member_id, req.group_instance_id); e != group_error::none) {
    out.syncs.push_back({id, sync_error(e)});
    return;
  }
  if (req.generation_id != generation_) {
    out.syncs.push_back({id, sync_error(group_error::illegal_generation)});
    return;
  }
  if ((req.protocol_type && *req.protocol_type != protocol_type_) ||
      (req.protocol_name && *req.protocol_name != protocol_name_)) {
    out.syncs.push_back({id, sync_error(group_error::inconsistent_group_protocol)});
    return;
  }
  auto& m = members_.at(req.member_id);
  switch (phase_) {
    case group_phase::empty:
    case group_phase::dead:
      out.syncs.push_back({id, sync_error(group_error::unknown_member_id)});
      return;
    case group_phase::preparing_rebalance:
      out.syncs.push_back({id, sync_error(group_error::rebalance_in_progress)});
      return;
    case group_phase::completing_rebalance: {
      if (m.awaiting_sync)
        out.syncs.push_back({*m.awaiting_sync, sync_error(group_error::rebalance_in_progress)});
      m.awaiting_sync = id;
      m.session_deadline = now + m.session_timeout_ms;
      pending_sync_.erase(m.id);
      if (m.id != leader_) return;  // parked until the leader's assignment arrives
      for (auto& [mid, member] : members_) {
        member.assignment.clear();
        for (const auto& a : req.assignments)
          if (a.member_id == mid) member.assignment = a.assignment;
      }
      phase_ = group_phase::stable;
      for (const auto* cm : members_in_join_order()) {
        auto& member = members_.at(cm->id);
        if (!member.awaiting_sync) continue;
        sync_response r;
        r.protocol_type = protocol_type_;
        r.protocol_name = protocol_name_;
        r.assignment = member.assignment;
        out.syncs.push_back({*member.awaiting_sync, std::move(r)});
        member.awaiting_sync.reset();
        member.session_deadline = now + member.session_timeout_ms;
      }
      return;
    }
    case group_phase::stable: {
      pending_sync_.erase(m.id);
      m.session_deadline = now + m.session_timeout_ms;
      sync_response r;
      r.protocol_type = protocol_type_;
      r.protocol_name = protocol_name_;
      r.assignment = m.assignment;
      out.syncs.push_back({id, std::move(r)});
      return;
    }
  }
}

group_error group_state::heartbeat(const heartbeat_request& req, int64_t now) {
  if (phase_ == group_phase::dead) return group_error::coordinator_not_available;
  if (auto e = check_member(req.member_id, req.group_instance_id); e != group_error::none)
    return e;
  if (req.generation_id != generation_) return group_error::illegal_generation;
  auto& m = members_.at(req.member_id);
  switch (phase_) {
    case group_phase::empty:
    case group_phase::dead:
      return group_error::unknown_member_id;
    case group_phase::preparing_rebalance:
      m.session_deadline = now + m.session_timeout_ms;
      return group_error::rebalance_in_progress;
    case group_phase::completing_rebalance:
    case group_phase::stable:
      m.session_deadline = now + m.session_timeout_ms;
      return group_error::none;
  }
  return group_error::unknown_server_error;
}

leave_response group_state::leave(const leave_request& req, int64_t now, group_effects& out) {
  leave_response resp;
  for (const auto& lm : req.members) {
    leave_member_result r{lm.member_id, lm.group_instance_id, group_error::none};
    if (phase_ == group_phase::dead) {
      r.error = group_error::coordinator_not_available;
    } else if (lm.group_instance_id) {
      auto i = static_members_.find(*lm.group_instance_id);
      if (i == static_members_.end())
        r.error = group_error::unknown_member_id;
      else if (!lm.member_id.empty() && lm.member_id != i->second)
        r.error = group_error::fenced_instance_id;
      else
        remove_member_and_update(std::string(i->second), now, out);
    } else if (pending_members_.erase(lm.member_id) > 0) {
      try_complete_join(now, out);
    } else if (!members_.count(lm.member_id)) {
      r.error = group_error::unknown_member_id;
    } else {
      remove_member_and_update(lm.member_id, now, out);
    }
    resp.members.push_back(std::move(r));
  }
  if (phase_ == group_phase::dead) resp.error = group_error::coordinator_not_available;
  else if (resp.members.size() == 1) resp.error = resp.members.front().error;
  return resp;
}

group_error group_state::validate_offset_commit(const offset_commit_request& req, int64_t now) {
  if (phase_ == group_phase::dead) return group_error::coordinator_not_available;
  if (req.generation_id < 0 && phase_ == group_phase::empty) return group_error::none;
  if (auto e = check_member(req.member_id, req.group_instance_id); e != group_error::none)
    return e;
  if (req.generation_id != generation_) return group_error::illegal_generation;
  if (phase_ == group_phase::completing_rebalance) return group_error::rebalance_in_progress;
  auto& m = members_.at(req.member_id);
  m.session_deadline = now + m.session_timeout_ms;
  return group_error::none;
}

// ---- timers --------------------------------------------------------------------------------

void group_state::tick(int64_t now, group_effects& out) {
  if (phase_ == group_phase::dead) return;
  bool pending_expired = false;
  for (auto i = pending_members_.begin(); i != pending_members_.end();) {
    if (i->second <= now) {
      i = pending_members_.erase(i);
      pending_expired = true;
    } else {
      ++i;
    }
  }
  std::vector<std::string> expired;
  for (const auto& [id, m] : members_)
    if (m.session_deadline <= now && !heartbeat_satisfied(m)) expired.push_back(id);
  for (const auto& id : expired) remove_member_and_update(id, now, out);
  if ((phase_ == group_phase::completing_rebalance || phase_ == group_phase::stable) &&
      !pending_sync_.empty() && sync_deadline_ <= now) {
    // Members that never sent SyncGroup within the rebalance timeout are dropped.
    auto never_synced = pending_sync_;
    for (const auto& id : never_synced) remove_member(id, group_error::unknown_member_id, out);
    prepare_rebalance(now, out);
  }
  if (phase_ == group_phase::preparing_rebalance && join_deadline_ <= now) {
    if (initial_delay_ && new_member_added_ && now < initial_delay_limit_) {
      new_member_added_ = false;
      join_deadline_ = std::min(now + cfg_.initial_rebalance_delay_ms, initial_delay_limit_);
    } else {
      complete_join(now, out);
    }
  }
  if (pending_expired) try_complete_join(now, out);
}

std::optional<int64_t> group_state::next_deadline() const {
  if (phase_ == group_phase::dead) return std::nullopt;
  std::optional<int64_t> d;
  auto consider = [&](int64_t t) { d = d ? std::min(*d, t) : t; };
  for (const auto& [id, t] : pending_members_) consider(t);
  for (const auto& [id, m] : members_)
    if (!heartbeat_satisfied(m)) consider(m.session_deadline);
  if (phase_ == group_phase::preparing_rebalance) consider(join_deadline_);
  if ((phase_ == group_phase::completing_rebalance || phase_ == group_phase::stable) &&
      !pending_sync_.empty())
    consider(sync_deadline_);
  return d;
}

void group_state::shutdown(group_effects& out) {
  std::vector<std::string> ids;
  for (const auto& [id, m] : members_) ids.push_back(id);
  for (const auto& id : ids) remove_member(id, group_error::not_coordinator, out);
  pending_members_.clear();
  pending_sync_.clear();
  phase_ = group_phase::dead;
}

// ---- queries and helpers -------------------------------------------------------------------

group_description group_state::describe() const {
  group_description d;
  d.group_id = group_id_;
  d.state = std::string(to_string(phase_));
  d.protocol_type = protocol_type_;
  auto stable = phase_ == group_phase::stable;
  if (stable) d.protocol_name = protocol_name_;
  for (const auto* m : members_in_join_order()) {
    member_description md;
    md.member_id = m->id;
    md.group_instance_id = m->instance_id;
    md.client_id = m->client_id;
    md.client_host = m->client_host;
    if (stable)
      for (const auto& p : m->protocols)
        if (p.name == protocol_name_) md.metadata = p.metadata;
    // The assignment of the last completed sync, in every state, as Kafka shows it: during a
    // rebalance a member still holds (and consumes) what it was given.
    md.assignment = m->assignment;
    d.members.push_back(std::move(md));
  }
  return d;
}

bool group_state::supports_protocols(const join_request& req,
                                     const std::string& except_member) const {
  if (req.protocol_type.empty() || req.protocols.empty()) return false;
  size_t others = 0;
  for (const auto& [id, m] : members_)
    if (id != except_member) ++others;
  if (others == 0) return true;
  if (req.protocol_type != protocol_type_) return false;
  // At least one of the member's protocols must be supported by every other member.
  for (const auto& p : req.protocols) {
    bool everyone = true;
    for (const auto& [id, m] : members_) {
      if (id == except_member) continue;
      auto has = std::any_of(m.protocols.begin(), m.protocols.end(),
                             [&](const group_protocol& q) { return q.name == p.name; });
      if (!has) {
        everyone = false;
        break;
      }
    }
    if (everyone) return true;
  }
  return false;
}

bool group_state::all_members_joined() const {
  if (!pending_members_.empty()) return false;
  return std::all_of(members_.begin(), members_.end(),
                     [](const auto& kv) { return kv.second.awaiting_join.has_value(); });
}

bool group_state::heartbeat_satisfied(const member& m) const {
  // Kafka's MemberMetadata.hasSatisfiedHeartbeat: members parked in JoinGroup or SyncGroup
  // cannot heartbeat (their connection waits), so they do not expire; new members do, after
  // new_member_join_timeout_ms.
  if (m.is_new) return false;
  return m.awaiting_join.has_value() || m.awaiting_sync.has_value();
}

int32_t group_state::rebalance_timeout_ms() const {
  int32_t t = 0;
  for (const auto& [id, m] : members_) t = std::max(t, m.rebalance_timeout_ms);
  return t;
}

std::string group_state::select_protocol() const {
  // Candidates: protocols every member supports, in the first member's order of preference.
  // Each member votes for the first candidate in its own list; most votes wins, ties go to the
  // candidate the earliest member prefers (Kafka leaves ties to hash order).
  auto order = members_in_join_order();
  std::vector<std::string> candidates;
  for (const auto& p : order.front()->protocols) {
    auto everyone = std::all_of(order.begin(), order.end(), [&](const member* m) {
      return std::any_of(m->protocols.begin(), m->protocols.end(),
                         [&](const group_protocol& q) { return q.name == p.name; });
    });
    if (everyone && std::find(candidates.begin(), candidates.end(), p.name) == candidates.end())
      candidates.push_back(p.name);
  }
  std::vector<size_t> votes(candidates.size(), 0);
  for (const auto* m : order) {
    for (const auto& p : m->protocols) {
      auto c = std::find(candidates.begin(), candidates.end(), p.name);
      if (c != candidates.end()) {
        ++votes[static_cast<size_t>(c - candidates.begin())];
        break;
      }
    }
  }
  if (candidates.empty()) return {};  // unreachable: joins are checked by supports_protocols
  auto best = std::max_element(votes.begin(), votes.end());  // first maximum = earliest
  return candidates[static_cast<size_t>(best - votes.begin())];
}

std::vector<const group_state::member*> group_state::members_in_join_order() const {
  std::vector<const member*> out;
  for (const auto& [id, m] : members_) out.push_back(&m);
  std::sort(out.begin(), out.end(),
            [](const member* a, const member* b) { return a->join_seq < b->join_seq; });
  return out;
}

join_response group_state::current_join_response(const member& m) const {
  join_response r;
  r.generation_id = generation_;
  r.protocol_type = protocol_type_;
  r.protocol_name = protocol_name_;
  r.leader = leader_;
  r.member_id = m.id;
  if (m.id == leader_) {
    for (const auto* other : members_in_join_order()) {
      join_member jm{other->id, other->instance_id, {}};
      for (const auto& p : other->protocols)
        if (p.name == protocol_name_) jm.metadata = p.metadata;
      r.members.push_back(std::move(jm));
    }
  }
  return r;
}

group_error group_state::check_member(const std::string& member_id,
                                      const std::optional<std::string>& instance_id) const {
  if (instance_id) {
    auto i = static_members_.find(*instance_id);
    if (i != static_members_.end() && i->second != member_id)
      return group_error::fenced_instance_id;
  }
  if (!members_.count(member_id)) return group_error::unknown_member_id;
  return group_error::none;
}

std::string group_state::new_member_id(std::string_view client_id) {
  // Kafka: client_id + "-" + UUID. A version-4 UUID from the group's generator.
  uint64_t hi = rng_();
  uint64_t lo = rng_();
  hi = (hi & 0xffffffffffff0fffULL) | 0x0000000000004000ULL;  // version 4
  lo = (lo & 0x3fffffffffffffffULL) | 0x8000000000000000ULL;  // RFC 4122 variant
  char buf[40];
  std::snprintf(buf, sizeof(buf), "%08x-%04x-%04x-%04x-%012llx",
                static_cast<unsigned>(hi >> 32), static_cast<unsigned>((hi >> 16) & 0xffff),
                static_cast<unsigned>(hi & 0xffff), static_cast<unsigned>(lo >> 48),
                static_cast<unsigned long long>(lo & 0xffffffffffffULL));
  std::string id(client_id);
  id += '-';
  id += buf;
  return id;
}

std::set<std::string> group_state::subscribed_topics() const {
  std::set<std::string> topics;
  if (protocol_type_ != "consumer") return topics;
  for (const auto& [id, m] : members_)
    for (const auto& p : m.protocols) {
      if (!protocol_name_.empty() && p.name != protocol_name_) continue;
      auto sub = decode_subscription(p.metadata);
      if (sub) topics.insert(sub->topics.begin(), sub->topics.end());
    }
  return topics;
}

}  // namespace lkstream::group

// The group membership state machine, driven with a fake clock (plain millisecond numbers).
#include <doctest/doctest.h>

#include <map>
#include <random>
#include <set>

#include "lkstream/group/assignor.hpp"
#include "lkstream/group/consumer_protocol.hpp"
#include "lkstream/group/group_state.hpp"

using namespace lkstream;
using namespace lkstream::group;

namespace {

constexpr int32_t session_ms = 10000;
constexpr int32_t rebalance_ms = 20000;

group_config test_config(int32_t initial_delay_ms = 0) {
  group_config c;
  c.min_session_timeout_ms = 1000;
  c.max_session_timeout_ms = 60000;
  c.initial_rebalance_delay_ms = initial_delay_ms;
  return c;
}

bytes subscription(std::vector<std::string> topics) {
  consumer_subscription s;
  s.topics = std::move(topics);
  return encode_subscription(s);
}

join_request make_join(std::string member_id, std::string client = "client",
                       std::vector<group_protocol> protocols = {{"range", subscription({"t"})}}) {
  join_request r;
  r.group_id = "g";
  r.member_id = std::move(member_id);
  r.client_id = std::move(client);
  r.client_host = "/127.0.0.1";
  r.session_timeout_ms = session_ms;
  r.rebalance_timeout_ms = rebalance_ms;
  r.protocol_type = "consumer";
  r.protocols = std::move(protocols);
  return r;
}

/// Drives a group_state and records every answer; fails the test if an id is answered twice.
struct harness {
  group_state g;
  request_id next_id = 1;
  std::map<request_id, join_response> joins;
  std::map<request_id, sync_response> syncs;

  explicit harness(group_config cfg = test_config(3000)) : g("g", cfg, 42) {}

  void absorb(group_effects& e) {
    for (auto& j : e.joins) {
      CHECK_MESSAGE(!joins.count(j.id), "join " << j.id << " answered twice");
      joins[j.id] = j.response;
    }
    for (auto& s : e.syncs) {
      CHECK_MESSAGE(!syncs.count(s.id), "sync " << s.id << " answered twice");
      syncs[s.id] = s.response;
    }
  }
  request_id join(const join_request& r, int64_t now) {
    auto id = next_id++;
    group_effects e;
    g.join(id, r, now, e);
    absorb(e);
    return id;
  }
  request_id sync(const std::string& member, int32_t gen, int64_t now,
                  std::vector<sync_assignment> a = {}) {
    sync_request r;
    r.group_id = "g";
    r.member_id = member;
    r.generation_id = gen;
    r.assignments = std::move(a);
    auto id = next_id++;
    group_effects e;
    g.sync(id, r, now, e);
    absorb(e);
    return id;
  }
  group_error heartbeat(const std::string& member, int32_t gen, int64_t now) {
    return g.heartbeat({"g", gen, member, std::nullopt}, now);
  }
  leave_response leave(const std::string& member, int64_t now) {
    group_effects e;
    auto r = g.leave({"g", {{member, std::nullopt}}}, now, e);
    absorb(e);
    return r;
  }
  void tick(int64_t now) {
    group_effects e;
    g.tick(now, e);
    absorb(e);
  }
  /// Ticks at every deadline up to `until` (like the actor's timer does).
  void run_until(int64_t until) {
    while (auto d = g.next_deadline()) {
      if (*d > until) break;
      tick(*d);
    }
  }
  bool answered(request_id id) const { return joins.count(id) || syncs.count(id); }
};

/// Joins `n` members at `now` (within one initial delay) and completes the rebalance with
/// `range` assignments for topic "t" (6 partitions), the first member leading. Returns member
/// ids in join order; `now` is advanced to the end of the rebalance.
std::vector<std::string> stable_group(harness& h, size_t n, int64_t& now) {
  std::vector<request_id> ids;
  for (size_t i = 0; i < n; ++i) ids.push_back(h.join(make_join("", "c" + std::to_string(i)), now));
  h.run_until(now + 6000);  // one initial delay, extended once when several joined
  now += 6000;
  std::vector<std::string> members;
  std::string leader;
  std::vector<assignor_member> am;
  for (auto id : ids) {
    REQUIRE(h.joins.count(id));
    auto& r = h.joins[id];
    REQUIRE(r.error == group_error::none);
    members.push_back(r.member_id);
    leader = r.leader;
    if (r.member_id == r.leader)
      for (auto& m : r.members) {
        auto s = decode_subscription(m.metadata);
        REQUIRE(s);
        am.push_back({m.member_id, m.group_instance_id, s->topics});
      }
  }
  auto gen = h.g.generation_id();
  std::vector<request_id> sync_ids;
  for (auto& m : members)
    if (m != leader) sync_ids.push_back(h.sync(m, gen, now));
  std::vector<sync_assignment> assignments;
  for (auto& [member, list] : range_assign(am, {{"t", 6}})) {
    consumer_assignment a;
    a.assigned_partitions = group_by_topic(list);
    assignments.push_back({member, encode_assignment(a)});
  }
  sync_ids.push_back(h.sync(leader, gen, now, assignments));
  for (auto id : sync_ids) {
    REQUIRE(h.syncs.count(id));
    REQUIRE(h.syncs[id].error == group_error::none);
  }
  REQUIRE(h.g.phase() == group_phase::stable);
  return members;
}

}  // namespace

TEST_CASE("group: a v4+ first join gets MEMBER_ID_REQUIRED and an id prefixed by the client id") {
  harness h(test_config(0));
  auto req = make_join("", "my-client");
  req.require_known_member_id = true;
  auto id = h.join(req, 0);
  REQUIRE(h.joins.count(id));
  auto& r = h.joins[id];
  CHECK(r.error == group_error::member_id_required);
  CHECK(r.generation_id == -1);
  CHECK(r.member_id.rfind("my-client-", 0) == 0);
  CHECK(r.member_id.size() == std::string("my-client-").size() + 36);  // UUID text
  CHECK(h.g.member_count() == 0);
  CHECK(h.g.phase() == group_phase::empty);

  auto again = make_join(r.member_id, "my-client");
  auto id2 = h.join(again, 100);
  REQUIRE(h.joins.count(id2));
  CHECK(h.joins[id2].error == group_error::none);
  CHECK(h.joins[id2].member_id == r.member_id);
  CHECK(h.joins[id2].generation_id == 1);
  CHECK(h.joins[id2].leader == r.member_id);
  CHECK(h.g.phase() == group_phase::completing_rebalance);
}

TEST_CASE("group: a v0-3 first join is admitted directly") {
  harness h(test_config(0));
  auto id = h.join(make_join(""), 0);
  REQUIRE(h.joins.count(id));
  CHECK(h.joins[id].error == group_error::none);
  CHECK(h.joins[id].generation_id == 1);
  CHECK(h.joins[id].member_id.rfind("client-", 0) == 0);
}

TEST_CASE("group: three members joining in the initial delay form one generation") {
  harness h(test_config(3000));
  auto a = h.join(make_join("", "a"), 0);
  auto b = h.join(make_join("", "b"), 1000);
  auto c = h.join(make_join("", "c"), 2000);
  CHECK(h.joins.empty());  // parked
  CHECK(h.g.phase() == group_phase::preparing_rebalance);
  CHECK(h.g.next_deadline() == 3000);
  h.tick(3000);  // members arrived during the delay: wait one more delay
  CHECK(h.joins.empty());
  CHECK(h.g.next_deadline() == 6000);
  h.tick(6000);
  REQUIRE(h.joins.size() == 3);
  auto& ra = h.joins[a];
  auto& rb = h.joins[b];
  auto& rc = h.joins[c];
  for (auto* r : {&ra, &rb, &rc}) {
    CHECK(r->error == group_error::none);
    CHECK(r->generation_id == 1);
    CHECK(r->protocol_name == "range");
    CHECK(r->protocol_type == "consumer");
    CHECK(r->leader == ra.member_id);  // first joiner leads
  }
  REQUIRE(ra.members.size() == 3);
  CHECK(ra.members[1].member_id == rb.member_id);
  CHECK(ra.members[2].metadata == subscription({"t"}));
  CHECK(rb.members.empty());
  CHECK(rc.members.empty());
  CHECK(h.g.phase() == group_phase::completing_rebalance);
}

TEST_CASE("group: the initial delay never exceeds the rebalance timeout") {
  harness h(test_config(3000));
  h.join(make_join("", "a"), 0);
  for (int64_t t = 1000; t < 20000; t += 1000) {
    h.join(make_join("", "m" + std::to_string(t)), t);
    h.run_until(t);
  }
  h.run_until(19999);  // members keep arriving: the delay keeps being extended ...
  CHECK(h.g.phase() == group_phase::preparing_rebalance);
  h.run_until(20000);  // ... up to the rebalance timeout (20 s) and no further
  CHECK(h.g.phase() == group_phase::completing_rebalance);
  CHECK(h.g.generation_id() == 1);
  CHECK(h.g.member_count() == 20);
}

TEST_CASE("group: followers' SyncGroup waits for the leader, left-out members get empty bytes") {
  harness h(test_config(3000));
  auto a = h.join(make_join("", "a"), 0);
  auto b = h.join(make_join("", "b"), 0);
  auto c = h.join(make_join("", "c"), 0);
  h.run_until(10000);
  auto leader = h.joins[a].member_id;
  auto mb = h.joins[b].member_id, mc = h.joins[c].member_id;
  auto sb = h.sync(mb, 1, 4000);
  CHECK(!h.answered(sb));
  auto sc = h.sync(mc, 1, 4000);
  auto sl = h.sync(leader, 1, 4100, {{leader, bytes{std::byte{1}}}, {mb, bytes{std::byte{2}}},
                                     {"not-a-member", bytes{std::byte{9}}}});
  REQUIRE(h.answered(sb));
  REQUIRE(h.answered(sc));
  REQUIRE(h.answered(sl));
  CHECK(h.syncs[sl].assignment == bytes{std::byte{1}});
  CHECK(h.syncs[sb].assignment == bytes{std::byte{2}});
  CHECK(h.syncs[sc].error == group_error::none);
  CHECK(h.syncs[sc].assignment.empty());
  CHECK(h.syncs[sb].protocol_name == "range");
  CHECK(h.g.phase() == group_phase::stable);
  // In Stable a SyncGroup returns the current assignment at once.
  auto again = h.sync(mb, 1, 5000);
  CHECK(h.syncs[again].assignment == bytes{std::byte{2}});
  auto d = h.g.describe();
  CHECK(d.state == "Stable");
  CHECK(d.protocol_name == "range");
  REQUIRE(d.members.size() == 3);
  CHECK(d.members[1].assignment == bytes{std::byte{2}});
}

TEST_CASE("group: describe during a rebalance shows each member's last assignment, as Kafka") {
  harness h;
  int64_t now = 0;
  auto m = stable_group(h, 2, now);
  auto before = h.g.describe();
  REQUIRE(before.members.size() == 2);
  const bytes kept = before.members[0].assignment;
  CHECK_FALSE(kept.empty());
  h.leave(m[1], now);  // the other member leaves: a rebalance starts
  REQUIRE(h.g.phase() == group_phase::preparing_rebalance);
  auto during = h.g.describe();
  CHECK(during.state == "PreparingRebalance");
  REQUIRE(during.members.size() == 1);
  CHECK(during.members[0].assignment == kept);
  CHECK(during.members[0].metadata.empty());  // metadata only for the chosen protocol, in Stable
}

TEST_CASE("group: sync errors: unknown member, stale generation, protocol mismatch, rebalance") {
  harness h;
  int64_t now = 0;
  auto m = stable_group(h, 2, now);
  CHECK(h.syncs[h.sync("nobody", 1, now)].error == group_error::unknown_member_id);
  CHECK(h.syncs[h.sync(m[1], 0, now)].error == group_error::illegal_generation);
  sync_request r{"g", 1, m[1], std::nullopt, std::string("connect"), std::nullopt, {}};
  group_effects e;
  h.g.sync(999, r, now, e);
  REQUIRE(e.syncs.size() == 1);
  CHECK(e.syncs[0].response.error == group_error::inconsistent_group_protocol);
  h.join(make_join("", "newcomer"), now);  // -> PreparingRebalance
  CHECK(h.syncs[h.sync(m[1], 1, now)].error == group_error::rebalance_in_progress);
}

TEST_CASE("group: protocol is chosen by vote among protocols every member supports") {
  harness h(test_config(3000));
  auto p = [](std::vector<std::string> names) {
    std::vector<group_protocol> v;
    for (auto& n : names) v.push_back({n, bytes{std::byte{static_cast<uint8_t>(n.size())}}});
    return v;
  };
  auto a = h.join(make_join("", "a", p({"range", "roundrobin"})), 0);
  h.join(make_join("", "b", p({"roundrobin", "range"})), 0);
  h.join(make_join("", "c", p({"sticky", "roundrobin", "range"})), 0);
  h.run_until(10000);
  REQUIRE(h.joins.count(a));
  CHECK(h.joins[a].protocol_name == "roundrobin");  // 2 votes (b, c) against 1 (a)
  CHECK(h.joins[a].members[0].metadata == bytes{std::byte{10}});  // a's roundrobin metadata
}

TEST_CASE("group: joins without a common protocol or with another type are refused") {
  harness h;
  h.join(make_join("", "a"), 0);
  auto other = h.join(make_join("", "b", {{"sticky", {}}}), 10);
  CHECK(h.joins[other].error == group_error::inconsistent_group_protocol);
  auto type = make_join("", "c");
  type.protocol_type = "connect";
  CHECK(h.joins[h.join(type, 20)].error == group_error::inconsistent_group_protocol);
  auto none = make_join("", "d", {});
  CHECK(h.joins[h.join(none, 30)].error == group_error::inconsistent_group_protocol);
  CHECK(h.g.member_count() == 1);
}

TEST_CASE("group: session timeouts outside the bounds are refused") {
  harness h;
  auto r = make_join("");
  r.session_timeout_ms = 500;
  CHECK(h.joins[h.join(r, 0)].error == group_error::invalid_session_timeout);
  r.session_timeout_ms = 60001;
  CHECK(h.joins[h.join(r, 0)].error == group_error::invalid_session_timeout);
}

TEST_CASE("group: heartbeats: NONE when stable, REBALANCE_IN_PROGRESS while preparing") {
  harness h;
  int64_t now = 0;
  auto m = stable_group(h, 2, now);
  CHECK(h.heartbeat(m[0], 1, now) == group_error::none);
  CHECK(h.heartbeat(m[0], 7, now) == group_error::illegal_generation);
  CHECK(h.heartbeat("ghost", 1, now) == group_error::unknown_member_id);
  h.join(make_join("", "third"), now + 10);
  CHECK(h.g.phase() == group_phase::preparing_rebalance);
  CHECK(h.heartbeat(m[0], 1, now + 20) == group_error::rebalance_in_progress);
  CHECK(h.heartbeat(m[1], 1, now + 20) == group_error::rebalance_in_progress);
}

TEST_CASE("group: a member that stops heartbeating is removed after its session timeout") {
  harness h;
  int64_t now = 0;
  auto m = stable_group(h, 3, now);  // m[0] leads
  // m[0] and m[1] heartbeat every 3 s, m[2] is silent.
  int64_t t = now;
  for (; t < now + session_ms - 1; t += 3000) {
    h.run_until(t);
    CHECK(h.heartbeat(m[0], 1, t) == group_error::none);
    CHECK(h.heartbeat(m[1], 1, t) == group_error::none);
  }
  CHECK(h.g.member_count() == 3);
  h.run_until(now + session_ms);  // m[2]'s session expires exactly here
  CHECK(h.g.member_count() == 2);
  CHECK(!h.g.has_member(m[2]));
  CHECK(h.g.phase() == group_phase::preparing_rebalance);
  auto t2 = now + session_ms + 100;
  CHECK(h.heartbeat(m[0], 1, t2) == group_error::rebalance_in_progress);
  auto j0 = h.join(make_join(m[0], "c0"), t2);
  CHECK(!h.answered(j0));
  auto j1 = h.join(make_join(m[1], "c1"), t2 + 50);
  REQUIRE(h.answered(j0));
  REQUIRE(h.answered(j1));
  CHECK(h.joins[j0].generation_id == 2);
  CHECK(h.joins[j0].members.size() == 2);
  CHECK(h.heartbeat(m[2], 1, t2 + 60) == group_error::unknown_member_id);
}

TEST_CASE("group: parked joiners do not expire; non-rejoiners go at the rebalance timeout") {
  harness h;
  int64_t now = 0;
  auto m = stable_group(h, 2, now);
  auto start = now + 100;
  auto newcomer = h.join(make_join("", "late"), start);  // PreparingRebalance, deadline +20 s
  auto j0 = h.join(make_join(m[0], "c0"), start + 10);   // m[0] rejoins and waits
  // m[1] keeps heartbeating but never rejoins.
  for (int64_t t = start + 1000; t < start + rebalance_ms; t += 2000) {
    h.run_until(t);
    CHECK(h.heartbeat(m[1], 1, t) == group_error::rebalance_in_progress);
  }
  CHECK(h.g.has_member(m[0]));  // parked far longer than its session timeout: still there
  CHECK(!h.answered(j0));
  h.run_until(start + rebalance_ms);
  REQUIRE(h.answered(j0));
  REQUIRE(h.answered(newcomer));
  CHECK(h.joins[j0].generation_id == 2);
  CHECK(!h.g.has_member(m[1]));
  CHECK(h.g.member_count() == 2);
}

TEST_CASE("group: LeaveGroup triggers a rebalance, the last leave empties the group") {
  harness h;
  int64_t now = 0;
  auto m = stable_group(h, 2, now);
  auto r = h.leave(m[1], now);
  CHECK(r.error == group_error::none);
  REQUIRE(r.members.size() == 1);
  CHECK(r.members[0].error == group_error::none);
  CHECK(h.g.phase() == group_phase::preparing_rebalance);
  CHECK(h.leave("ghost", now).error == group_error::unknown_member_id);
  auto j = h.join(make_join(m[0], "c0"), now + 10);
  REQUIRE(h.answered(j));
  CHECK(h.joins[j].generation_id == 2);
  CHECK(h.joins[j].leader == m[0]);
  h.sync(m[0], 2, now + 20);
  CHECK(h.leave(m[0], now + 30).error == group_error::none);
  CHECK(h.g.phase() == group_phase::empty);
  CHECK(h.g.member_count() == 0);
  CHECK(h.g.leader().empty());
  CHECK(h.g.protocol_type() == "consumer");  // kept for the Empty group, as Kafka keeps it
  CHECK(h.g.next_deadline() == std::nullopt);
}

TEST_CASE("group: a leaving leader hands leadership to the next member") {
  harness h;
  int64_t now = 0;
  auto m = stable_group(h, 3, now);
  REQUIRE(h.g.leader() == m[0]);
  h.leave(m[0], now);
  CHECK(h.g.leader() == m[1]);
}

TEST_CASE("group: a leader that never sends SyncGroup is removed at the rebalance timeout") {
  harness h(test_config(3000));
  auto a = h.join(make_join("", "a"), 0);
  auto b = h.join(make_join("", "b"), 0);
  const int64_t formed = 6000;  // initial delay, extended once for the second member
  h.run_until(formed);
  REQUIRE(h.answered(a));
  auto leader = h.joins[a].member_id, follower = h.joins[b].member_id;
  auto s = h.sync(follower, 1, formed + 100);
  // The leader stays alive (heartbeats answer NONE while CompletingRebalance) but never syncs.
  for (int64_t t = formed + 3000; t < formed + rebalance_ms; t += 3000) {
    h.run_until(t);
    CHECK(h.heartbeat(leader, 1, t) == group_error::none);
  }
  h.run_until(formed + rebalance_ms - 1);
  CHECK(!h.answered(s));
  h.run_until(formed + rebalance_ms);
  REQUIRE(h.answered(s));
  CHECK(h.syncs[s].error == group_error::rebalance_in_progress);
  CHECK(!h.g.has_member(leader));
  CHECK(h.g.phase() == group_phase::preparing_rebalance);
  auto rejoin = h.join(make_join(follower, "b"), formed + rebalance_ms + 5);
  REQUIRE(h.answered(rejoin));
  CHECK(h.joins[rejoin].leader == follower);
}

TEST_CASE("group: an unused MEMBER_ID_REQUIRED id expires and stops holding the rebalance") {
  harness h;
  int64_t now = 0;
  auto m = stable_group(h, 1, now);
  auto req = make_join("", "x");
  req.require_known_member_id = true;
  auto pending = h.join(req, now);
  CHECK(h.joins[pending].error == group_error::member_id_required);
  // The pending id makes the group wait: a rejoin of m[0] (the leader) starts a rebalance
  // that only completes once the pending member came back or expired.
  auto j = h.join(make_join(m[0], "c0"), now + 10);
  CHECK(!h.answered(j));
  h.run_until(now + session_ms);
  REQUIRE(h.answered(j));
  CHECK(h.joins[j].error == group_error::none);
  CHECK(h.joins[j].members.size() == 1);
}

TEST_CASE("group: a rejoin with unchanged protocols in Stable answers at once") {
  harness h;
  int64_t now = 0;
  auto m = stable_group(h, 2, now);
  auto j = h.join(make_join(m[1], "c1"), now);
  REQUIRE(h.answered(j));
  CHECK(h.joins[j].generation_id == 1);
  CHECK(h.joins[j].members.empty());
  CHECK(h.g.phase() == group_phase::stable);
  // ... but changed metadata starts a rebalance
  auto j2 = h.join(make_join(m[1], "c1", {{"range", subscription({"t", "u"})}}), now + 5);
  CHECK(!h.answered(j2));
  CHECK(h.g.phase() == group_phase::preparing_rebalance);
}

TEST_CASE("group: offset commit validation follows Kafka") {
  harness h;
  offset_commit_request simple{"g", -1, "", std::nullopt, {}};
  CHECK(h.g.validate_offset_commit(simple, 0) == group_error::none);  // Empty: simple commit
  int64_t now = 0;
  auto m = stable_group(h, 2, now);
  CHECK(h.g.validate_offset_commit(simple, now) == group_error::unknown_member_id);
  offset_commit_request ok{"g", 1, m[0], std::nullopt, {}};
  CHECK(h.g.validate_offset_commit(ok, now) == group_error::none);
  offset_commit_request stale{"g", 0, m[0], std::nullopt, {}};
  CHECK(h.g.validate_offset_commit(stale, now) == group_error::illegal_generation);
  h.join(make_join("", "z"), now);  // PreparingRebalance: commits of the old generation pass
  CHECK(h.g.validate_offset_commit(ok, now) == group_error::none);
  h.join(make_join(m[0], "c0"), now);
  h.join(make_join(m[1], "c1"), now);
  REQUIRE(h.g.phase() == group_phase::completing_rebalance);
  offset_commit_request gen2{"g", 2, m[0], std::nullopt, {}};
  CHECK(h.g.validate_offset_commit(gen2, now) == group_error::rebalance_in_progress);
  CHECK(h.g.validate_offset_commit(ok, now) == group_error::illegal_generation);
}

TEST_CASE("group: shutdown answers parked requests with NOT_COORDINATOR and kills the group") {
  harness h(test_config(3000));
  auto a = h.join(make_join("", "a"), 0);
  auto b = h.join(make_join("", "b"), 0);
  group_effects e;
  h.g.shutdown(e);
  h.absorb(e);
  REQUIRE(h.answered(a));
  REQUIRE(h.answered(b));
  CHECK(h.joins[a].error == group_error::not_coordinator);
  CHECK(h.g.phase() == group_phase::dead);
  CHECK(h.joins[h.join(make_join("", "c"), 10)].error == group_error::coordinator_not_available);
  CHECK(h.heartbeat("x", 1, 10) == group_error::coordinator_not_available);
  CHECK(h.g.next_deadline() == std::nullopt);
}

TEST_CASE("group: a static member's new incarnation fences the old member id") {
  harness h(test_config(0));
  auto r = make_join("", "s");
  r.group_instance_id = "instance-1";
  r.require_known_member_id = true;  // ignored for static members, as in Kafka
  auto first = h.join(r, 0);
  REQUIRE(h.answered(first));
  REQUIRE(h.joins[first].error == group_error::none);
  auto old_id = h.joins[first].member_id;
  h.sync(old_id, 1, 10);
  auto second = h.join(r, 20);
  REQUIRE(h.answered(second));
  auto new_id = h.joins[second].member_id;
  CHECK(new_id != old_id);
  CHECK(!h.g.has_member(old_id));
  CHECK(h.g.heartbeat({"g", 2, old_id, std::string("instance-1")}, 30) ==
        group_error::fenced_instance_id);
}

TEST_CASE("group: random operation sequences answer every parked request exactly once") {
  std::mt19937 rng(2024);
  for (int round = 0; round < 60; ++round) {
    harness h(test_config(rng() % 2 ? 0 : 3000));
    std::vector<std::string> known;  // member ids handed out
    std::set<request_id> issued;
    int64_t now = 0;
    for (int step = 0; step < 300; ++step) {
      now += rng() % 1500;
      h.run_until(now);
      auto pick = [&]() { return known.empty() ? std::string("x") : known[rng() % known.size()]; };
      switch (rng() % 6) {
        case 0: {
          auto r = make_join(rng() % 3 ? "" : pick(), "c");
          r.require_known_member_id = rng() % 2;
          auto id = h.join(r, now);
          issued.insert(id);
          if (h.joins.count(id) && !h.joins[id].member_id.empty())
            known.push_back(h.joins[id].member_id);
          break;
        }
        case 1: {
          auto m = pick();
          std::vector<sync_assignment> a;
          if (m == h.g.leader()) a.push_back({m, bytes{std::byte{1}}});
          issued.insert(h.sync(m, h.g.generation_id(), now, a));
          break;
        }
        case 2: h.heartbeat(pick(), h.g.generation_id(), now); break;
        case 3: if (rng() % 4 == 0) h.leave(pick(), now); break;
        default: break;
      }
      // Invariants: a leader exists iff members do; Stable/Completing groups have members.
      CHECK(h.g.leader().empty() == (h.g.member_count() == 0));
      if (h.g.phase() == group_phase::empty) CHECK(h.g.member_count() == 0);
    }
    group_effects e;
    h.g.shutdown(e);
    h.absorb(e);
    for (auto id : issued) CHECK_MESSAGE(h.answered(id), "request " << id << " never answered");
  }
}

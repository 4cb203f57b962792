// Consumer-group manager and coordinators under CAF's deterministic scheduler: clients are
// small event-based actors whose replies land in shared slots, so parked JoinGroup/SyncGroup
// requests can be observed while they wait, and time moves only through advance_time.
#include <doctest/doctest.h>

#include <caf/all.hpp>
#include <caf/scheduler/test_coordinator.hpp>

#include <chrono>

#include "group/group_api.hpp"
#include "group/group_manager_actor.hpp"
#include "lkstream/group/assignor.hpp"
#include "lkstream/group/consumer_protocol.hpp"
#include "lkstream/storage/memory_file_system.hpp"

using namespace lkstream;
using namespace lkstream::group;
using namespace std::chrono_literals;

namespace {

constexpr int32_t session_ms = 10000;
constexpr int32_t rebalance_ms = 30000;
const std::string group_id = "billing";

template <class T>
struct slot {
  std::optional<T> value;
  std::optional<std::string> error;
  bool done() const { return value || error; }
};

/// One actor system with the testing scheduler over a (shared) memory file system.
struct env {
  caf::actor_system_config cfg;
  caf::actor_system sys;
  caf::scheduler::test_coordinator& sched;
  group_manager_actor manager;

  static caf::actor_system_config& prepare(caf::actor_system_config& c) {
    c.set("scheduler.policy", caf::atom("testing"));
    c.set("logger.inline-output", true);
    return c;
  }

  env(std::shared_ptr<storage::file_system> fs, timestamp_ms* wall, int32_t initial_delay_ms,
      int64_t retention_ms = 0)
      : sys(prepare(cfg)),
        sched(dynamic_cast<caf::scheduler::test_coordinator&>(sys.scheduler())) {
    group_manager_config mc;
    mc.data_dir = "/data";
    mc.fs = std::move(fs);
    mc.group.min_session_timeout_ms = 1000;
    mc.group.initial_rebalance_delay_ms = initial_delay_ms;
    mc.offsets_retention_ms = retention_ms;
    mc.offsets_retention_check_interval_ms = 60000;
    mc.wall_clock_ms = [wall] { return *wall; };
    mc.sync_inline = true;  // the testing scheduler: no sync thread
    manager = spawn_group_manager(sys, std::move(mc));
    sched.run();
  }

  ~env() {
    caf::anon_send_exit(manager, caf::exit_reason::user_shutdown);
    sched.run();
  }

  /// Sends a request from a fresh client actor; the reply (or error) fills the slot.
  template <class T, class... Ts>
  std::shared_ptr<slot<T>> ask(Ts... xs) {
    auto out = std::make_shared<slot<T>>();
    auto dest = manager;
    auto* system = &sys;
    sys.spawn([=](caf::event_based_actor* self) -> caf::behavior {
      self->request(dest, caf::infinite, xs...)
          .then([=](T& v) { out->value = std::move(v); },
                [=](caf::error& e) { out->error = system->render(e); });
      return {};
    });
    sched.run();
    return out;
  }

  /// Ask and require an immediate answer.
  template <class T, class... Ts>
  T call(Ts... xs) {
    auto s = ask<T>(xs...);
    REQUIRE_MESSAGE(s->value, (s->error ? *s->error : std::string("no reply (parked?)")));
    return *s->value;
  }

  void advance(std::chrono::milliseconds d) {
    // In 1 s steps, running between them, so re-armed timers fire in order.
    for (auto left = d; left.count() > 0; left -= 1000ms) {
      sched.advance_time(std::min<caf::timespan>(left, 1000ms));
      sched.run();
    }
  }
};

bytes subscription(std::vector<std::string> topics) {
  consumer_subscription s;
  s.topics = std::move(topics);
  return encode_subscription(s);
}

join_request join_req(std::string member_id, std::string client) {
  join_request r;
  r.group_id = group_id;
  r.member_id = std::move(member_id);
  r.client_id = std::move(client);
  r.client_host = "/10.0.0.1";
  r.session_timeout_ms = session_ms;
  r.rebalance_timeout_ms = rebalance_ms;
  r.protocol_type = "consumer";
  r.protocols = {{"range", subscription({"events"})}, {"roundrobin", subscription({"events"})}};
  return r;
}

/// The leader's part: compute `range` over the members' subscriptions (6 partitions of
/// "events") and encode one ConsumerProtocolAssignment per member.
std::vector<sync_assignment> leader_assignments(const join_response& leader) {
  std::vector<assignor_member> members;
  for (const auto& m : leader.members) {
    auto s = decode_subscription(m.metadata);
    REQUIRE(s);
    members.push_back({m.member_id, m.group_instance_id, s->topics});
  }
  std::vector<sync_assignment> out;
  for (auto& [member, tps] : range_assign(members, {{"events", 6}})) {
    consumer_assignment a;
    a.assigned_partitions = group_by_topic(tps);
    out.push_back({member, encode_assignment(a)});
  }
  return out;
}

std::vector<topic_partition> partitions_of(const sync_response& r) {
  auto a = decode_assignment(r.assignment);
  REQUIRE(a);
  return flatten(a->assigned_partitions);
}

sync_request sync_req(const std::string& member, int32_t gen,
                      std::vector<sync_assignment> a = {}) {
  return {group_id, gen, member, std::nullopt, std::string("consumer"), std::string("range"),
          std::move(a)};
}

/// Runs a full rebalance for members that (re)join now: all join, the first reply's leader
/// assigns, everybody syncs. Returns the sync replies by member id.
struct round_result {
  int32_t generation = -1;
  std::string leader;
  std::map<std::string, std::vector<topic_partition>> assignment;
};

round_result rebalance(env& e, const std::vector<std::shared_ptr<slot<join_response>>>& joins,
                       std::chrono::milliseconds wait) {
  e.advance(wait);
  round_result out;
  const join_response* leader = nullptr;
  for (auto& j : joins) {
    REQUIRE(j->value);
    REQUIRE(j->value->error == group_error::none);
    out.generation = j->value->generation_id;
    out.leader = j->value->leader;
    if (j->value->member_id == j->value->leader) leader = &*j->value;
  }
  REQUIRE(leader);
  std::vector<std::pair<std::string, std::shared_ptr<slot<sync_response>>>> syncs;
  for (auto& j : joins)
    if (j->value->member_id != out.leader)
      syncs.emplace_back(j->value->member_id,
                         e.ask<sync_response>(sync_group_atom::value,
                                              sync_req(j->value->member_id, out.generation)));
  for (auto& [m, s] : syncs) CHECK_MESSAGE(!s->done(), "follower sync answered before leader");
  syncs.emplace_back(out.leader, e.ask<sync_response>(
                                     sync_group_atom::value,
                                     sync_req(out.leader, out.generation,
                                              leader_assignments(*leader))));
  for (auto& [m, s] : syncs) {
    REQUIRE(s->value);
    REQUIRE(s->value->error == group_error::none);
    out.assignment[m] = partitions_of(*s->value);
  }
  return out;
}

struct fixture {
  std::shared_ptr<storage::memory_file_system> fs =
      std::make_shared<storage::memory_file_system>();
  timestamp_ms wall = 1'700'000'000'000;
  std::unique_ptr<env> e;

  fixture() {
    REQUIRE(fs->create_directories("/data"));
    e = std::make_unique<env>(fs, &wall, 3000);
  }

  /// Three consumers join one initial delay apart and get a stable generation 1.
  std::vector<std::string> three_members(round_result& r) {
    std::vector<std::shared_ptr<slot<join_response>>> joins;
    for (auto name : {"consumer-a", "consumer-b", "consumer-c"})
      joins.push_back(e->ask<join_response>(join_group_atom::value, join_req("", name)));
    for (auto& j : joins) CHECK(!j->done());  // parked during the initial delay
    r = rebalance(*e, joins, 6000ms);  // the delay, extended once as members kept arriving
    std::vector<std::string> ids;
    for (auto& j : joins) ids.push_back(j->value->member_id);
    return ids;
  }
};

size_t total(const round_result& r) {
  size_t n = 0;
  for (auto& [m, tps] : r.assignment) n += tps.size();
  return n;
}

}  // namespace

TEST_CASE_FIXTURE(fixture, "group actors: three members form one generation and get assignments") {
  round_result r;
  auto ids = three_members(r);
  CHECK(r.generation == 1);
  CHECK(r.leader == ids[0]);
  CHECK(ids[1].rfind("consumer-b-", 0) == 0);
  REQUIRE(r.assignment.size() == 3);
  CHECK(r.assignment[ids[0]].size() == 2);
  CHECK(r.assignment[ids[1]].size() == 2);
  CHECK(r.assignment[ids[2]] == std::vector<topic_partition>{{"events", partition_id{4}},
                                                             {"events", partition_id{5}}});
  auto d = e->call<group_description>(describe_group_atom::value, group_id);
  CHECK(d.state == "Stable");
  CHECK(d.protocol_type == "consumer");
  CHECK(d.protocol_name == "range");
  REQUIRE(d.members.size() == 3);
  CHECK(d.members[1].client_id == "consumer-b");
  CHECK(d.members[1].client_host == "/10.0.0.1");
  CHECK(d.members[1].metadata == subscription({"events"}));
  auto listed = e->call<group_listing_list>(list_groups_atom::value);
  REQUIRE(listed.size() == 1);
  CHECK(listed[0].group_id == group_id);
  CHECK(listed[0].state == "Stable");
}

TEST_CASE_FIXTURE(fixture, "group actors: a silent member loses its partitions at session expiry") {
  round_result r;
  auto ids = three_members(r);
  auto beat = [&](const std::string& m) {
    return e->call<group_error>(heartbeat_atom::value,
                                heartbeat_request{group_id, r.generation, m, std::nullopt});
  };
  // ids[2] stops heartbeating; the others beat every second.
  for (int s = 1; s < session_ms / 1000; ++s) {
    e->advance(1000ms);
    CHECK(beat(ids[0]) == group_error::none);
    CHECK(beat(ids[1]) == group_error::none);
  }
  e->advance(1000ms);  // ids[2]'s session (10 s since its sync) expires now
  CHECK(beat(ids[0]) == group_error::rebalance_in_progress);
  CHECK(beat(ids[2]) == group_error::unknown_member_id);
  auto j0 = e->ask<join_response>(join_group_atom::value, join_req(ids[0], "consumer-a"));
  auto j1 = e->ask<join_response>(join_group_atom::value, join_req(ids[1], "consumer-b"));
  auto r2 = rebalance(*e, {j0, j1}, 0ms);
  CHECK(r2.generation == 2);
  CHECK(j0->value->members.size() == 2);
  REQUIRE(r2.assignment.size() == 2);
  CHECK(r2.assignment[ids[0]].size() == 3);
  CHECK(r2.assignment[ids[1]].size() == 3);
  CHECK(total(r2) == 6);
}

TEST_CASE_FIXTURE(fixture, "group actors: LeaveGroup triggers a rebalance among the rest") {
  round_result r;
  auto ids = three_members(r);
  auto left = e->call<leave_response>(leave_group_atom::value,
                                      leave_request{group_id, {{ids[0], std::nullopt}}});
  CHECK(left.error == group_error::none);
  CHECK(e->call<group_error>(heartbeat_atom::value,
                             heartbeat_request{group_id, 1, ids[1], std::nullopt}) ==
        group_error::rebalance_in_progress);
  auto j1 = e->ask<join_response>(join_group_atom::value, join_req(ids[1], "consumer-b"));
  CHECK(!j1->done());  // waits for ids[2]
  auto j2 = e->ask<join_response>(join_group_atom::value, join_req(ids[2], "consumer-c"));
  auto r2 = rebalance(*e, {j1, j2}, 0ms);
  CHECK(r2.generation == 2);
  CHECK(r2.leader == ids[1]);  // the old leader left: the next member leads
  CHECK(total(r2) == 6);
}

TEST_CASE_FIXTURE(fixture, "group actors: non-rejoiners are dropped at the rebalance timeout") {
  round_result r;
  auto ids = three_members(r);
  auto j3 = e->ask<join_response>(join_group_atom::value, join_req("", "consumer-d"));
  auto j0 = e->ask<join_response>(join_group_atom::value, join_req(ids[0], "consumer-a"));
  auto j1 = e->ask<join_response>(join_group_atom::value, join_req(ids[1], "consumer-b"));
  // ids[2] keeps heartbeating (told to rejoin) but never does.
  for (int s = 1; s < rebalance_ms / 1000; ++s) {
    e->advance(1000ms);
    CHECK(e->call<group_error>(heartbeat_atom::value,
                               heartbeat_request{group_id, 1, ids[2], std::nullopt}) ==
          group_error::rebalance_in_progress);
    CHECK(!j0->done());
  }
  auto r2 = rebalance(*e, {j0, j1, j3}, 1000ms);
  CHECK(r2.generation == 2);
  CHECK(r2.assignment.size() == 3);
  CHECK(!r2.assignment.count(ids[2]));
}

TEST_CASE_FIXTURE(fixture, "group actors: commits are validated and survive a restart") {
  round_result r;
  auto ids = three_members(r);
  offset_commit_request c{group_id, r.generation, ids[1], std::nullopt, {}};
  c.partitions.push_back({{"events", partition_id{2}}, 120, 4, "checkpoint"});
  c.partitions.push_back({{"events", partition_id{3}}, 77, -1, ""});
  c.partitions.push_back({{"events", partition_id{4}}, 5, -1, std::string(5000, 'm')});
  auto resp = e->call<offset_commit_response>(commit_offsets_atom::value, c);
  REQUIRE(resp.partitions.size() == 3);
  CHECK(resp.partitions[0].error == group_error::none);
  CHECK(resp.partitions[1].error == group_error::none);
  CHECK(resp.partitions[2].error == group_error::offset_metadata_too_large);

  // Restart: a new actor system over the same (crashed) file system.
  e.reset();
  fs->crash();
  wall += 5000;
  e = std::make_unique<env>(fs, &wall, 3000);
  auto listed = e->call<group_listing_list>(list_groups_atom::value);
  REQUIRE(listed.size() == 1);
  CHECK(listed[0].group_id == group_id);
  CHECK(listed[0].state == "Empty");
  offset_fetch_request f{group_id, std::vector<topic_partition>{{"events", partition_id{2}},
                                                                 {"events", partition_id{4}}}};
  auto fetched = e->call<offset_fetch_response>(fetch_offsets_atom::value, f);
  CHECK(fetched.error == group_error::none);
  REQUIRE(fetched.partitions.size() == 2);
  CHECK(fetched.partitions[0].offset == 120);
  CHECK(fetched.partitions[0].leader_epoch == 4);
  CHECK(fetched.partitions[0].metadata == "checkpoint");
  CHECK(fetched.partitions[1].offset == -1);
  auto all = e->call<offset_fetch_response>(fetch_offsets_atom::value,
                                            offset_fetch_request{group_id, std::nullopt});
  CHECK(all.partitions.size() == 2);
  CHECK(e->call<group_description>(describe_group_atom::value, group_id).state == "Empty");
}

TEST_CASE_FIXTURE(fixture, "group actors: a commit from a stale generation is rejected") {
  round_result r;
  auto ids = three_members(r);
  e->call<leave_response>(leave_group_atom::value,
                          leave_request{group_id, {{ids[2], std::nullopt}}});
  auto j0 = e->ask<join_response>(join_group_atom::value, join_req(ids[0], "consumer-a"));
  auto j1 = e->ask<join_response>(join_group_atom::value, join_req(ids[1], "consumer-b"));
  auto r2 = rebalance(*e, {j0, j1}, 0ms);
  REQUIRE(r2.generation == 2);
  offset_commit_request stale{group_id, 1, ids[1], std::nullopt,
                              {{{"events", partition_id{0}}, 10, -1, ""}}};
  auto resp = e->call<offset_commit_response>(commit_offsets_atom::value, stale);
  REQUIRE(resp.partitions.size() == 1);
  CHECK(resp.partitions[0].error == group_error::illegal_generation);
  offset_commit_request gone{group_id, 2, ids[2], std::nullopt,
                             {{{"events", partition_id{0}}, 10, -1, ""}}};
  CHECK(e->call<offset_commit_response>(commit_offsets_atom::value, gone).partitions[0].error ==
        group_error::unknown_member_id);
  auto fetched = e->call<offset_fetch_response>(
      fetch_offsets_atom::value,
      offset_fetch_request{group_id, std::vector<topic_partition>{{"events", partition_id{0}}}});
  CHECK(fetched.partitions[0].offset == -1);  // nothing was stored
  // A simple (generation -1) commit is fine for a group nobody joined ...
  offset_commit_request simple{"tools", -1, "", std::nullopt,
                               {{{"events", partition_id{0}}, 3, -1, ""}}};
  CHECK(e->call<offset_commit_response>(commit_offsets_atom::value, simple).partitions[0].error ==
        group_error::none);
  // ... but not for an active group.
  simple.group_id = group_id;
  CHECK(e->call<offset_commit_response>(commit_offsets_atom::value, simple).partitions[0].error ==
        group_error::unknown_member_id);
}

TEST_CASE_FIXTURE(fixture, "group actors: requests for unknown groups do not create them") {
  CHECK(e->call<group_error>(heartbeat_atom::value,
                             heartbeat_request{"nope", 1, "m", std::nullopt}) ==
        group_error::unknown_member_id);
  CHECK(e->call<sync_response>(sync_group_atom::value, sync_req("m", 1)).error ==
        group_error::unknown_member_id);
  auto rejoin = join_req("stale-member", "c");
  rejoin.group_id = "nope";
  CHECK(e->call<join_response>(join_group_atom::value, rejoin).error ==
        group_error::unknown_member_id);
  offset_commit_request c{"nope", 3, "m", std::nullopt, {{{"t", partition_id{0}}, 1, -1, ""}}};
  CHECK(e->call<offset_commit_response>(commit_offsets_atom::value, c).partitions[0].error ==
        group_error::illegal_generation);
  CHECK(e->call<group_description>(describe_group_atom::value, std::string("nope")).state ==
        "Dead");
  auto empty_id = join_req("", "c");
  empty_id.group_id = "";
  CHECK(e->call<join_response>(join_group_atom::value, empty_id).error ==
        group_error::invalid_group_id);
  CHECK(e->call<group_listing_list>(list_groups_atom::value).empty());
}

TEST_CASE_FIXTURE(fixture, "group actors: MEMBER_ID_REQUIRED round trip through the manager") {
  auto first = join_req("", "kip394");
  first.require_known_member_id = true;
  auto r = e->call<join_response>(join_group_atom::value, first);
  CHECK(r.error == group_error::member_id_required);
  auto second = join_req(r.member_id, "kip394");
  auto j = e->ask<join_response>(join_group_atom::value, second);
  e->advance(3000ms);
  REQUIRE(j->value);
  CHECK(j->value->error == group_error::none);
  CHECK(j->value->member_id == r.member_id);
  CHECK(j->value->leader == r.member_id);
}

TEST_CASE_FIXTURE(fixture, "group actors: deleting a topic drops its offsets in every group") {
  for (auto g : {"g1", "g2"}) {
    offset_commit_request c{g, -1, "", std::nullopt,
                            {{{"gone", partition_id{0}}, 1, -1, ""},
                             {{"gone", partition_id{1}}, 2, -1, ""},
                             {{"kept", partition_id{0}}, 3, -1, ""}}};
    e->call<offset_commit_response>(commit_offsets_atom::value, c);
  }
  // Restart so that g1/g2 are only known from disk when the topic goes away.
  e.reset();
  e = std::make_unique<env>(fs, &wall, 3000);
  auto r = e->call<delete_topic_offsets_result>(delete_topic_offsets_atom::value,
                                                std::string("gone"));
  CHECK(r.removed == 4);
  CHECK(r.failures.empty());
  auto all = e->call<offset_fetch_response>(fetch_offsets_atom::value,
                                            offset_fetch_request{"g2", std::nullopt});
  REQUIRE(all.partitions.size() == 1);
  CHECK(all.partitions[0].tp.topic == "kept");
}

TEST_CASE_FIXTURE(fixture, "group actors: shutdown answers parked joins with NOT_COORDINATOR") {
  auto j = e->ask<join_response>(join_group_atom::value, join_req("", "waiting"));
  CHECK(!j->done());
  caf::anon_send_exit(e->manager, caf::exit_reason::user_shutdown);
  e->sched.run();
  REQUIRE(j->value);
  CHECK(j->value->error == group_error::not_coordinator);
  e.reset();  // the actor system must come down without waiting for timers
}

TEST_CASE("group actors: offsets of empty groups expire after the retention time") {
  auto fs = std::make_shared<storage::memory_file_system>();
  REQUIRE(fs->create_directories("/data"));
  timestamp_ms wall = 1'000'000;
  env e(fs, &wall, 0, /*retention_ms=*/3600'000);
  offset_commit_request c{"old", -1, "", std::nullopt, {{{"t", partition_id{0}}, 9, -1, ""}}};
  e.call<offset_commit_response>(commit_offsets_atom::value, c);
  wall += 3600'000 - 1;
  e.advance(60000ms);  // one expiry check: not old enough yet
  auto f = offset_fetch_request{"old", std::nullopt};
  CHECK(e.call<offset_fetch_response>(fetch_offsets_atom::value, f).partitions.size() == 1);
  wall += 1;
  e.advance(60000ms);
  CHECK(e.call<offset_fetch_response>(fetch_offsets_atom::value, f).partitions.empty());
}

TEST_CASE("group actors: a real actor system shuts down at once despite pending group timers") {
  auto fs = std::make_shared<storage::memory_file_system>();
  REQUIRE(fs->create_directories("/data"));
  auto started = std::chrono::steady_clock::now();
  {
    caf::actor_system_config cfg;
    cfg.set("scheduler.max-threads", 2);  // caf-0.17-notes section 4
    cfg.set("scheduler.max-throughput", 100);
    cfg.set("work-stealing.moderate-poll-attempts", 0);
    caf::actor_system sys{cfg};
    group_manager_config mc;
    mc.data_dir = "/data";
    mc.fs = fs;
    mc.group.initial_rebalance_delay_ms = 0;
    auto mgr = spawn_group_manager(sys, mc);  // arms the 10-minute offset expiry timer
    caf::scoped_actor self{sys};
    auto req = join_req("", "real");
    req.session_timeout_ms = 45000;  // arms a 45 s session timer once joined
    self->request(mgr, caf::infinite, join_group_atom::value, req)
        .receive([&](join_response& r) { CHECK(r.error == group_error::none); },
                 [&](caf::error& e) { FAIL(sys.render(e)); });
    self->request(mgr, caf::infinite, describe_group_atom::value, group_id)
        .receive([&](group_description& d) { CHECK(d.state == "CompletingRebalance"); },
                 [&](caf::error& e) { FAIL(sys.render(e)); });
    self->send_exit(mgr, caf::exit_reason::user_shutdown);
    self->wait_for(mgr);
  }
  CHECK(std::chrono::steady_clock::now() - started < std::chrono::seconds(5));
}

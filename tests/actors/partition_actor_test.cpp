// partition_actor, topic registry and retention actor under CAF's deterministic scheduler:
// time advances only when the test says so.
#include <doctest/doctest.h>

#include <caf/all.hpp>
#include <caf/scheduler/test_coordinator.hpp>

#include "lkstream/model/record_batch.hpp"
#include "lkstream/storage/memory_file_system.hpp"
#include "messages.hpp"
#include "partition/partition_actor.hpp"
#include "topic/retention_actor.hpp"
#include "topic/topic_registry.hpp"

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(lkstream::config::topic_settings)

using namespace lkstream;
using namespace lkstream::actors;

namespace {

struct fixture {
  caf::actor_system_config cfg;
  caf::actor_system sys;
  caf::scheduler::test_coordinator& sched;
  std::shared_ptr<storage::memory_file_system> fs = std::make_shared<storage::memory_file_system>();
  std::shared_ptr<metadata_board> board = std::make_shared<metadata_board>();
  timestamp_ms wall = 1'000'000;  // the engine's wall clock, advanced with virtual time

  static caf::actor_system_config& prepare(caf::actor_system_config& c) {
    c.set("scheduler.policy", caf::atom("testing"));
    c.set("logger.inline-output", true);
    return c;
  }
  fixture()
      : sys(prepare(cfg)),
        sched(dynamic_cast<caf::scheduler::test_coordinator&>(sys.scheduler())) {}

  clock_fn clock() {
    return [this] { return wall; };
  }

  caf::actor registry() {
    topic_registry_config rc;
    rc.data_dir = "/data";
    rc.fs = fs;
    rc.board = board;
    rc.now = clock();
    auto r = spawn_topic_registry(sys, rc);
    REQUIRE(r);
    return *r;
  }

  template <class T, class... Ts>
  T ask(const caf::actor& a, Ts&&... xs) {
    caf::scoped_actor self{sys};
    self->send(a, std::forward<Ts>(xs)...);
    sched.run();
    T out{};
    self->receive([&](T& v) { out = std::move(v); },
                  [&](caf::error& e) { FAIL("unexpected error " << sys.render(e)); });
    return out;
  }
};

struct recording_sink final : append_sink {
  std::vector<append_outcome> outcomes;
  void on_appended(const append_outcome& o) override { outcomes.push_back(o); }
};

batch_ptr make_batch(int records, timestamp_ms ts, size_t value_size = 100) {
  auto b = std::make_shared<bytes>();
  model::batch_builder builder(*b);
  std::string v(value_size, 'v');
  for (int i = 0; i < records; ++i) builder.append(ts, std::nullopt, as_bytes(v));
  builder.finish();
  return b;
}

config::topic_settings settings(storage::fsync_policy p) {
  config::topic_settings s;
  s.partitions = 1;
  s.log.fsync = p;
  s.log.segment_bytes = 4096;
  s.log.retention_ms = 60'000;
  return s;
}

}  // namespace

TEST_CASE_FIXTURE(fixture, "partition_actor: fsync=always acks only after the group-commit sync") {
  auto reg = registry();
  CHECK(ask<int32_t>(reg, create_atom::value, std::string("t"), settings(storage::fsync_policy::always)) == 1);
  auto part = board->find("t")->partitions[0];
  auto sink = std::make_shared<recording_sink>();
  // Three appends queued before the actor runs share one sync.
  for (int i = 0; i < 3; ++i)
    caf::anon_send(part, append_atom::value, make_batch(2, wall), append_sink_ptr(sink), true);
  sched.run_once();  // first append: written, sync queued behind the other two
  CHECK(sink->outcomes.empty());
  sched.run();
  REQUIRE(sink->outcomes.size() == 3);
  CHECK(sink->outcomes[0].info.base_offset == offset{0});
  CHECK(sink->outcomes[2].info.base_offset == offset{4});
  auto d = ask<partition_description>(part, describe_atom::value);
  CHECK(d.high_watermark == offset{6});
  anon_send_exit(reg, caf::exit_reason::user_shutdown);
  sched.run();
}

TEST_CASE_FIXTURE(fixture, "partition_actor: ENOSPC reaches the producer and leaves the log unchanged") {
  auto reg = registry();
  ask<int32_t>(reg, create_atom::value, std::string("t"), settings(storage::fsync_policy::never));
  auto part = board->find("t")->partitions[0];
  auto sink = std::make_shared<recording_sink>();
  fs->fail_next_append(errc::no_space, ".log");
  caf::anon_send(part, append_atom::value, make_batch(1, wall), append_sink_ptr(sink), true);
  caf::anon_send(part, append_atom::value, make_batch(1, wall), append_sink_ptr(sink), true);
  sched.run();
  REQUIRE(sink->outcomes.size() == 2);
  CHECK(sink->outcomes[0].code == errc::no_space);
  CHECK(sink->outcomes[1].code == errc::ok);
  CHECK(sink->outcomes[1].info.base_offset == offset{0});
  anon_send_exit(reg, caf::exit_reason::user_shutdown);
  sched.run();
}

TEST_CASE_FIXTURE(fixture, "retention_actor: ticks by virtual time delete expired segments") {
  auto reg = registry();
  ask<int32_t>(reg, create_atom::value, std::string("t"), settings(storage::fsync_policy::never));
  auto part = board->find("t")->partitions[0];
  auto sink = std::make_shared<recording_sink>();
  // ~10 segments of old data, then one fresh batch.
  for (int i = 0; i < 40; ++i)
    caf::anon_send(part, append_atom::value, make_batch(10, wall), append_sink_ptr(sink), true);
  sched.run();
  auto before = ask<partition_description>(part, describe_atom::value);
  REQUIRE(before.segments > 3);
  auto ret = spawn_retention(sys, {board, clock(), std::chrono::milliseconds(1000)});
  sched.run();
  // Not yet expired: a tick changes nothing.
  sched.advance_time(caf::timespan{std::chrono::milliseconds(1000)});
  sched.run();
  CHECK(ask<partition_description>(part, describe_atom::value).segments == before.segments);
  // The data ages past retention_ms (60 s); the next tick removes every closed segment.
  wall += 120'000;
  sched.advance_time(caf::timespan{std::chrono::milliseconds(1000)});
  sched.run();
  auto after = ask<partition_description>(part, describe_atom::value);
  CHECK(after.segments == 1);
  CHECK(after.log_start > offset{0});
  CHECK(after.end == before.end);
  anon_send_exit(ret, caf::exit_reason::user_shutdown);
  anon_send_exit(reg, caf::exit_reason::user_shutdown);
  sched.run();
}

TEST_CASE_FIXTURE(fixture, "topic_registry: topics are reloaded from the catalog on restart") {
  {
    auto reg = registry();
    ask<int32_t>(reg, create_atom::value, std::string("a"), settings(storage::fsync_policy::interval));
    ask<int32_t>(reg, create_atom::value, std::string("b"), settings(storage::fsync_policy::always));
    anon_send_exit(reg, caf::exit_reason::user_shutdown);
    sched.run();
  }
  board = std::make_shared<metadata_board>();
  auto reg = registry();
  auto names = ask<std::vector<std::string>>(reg, list_atom::value);
  CHECK(names == std::vector<std::string>{"a", "b"});
  CHECK(board->find("b")->settings.log.fsync == storage::fsync_policy::always);
  anon_send_exit(reg, caf::exit_reason::user_shutdown);
  sched.run();
}

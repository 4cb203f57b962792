// partition_actor, topic registry and retention actor under CAF's deterministic scheduler:
// time advances only when the test says so.
#include <doctest/doctest.h>

#include <algorithm>

#include <caf/all.hpp>
#include <caf/scheduler/test_coordinator.hpp>

#include "lkstream/model/record_batch.hpp"
#include "lkstream/storage/memory_file_system.hpp"
#include "messages.hpp"
#include "partition/partition_actor.hpp"
#include "topic/retention_actor.hpp"
#include "topic/topic_registry.hpp"


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

  topic_registry_actor registry() {
    topic_registry_config rc;
    rc.data_dir = "/data";
    rc.fs = fs;
    rc.board = board;
    rc.now = clock();
    rc.sync_inline = true;  // the testing scheduler: no sync thread
    auto r = spawn_topic_registry(sys, rc);
    REQUIRE(r);
    return *r;
  }

  template <class T, class Handle, class... Ts>
  T ask(const Handle& a, Ts&&... xs) {
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

append_batch make_batch(int records, timestamp_ms ts, size_t value_size = 100) {
  auto b = std::make_shared<bytes>();
  model::batch_builder builder(*b);
  std::string v(value_size, 'v');
  for (int i = 0; i < records; ++i) builder.append(ts, std::nullopt, as_bytes(v));
  builder.finish();
  return append_batch::of(std::move(b));
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

namespace {

struct recording_fetch_sink final : fetch_sink {
  std::vector<fetch_response> responses;
  void on_fetched(fetch_response r) override { responses.push_back(std::move(r)); }
};

}  // namespace

TEST_CASE_FIXTURE(fixture, "partition_actor: fsync=interval acks at once and syncs on its timer") {
  auto reg = registry();
  auto s = settings(storage::fsync_policy::interval);
  s.log.fsync_interval_ms = 50;
  ask<int32_t>(reg, create_atom::value, std::string("i"), s);
  ask<int32_t>(reg, create_atom::value, std::string("n"), settings(storage::fsync_policy::never));
  auto interval_part = board->find("i")->partitions[0];
  auto never_part = board->find("n")->partitions[0];
  auto sink = std::make_shared<recording_sink>();
  const auto syncs = fs->sync_count();
  caf::anon_send(interval_part, append_atom::value, make_batch(3, wall), append_sink_ptr(sink), true);
  caf::anon_send(never_part, append_atom::value, make_batch(3, wall), append_sink_ptr(sink), true);
  sched.run();
  REQUIRE(sink->outcomes.size() == 2);  // both acknowledged after write(2), before any sync
  CHECK(sink->outcomes[0].code == errc::ok);
  CHECK(fs->sync_count() == syncs);
  sched.advance_time(std::chrono::milliseconds(50));  // the interval timer fires
  sched.run();
  const auto after_timer = fs->sync_count();
  CHECK(after_timer > syncs);
  // A crash now keeps the interval topic's records and loses the never topic's.
  const auto interval_log = "/data/i-0/00000000000000000000.log";
  const auto never_log = "/data/n-0/00000000000000000000.log";
  const auto written = fs->file_size(interval_log).value_or(0);
  CHECK(written > 0);
  for (int i = 0; i < 5; ++i) {
    sched.advance_time(std::chrono::milliseconds(50));
    sched.run();
  }
  CHECK(fs->sync_count() == after_timer);  // no appends, no timer, no syncs
  fs->crash();
  CHECK(fs->file_size(interval_log).value_or(0) == written);
  CHECK(fs->file_size(never_log).value_or(0) == 0);
  anon_send_exit(reg, caf::exit_reason::kill);
  sched.run();
}

TEST_CASE_FIXTURE(fixture, "partition_actor: fsync=interval retries a failed sync on its timer without a new append") {
  auto reg = registry();
  auto s = settings(storage::fsync_policy::interval);
  s.log.fsync_interval_ms = 50;
  ask<int32_t>(reg, create_atom::value, std::string("i"), s);
  auto part = board->find("i")->partitions[0];
  auto sink = std::make_shared<recording_sink>();
  caf::anon_send(part, append_atom::value, make_batch(3, wall), append_sink_ptr(sink), true);
  sched.run();
  REQUIRE(sink->outcomes.size() == 1);
  const auto log_path = "/data/i-0/00000000000000000000.log";
  const auto written = fs->file_size(log_path).value_or(0);
  fs->fail_next_sync(errc::io_error, ".log");
  sched.advance_time(std::chrono::milliseconds(50));  // this sync fails
  sched.run();
  sched.advance_time(std::chrono::milliseconds(50));  // and is retried, with no append since
  sched.run();
  fs->crash();
  CHECK(fs->file_size(log_path).value_or(0) == written);
  anon_send_exit(reg, caf::exit_reason::kill);
  sched.run();
}

TEST_CASE_FIXTURE(fixture, "partition_actor: a parked fetch wakes on data, or answers at max_wait below min_bytes") {
  auto reg = registry();
  ask<int32_t>(reg, create_atom::value, std::string("t"), settings(storage::fsync_policy::never));
  auto part = board->find("t")->partitions[0];
  auto appended = std::make_shared<recording_sink>();
  auto fetched = std::make_shared<recording_fetch_sink>();
  // Nothing to read: the fetch is parked, not answered.
  caf::anon_send(part, fetch_atom::value, fetch_request{offset{0}, 1 << 20, 1, 500},
                 fetch_sink_ptr(fetched));
  sched.run();
  CHECK(fetched->responses.empty());
  caf::anon_send(part, append_atom::value, make_batch(2, wall), append_sink_ptr(appended), true);
  sched.run();
  REQUIRE(fetched->responses.size() == 1);  // woken by the append, without waiting 500 ms
  CHECK(fetched->responses[0].bytes > 0);
  CHECK(fetched->responses[0].high_watermark == offset{2});
  // min_bytes above what arrives: stays parked until max_wait, then gets what there is.
  caf::anon_send(part, fetch_atom::value, fetch_request{offset{2}, 1 << 20, 1 << 20, 500},
                 fetch_sink_ptr(fetched));
  caf::anon_send(part, append_atom::value, make_batch(1, wall), append_sink_ptr(appended), true);
  sched.run();
  CHECK(fetched->responses.size() == 1);
  sched.advance_time(std::chrono::milliseconds(500));
  sched.run();
  REQUIRE(fetched->responses.size() == 2);
  CHECK(fetched->responses[1].code == errc::ok);
  CHECK(fetched->responses[1].bytes > 0);
  CHECK(fetched->responses[1].bytes < (1u << 20));
  anon_send_exit(reg, caf::exit_reason::user_shutdown);
  sched.run();
}

TEST_CASE_FIXTURE(fixture, "partition_actor: parked fetches each answer at their own max_wait, sharing one timer") {
  auto reg = registry();
  ask<int32_t>(reg, create_atom::value, std::string("t"), settings(storage::fsync_policy::never));
  auto part = board->find("t")->partitions[0];
  auto appended = std::make_shared<recording_sink>();
  caf::anon_send(part, append_atom::value, make_batch(1, wall), append_sink_ptr(appended), true);
  sched.run();
  // Both want more than there is; the second waits less than the first.
  auto slow = std::make_shared<recording_fetch_sink>();
  auto fast = std::make_shared<recording_fetch_sink>();
  caf::anon_send(part, fetch_atom::value, fetch_request{offset{0}, 1 << 20, 1 << 20, 500},
                 fetch_sink_ptr(slow));
  sched.run();
  sched.advance_time(std::chrono::milliseconds(100));
  sched.run();
  caf::anon_send(part, fetch_atom::value, fetch_request{offset{0}, 1 << 20, 1 << 20, 150},
                 fetch_sink_ptr(fast));
  sched.run();
  sched.advance_time(std::chrono::milliseconds(149));
  sched.run();
  CHECK(fast->responses.empty());
  CHECK(slow->responses.empty());
  sched.advance_time(std::chrono::milliseconds(1));  // t = 250: fast's deadline
  sched.run();
  REQUIRE(fast->responses.size() == 1);
  CHECK(fast->responses[0].bytes > 0);
  CHECK(slow->responses.empty());
  sched.advance_time(std::chrono::milliseconds(249));
  sched.run();
  CHECK(slow->responses.empty());
  sched.advance_time(std::chrono::milliseconds(1));  // t = 500: slow's deadline
  sched.run();
  REQUIRE(slow->responses.size() == 1);
  CHECK(slow->responses[0].bytes > 0);
  // A fetch parked after the others were answered still gets its timeout.
  auto late = std::make_shared<recording_fetch_sink>();
  caf::anon_send(part, fetch_atom::value, fetch_request{offset{0}, 1 << 20, 1 << 20, 300},
                 fetch_sink_ptr(late));
  sched.run();
  sched.advance_time(std::chrono::milliseconds(300));
  sched.run();
  REQUIRE(late->responses.size() == 1);
  CHECK(fast->responses.size() == 1);  // nobody is answered twice
  CHECK(slow->responses.size() == 1);
  anon_send_exit(reg, caf::exit_reason::user_shutdown);
  sched.run();
}

TEST_CASE_FIXTURE(fixture, "partition_actor: reads near the head come from the hot tail, not the disk") {
  auto reg = registry();
  auto s = settings(storage::fsync_policy::never);
  s.log.segment_bytes = 1 << 20;
  s.log.hot_tail_bytes = 1500;  // holds the newest batch or so (each ~1 KiB)
  ask<int32_t>(reg, create_atom::value, std::string("t"), s);
  auto part = board->find("t")->partitions[0];
  auto appended = std::make_shared<recording_sink>();
  for (int i = 0; i < 4; ++i)
    caf::anon_send(part, append_atom::value, make_batch(1, wall, 1000), append_sink_ptr(appended), true);
  sched.run();
  REQUIRE(appended->outcomes.size() == 4);
  // Damage the value bytes of every batch on "disk", behind the actor's back.
  const auto log = "/data/t-0/00000000000000000000.log";
  const auto size = fs->file_size(log).value_or(0);
  const uint64_t batch_size = size / 4;  // four equal batches
  for (uint64_t k = 0; k < 4; ++k) REQUIRE(fs->flip_bit(log, k * batch_size + 200, 0));
  auto read_at = [&](int64_t off) {
    auto sink = std::make_shared<recording_fetch_sink>();
    caf::anon_send(part, fetch_atom::value, fetch_request{offset{off}, 1, 1, 0}, fetch_sink_ptr(sink));
    sched.run();
    REQUIRE(sink->responses.size() == 1);
    REQUIRE(sink->responses[0].chunks.size() == 1);
    return model::validate_batch(sink->responses[0].chunks[0].view());
  };
  CHECK(read_at(3));                                // the newest batch: memory, intact
  CHECK(read_at(0).code() == errc::crc_mismatch);   // evicted from the tail: read from disk
  anon_send_exit(reg, caf::exit_reason::user_shutdown);
  sched.run();
}

TEST_CASE("partition_actor: an append_batch keeps its buffer only when it is at least half of it") {
  auto frame = std::make_shared_for_overwrite<std::byte[]>(1000);
  auto large = append_batch::slice_or_copy(frame, mutable_bytes_view(frame.get() + 100, 500), 1000);
  CHECK(large.owner == frame);
  CHECK(large.data.data() == frame.get() + 100);
  CHECK(large.pinned_bytes == 1000);
  std::fill_n(frame.get() + 600, 400, std::byte{7});
  auto small = append_batch::slice_or_copy(frame, mutable_bytes_view(frame.get() + 600, 400), 1000);
  CHECK(small.owner != frame);
  CHECK(small.pinned_bytes == 400);
  CHECK(std::all_of(small.data.begin(), small.data.end(), [](std::byte b) { return b == std::byte{7}; }));
}

TEST_CASE_FIXTURE(fixture, "partition_actor: the hot tail counts the memory a batch pins, not its size") {
  auto reg = registry();
  CHECK(ask<int32_t>(reg, create_atom::value, std::string("t"), settings(storage::fsync_policy::never)) == 1);
  auto part = board->find("t")->partitions[0];
  auto sink = std::make_shared<recording_sink>();
  caf::anon_send(part, append_atom::value, make_batch(1, wall), append_sink_ptr(sink), true);
  sched.run();
  const uint64_t before = ask<partition_description>(part, describe_atom::value).hot_tail_bytes;
  auto buffer = std::make_shared<bytes>();
  buffer->reserve(8192);  // as a producer's buffer that grew past its batch
  model::batch_builder builder(*buffer);
  builder.append(wall, std::nullopt, as_bytes("v"));
  builder.finish();
  const size_t size = buffer->size();
  REQUIRE(buffer->capacity() >= 8192);
  caf::anon_send(part, append_atom::value, append_batch::of(buffer), append_sink_ptr(sink), true);
  sched.run();
  REQUIRE(sink->outcomes.size() == 2);
  CHECK(sink->outcomes[1].code == errc::ok);
  auto d = ask<partition_description>(part, describe_atom::value);
  CHECK(d.hot_tail_bytes - before == buffer->capacity());
  CHECK(d.hot_tail_bytes - before > size);
  // Stamped in place, not copied: the producer's buffer itself now carries base offset 1.
  auto hdr = model::validate_batch(*buffer);
  REQUIRE(hdr);
  CHECK(hdr->base_offset == 1);
  anon_send_exit(reg, caf::exit_reason::user_shutdown);
  sched.run();
}

TEST_CASE_FIXTURE(fixture, "partition_actor: an unexpected message is answered with an error and counted, not dropped silently") {
  auto reg = registry();
  CHECK(ask<int32_t>(reg, create_atom::value, std::string("odd"), settings(storage::fsync_policy::never)) == 1);
  auto part = board->find("odd")->partitions[0];
  const auto before = unexpected_message_count();
  caf::scoped_actor self{sys};
  // The typed handle does not compile such a message; an untyped one (or a stray reply) can.
  auto reply = self->request(caf::actor_cast<caf::actor>(part), caf::infinite,
                             std::string("not a partition message"), int64_t{42});
  sched.run();
  bool got_error = false;
  reply.receive([&](int32_t) {},
                [&](caf::error& e) { got_error = e == caf::sec::unexpected_message; });
  CHECK(got_error);
  CHECK(unexpected_message_count() == before + 1);
  // The partition keeps working.
  CHECK(ask<partition_description>(part, describe_atom::value).end == offset{0});
  anon_send_exit(reg, caf::exit_reason::user_shutdown);
  sched.run();
}

// partition_core without actors: appends and their acknowledgement per fsync policy, syncs
// (group commit, failures), fetches (at once, parked, woken, expired, answered now),
// idempotent producers, deletion and shutdown, on a memory_file_system with injected faults.
#include <doctest/doctest.h>

#include <chrono>
#include <memory>
#include <optional>
#include <vector>

#include "lkstream/model/record_batch.hpp"
#include "lkstream/partition/partition_core.hpp"
#include "lkstream/storage/memory_file_system.hpp"

using namespace lkstream;
using namespace lkstream::partition;
using namespace std::chrono_literals;
using storage::fsync_policy;

namespace {

using time_point = partition_core::time_point;

struct recorded_append final : append_sink {
  std::optional<append_outcome> outcome;
  int calls = 0;
  void on_appended(const append_outcome& o) override {
    ++calls;
    outcome = o;
  }
};

struct recorded_fetch final : fetch_sink {
  std::optional<fetch_response> response;
  int calls = 0;
  void on_fetched(fetch_response r) override {
    ++calls;
    response = std::move(r);
  }
};

bytes batch_of(int records, int64_t producer_id = -1, int16_t epoch = -1, int32_t seq = -1) {
  bytes out;
  model::batch_builder b(out, producer_id, epoch, seq);
  for (int i = 0; i < records; ++i) b.append(1700000000000 + i, as_bytes("k"), as_bytes("value"));
  b.finish();
  return out;
}

/// A core over /data/t-0 of a memory file system; `append` and `fetch` return their sinks.
struct core_harness {
  std::shared_ptr<storage::memory_file_system> fs =
      std::make_shared<storage::memory_file_system>();
  storage::log_config cfg;
  std::unique_ptr<partition_core> core;
  time_point t0 = time_point{} + 1h;
  timestamp_ms wall = 1700000000000;
  std::vector<std::pair<std::string, std::string>> logged;  // config::report: key, line

  explicit core_harness(fsync_policy policy = fsync_policy::never, bool log_append_time = false) {
    cfg.fsync = policy;
    open(log_append_time);
  }

  void open(bool log_append_time = false) {
    core.reset();
    auto lg = storage::log::open(fs, "/data/t-0", cfg, wall);
    REQUIRE_MESSAGE(lg, lg.err().to_string());
    auto txns = transaction_state::open(fs, **lg);
    REQUIRE_MESSAGE(txns, txns.err().to_string());
    core = std::make_unique<partition_core>(partition_core::config{
        "t", partition_id{0}, std::shared_ptr<storage::log>(std::move(*lg)), log_append_time,
        std::move(*txns), [this](std::string_view key, std::string_view line) {
          logged.emplace_back(key, line);
        }});
  }

  std::shared_ptr<recorded_append> append(const bytes& b, core_todo* todo = nullptr,
                                          bool validate = true) {
    auto sink = std::make_shared<recorded_append>();
    auto t = core->append(append_batch::copy_of(b), sink, validate, wall);
    if (todo) *todo = t;
    return sink;
  }

  std::shared_ptr<recorded_fetch> fetch(int64_t start, int64_t max_wait_ms = 0,
                                        size_t min_bytes = 1, bool* parked = nullptr) {
    auto sink = std::make_shared<recorded_fetch>();
    fetch_request rq;
    rq.start = offset{start};
    rq.max_wait_ms = max_wait_ms;
    rq.min_bytes = min_bytes;
    bool p = core->fetch(rq, sink, t0);
    if (parked) *parked = p;
    return sink;
  }

  /// Runs the sync the core hands out (inline) and returns what the core asks next.
  std::optional<core_todo> sync() {
    auto job = core->begin_sync();
    if (!job) return std::nullopt;
    return core->end_sync(*job, job->file->sync());
  }
};

}  // namespace

TEST_CASE("partition_core: fsync=never acknowledges at once with contiguous offsets") {
  core_harness h(fsync_policy::never);
  core_todo todo;
  auto a = h.append(batch_of(3), &todo);
  CHECK_FALSE(todo.sync_wanted);
  CHECK_FALSE(todo.arm_interval_sync);
  REQUIRE(a->outcome);
  CHECK(a->outcome->code == errc::ok);
  CHECK(a->outcome->info.base_offset == offset{0});
  CHECK(a->outcome->info.last_offset == offset{2});
  auto b = h.append(batch_of(2));
  CHECK(b->outcome->info.base_offset == offset{3});
  CHECK(h.core->high_watermark() == offset{5});
  CHECK(h.core->describe().end == offset{5});
}

TEST_CASE("partition_core: fsync=interval acknowledges at once and asks for a timed sync") {
  core_harness h(fsync_policy::interval);
  core_todo todo;
  auto a = h.append(batch_of(1), &todo);
  CHECK(a->calls == 1);
  CHECK(todo.arm_interval_sync);
  CHECK_FALSE(todo.sync_wanted);
  auto after = h.sync();
  REQUIRE(after);
  CHECK_FALSE(after->arm_interval_sync);  // nothing appended while it ran
  CHECK(h.fs->sync_count() > 0);
}

TEST_CASE("partition_core: fsync=always acknowledges only after the sync, and appends share it") {
  core_harness h(fsync_policy::always);
  core_todo todo;
  auto a = h.append(batch_of(2), &todo);
  CHECK(todo.sync_wanted);
  auto b = h.append(batch_of(2));
  CHECK(a->calls == 0);
  CHECK(b->calls == 0);
  // Readers do not see what a crash could take back.
  CHECK(h.core->high_watermark() == offset{0});
  auto f = h.fetch(0);
  REQUIRE(f->response);
  CHECK(f->response->bytes == 0);
  const auto syncs_before = h.fs->sync_count();
  auto next = h.sync();
  REQUIRE(next);
  CHECK_FALSE(next->sync_wanted);
  CHECK(h.fs->sync_count() == syncs_before + 1);  // one fdatasync for both (group commit)
  REQUIRE(a->outcome);
  REQUIRE(b->outcome);
  CHECK(a->outcome->code == errc::ok);
  CHECK(b->outcome->info.base_offset == offset{2});
  CHECK(h.core->high_watermark() == offset{4});
}

TEST_CASE("partition_core: an append made while a sync runs waits for the next one") {
  core_harness h(fsync_policy::always);
  auto a = h.append(batch_of(1));
  auto job = h.core->begin_sync();
  REQUIRE(job);
  CHECK_FALSE(h.core->begin_sync());  // one job at a time
  auto b = h.append(batch_of(1));
  auto todo = h.core->end_sync(*job, job->file->sync());
  CHECK(a->calls == 1);
  CHECK(b->calls == 0);
  CHECK(todo.sync_wanted);
  REQUIRE(h.sync());
  CHECK(b->calls == 1);
  CHECK(b->outcome->code == errc::ok);
}

TEST_CASE("partition_core: a failed sync fails the appends it covered, a later one succeeds") {
  core_harness h(fsync_policy::always);
  auto a = h.append(batch_of(1));
  h.fs->fail_next_sync(errc::io_error, ".log");
  REQUIRE(h.sync());
  REQUIRE(a->outcome);
  CHECK(a->outcome->code == errc::io_error);
  CHECK(a->outcome->message.find("fdatasync failed") != std::string::npos);
  auto b = h.append(batch_of(1));
  REQUIRE(h.sync());
  REQUIRE(b->outcome);
  CHECK(b->outcome->code == errc::ok);
  CHECK(h.core->high_watermark() == b->outcome->info.last_offset + 1);
}

TEST_CASE("partition_core: a failed write is reported and the partition keeps working") {
  core_harness h(fsync_policy::never);
  h.fs->fail_next_append(errc::no_space, ".log");
  auto a = h.append(batch_of(1));
  REQUIRE(a->outcome);
  CHECK(a->outcome->code == errc::no_space);
  auto b = h.append(batch_of(1));
  CHECK(b->outcome->code == errc::ok);
  CHECK(b->outcome->info.base_offset == offset{0});
}

TEST_CASE("partition_core: oversized, corrupt and unvalidated batches") {
  core_harness h;
  h.cfg.max_batch_bytes = 200;
  h.open();
  auto big = h.append(batch_of(50));
  CHECK(big->outcome->code == errc::message_too_large);
  auto bad = batch_of(1);
  bad.back() ^= std::byte{1};  // a record byte: the CRC no longer matches
  CHECK(h.append(bad)->outcome->code != errc::ok);
  CHECK(h.core->describe().end == offset{0});
}

TEST_CASE("partition_core: a fetch is answered at once with data, or parked until an append wakes it") {
  core_harness h;
  h.append(batch_of(2));
  auto now = h.fetch(0, 500);
  REQUIRE(now->response);
  CHECK(now->response->code == errc::ok);
  CHECK(now->response->bytes > 0);

  bool parked = false;
  auto waiting = h.fetch(2, 500, 1, &parked);
  CHECK(parked);
  CHECK(waiting->calls == 0);
  CHECK(h.core->next_deadline() == h.t0 + 500ms);
  auto a = h.append(batch_of(1));
  CHECK(waiting->calls == 1);  // woken by the append
  CHECK(waiting->response->bytes > 0);
  CHECK(a->calls == 1);
  CHECK(h.core->parked_count() == 0);
  CHECK_FALSE(h.core->next_deadline());
}

TEST_CASE("partition_core: parked fetches expire at their deadline, min_bytes keeps them parked") {
  core_harness h;
  bool parked = false;
  auto short_wait = h.fetch(0, 100, 1, &parked);
  auto long_wait = h.fetch(0, 300, 1 << 20, &parked);  // wants far more than one batch
  CHECK(parked);
  h.core->expire(h.t0 + 99ms);
  CHECK(short_wait->calls == 0);
  h.core->expire(h.t0 + 100ms);
  REQUIRE(short_wait->response);
  CHECK(short_wait->response->bytes == 0);
  CHECK(short_wait->response->code == errc::ok);
  h.append(batch_of(1));
  CHECK(long_wait->calls == 0);  // below min_bytes: stays parked
  CHECK(h.core->next_deadline() == h.t0 + 300ms);
  h.core->expire(h.t0 + 300ms);
  REQUIRE(long_wait->response);
  CHECK(long_wait->response->bytes > 0);  // what there is, at the deadline
}

TEST_CASE("partition_core: fetch_now answers one parked fetch with what is readable") {
  core_harness h;
  auto a = h.fetch(0, 10000);
  auto b = h.fetch(0, 10000);
  h.core->fetch_now(a);
  CHECK(a->calls == 1);
  CHECK(b->calls == 0);
  h.core->fetch_now(a);  // already answered: nothing happens
  CHECK(a->calls == 1);
  CHECK(h.core->parked_count() == 1);
}

TEST_CASE("partition_core: fetches outside the log are offset_out_of_range") {
  core_harness h;
  h.append(batch_of(2));
  auto f = h.fetch(5);
  REQUIRE(f->response);
  CHECK(f->response->code == errc::offset_out_of_range);
  CHECK(f->response->message.find("t-0") != std::string::npos);
}

TEST_CASE("partition_core: idempotent duplicates get the original offsets, gaps and stale epochs fail") {
  core_harness h;
  auto first = h.append(batch_of(3, 7, 0, 0));
  REQUIRE(first->outcome->code == errc::ok);
  auto again = h.append(batch_of(3, 7, 0, 0));
  CHECK(again->outcome->code == errc::ok);
  CHECK(again->outcome->sequence == sequence_check::duplicate);
  CHECK(again->outcome->info.base_offset == first->outcome->info.base_offset);
  CHECK(h.core->describe().end == offset{3});  // not appended twice
  CHECK(h.append(batch_of(1, 7, 0, 5))->outcome->code == errc::out_of_order_sequence);
  CHECK(h.append(batch_of(1, 7, 1, 0))->outcome->code == errc::ok);  // new epoch from 0
  CHECK(h.append(batch_of(1, 7, 0, 3))->outcome->sequence == sequence_check::stale_epoch);
  CHECK(h.append(batch_of(1, 8, 0, -1))->outcome->code == errc::corrupt_batch);
}

TEST_CASE("partition_core: idempotent state is rebuilt from the log after a reopen") {
  core_harness h;
  h.append(batch_of(2, 9, 0, 0));
  h.core->close();
  h.open();
  auto dup = h.append(batch_of(2, 9, 0, 0));
  CHECK(dup->outcome->sequence == sequence_check::duplicate);
  CHECK(dup->outcome->info.base_offset == offset{0});
}

TEST_CASE("partition_core: under fsync=always a duplicate is not acknowledged before the original is durable") {
  core_harness h(fsync_policy::always);
  auto original = h.append(batch_of(1, 5, 0, 0));
  core_todo todo;
  auto retry = h.append(batch_of(1, 5, 0, 0), &todo);
  CHECK(todo.sync_wanted);
  CHECK(original->calls == 0);
  CHECK(retry->calls == 0);
  REQUIRE(h.sync());
  CHECK(original->outcome->code == errc::ok);
  CHECK(retry->outcome->code == errc::ok);
  CHECK(retry->outcome->info.base_offset == original->outcome->info.base_offset);
}

TEST_CASE("partition_core: LogAppendTime topics stamp the batch with the broker's time") {
  core_harness h(fsync_policy::never, true);
  auto a = h.append(batch_of(2));
  CHECK(a->outcome->info.log_append_time == h.wall);
  auto f = h.fetch(0);
  REQUIRE(f->response);
  REQUIRE(!f->response->chunks.empty());
  auto hdr = model::read_header(f->response->chunks[0].view());
  REQUIRE(hdr);
  CHECK(hdr->max_timestamp == h.wall);
}

TEST_CASE("partition_core: list_offset answers earliest, latest and by time") {
  core_harness h;
  h.append(batch_of(3));
  auto earliest = h.core->list_offset(-2);
  REQUIRE(earliest);
  CHECK(earliest->first == 0);
  CHECK(h.core->list_offset(-1)->first == 3);
  CHECK(h.core->list_offset(1700000000001)->first == 1);  // the first record at or after it
  CHECK(h.core->list_offset(1800000000000)->first == -1);
}

TEST_CASE("partition_core: remove fails waiting appends, answers parked fetches, then answers closed") {
  core_harness h(fsync_policy::always);
  auto waiting = h.append(batch_of(1));
  auto parked = h.fetch(1, 10000);
  REQUIRE(h.core->remove());
  REQUIRE(waiting->outcome);
  CHECK(waiting->outcome->code == errc::closed);
  CHECK(parked->calls == 1);
  CHECK(h.core->closed());
  CHECK_FALSE(h.fs->exists("/data/t-0"));
  CHECK(h.append(batch_of(1))->outcome->code == errc::closed);
  CHECK(h.fetch(0)->response->code == errc::closed);
  CHECK(h.core->list_offset(-1).code() == errc::closed);
  CHECK_FALSE(h.core->begin_sync());
}

TEST_CASE("partition_core: close syncs what waits, acknowledges it and answers parked fetches with closed") {
  core_harness h(fsync_policy::always);
  auto waiting = h.append(batch_of(2));
  auto parked = h.fetch(0, 10000, 1 << 20);
  h.core->close();
  REQUIRE(waiting->outcome);
  CHECK(waiting->outcome->code == errc::ok);
  REQUIRE(parked->response);
  CHECK(parked->response->code == errc::closed);
  h.fs->crash();  // what close() acknowledged survives a power loss
  h.open();
  CHECK(h.core->describe().end == offset{2});
}

TEST_CASE("partition_core: retention drops old segments and the hot tail keeps serving the rest") {
  core_harness h;
  h.cfg.segment_bytes = 200;
  h.cfg.retention_ms = 1000;
  h.open();
  for (int i = 0; i < 6; ++i) h.append(batch_of(2));
  const auto before = h.core->describe();
  CHECK(before.segments > 2);
  auto removed = h.core->apply_retention(h.wall + 10000);
  REQUIRE(removed);
  CHECK(*removed > 0);
  auto after = h.core->describe();
  CHECK(after.log_start > before.log_start);
  auto f = h.fetch(after.log_start.value());
  CHECK(f->response->code == errc::ok);
  CHECK(f->response->bytes > 0);
}

TEST_CASE("partition_core: a roll that cannot open its files fails the append at once, logs the "
          "cause, and the next append writes and says so") {
  core_harness h(fsync_policy::always);
  h.cfg.segment_bytes = 150;  // the second batch rolls
  h.open();
  auto first = h.append(batch_of(3));
  REQUIRE(h.sync());
  REQUIRE(first->outcome);
  REQUIRE(first->outcome->code == errc::ok);
  for (int attempt = 1; attempt <= 2; ++attempt) {
    CAPTURE(attempt);
    h.fs->fail_next_open(errc::io_error, "00000000000000000003.log");  // EMFILE, say
    core_todo todo;
    auto failed = h.append(batch_of(2), &todo);
    CHECK(failed->calls == 1);  // answered at once, not left waiting for a sync
    REQUIRE(failed->outcome);
    CHECK(failed->outcome->code == errc::io_error);
    CHECK(failed->outcome->message.find("injected") != std::string::npos);
    CHECK_FALSE(todo.sync_wanted);
    REQUIRE(h.logged.size() == static_cast<size_t>(attempt));
    CHECK(h.logged.back().first == "storage error t-0");
    CHECK(h.logged.back().second.find("partition t-0: storage error (io_error)") == 0);
    CHECK(h.logged.back().second.find("injected") != std::string::npos);
    CHECK(h.core->describe().end == offset{3});
  }
  auto again = h.append(batch_of(2));
  REQUIRE(h.sync());
  REQUIRE(again->outcome);
  CHECK(again->outcome->code == errc::ok);
  CHECK(again->outcome->info.base_offset == offset{3});
  REQUIRE(h.logged.size() == 3);
  CHECK(h.logged.back().first == "storage recovered t-0");
  CHECK(h.logged.back().second == "partition t-0: writing again after 2 failed writes");
  CHECK(h.core->describe().segments == 2);
  // What was acknowledged is there after a reopen.
  h.open();
  CHECK(h.core->describe().end == offset{5});
  auto f = h.fetch(0);
  REQUIRE(f->response);
  CHECK(f->response->code == errc::ok);
}

TEST_CASE("partition_core: a validation error is not a storage error and is not logged") {
  core_harness h;
  bytes bad = batch_of(2);
  bad.back() = static_cast<std::byte>(~std::to_integer<unsigned>(bad.back()));  // CRC mismatch
  auto a = h.append(bad);
  REQUIRE(a->outcome);
  CHECK(a->outcome->code != errc::ok);
  CHECK(h.logged.empty());
}

// log::begin_sync / end_sync: the fdatasync handed to another thread while the owner keeps
// appending (the partition actor's sync thread), on the memory file system's crash model.

#include <doctest/doctest.h>

#include <thread>

#include "framework/log_test_support.hpp"

using namespace lkstream;
using namespace lkstream::storage;
using namespace lkstream::storage::test;

TEST_CASE("log: a sync job covers what was appended before begin_sync, even when run on another thread") {
  log_harness h;
  h.append(3, 0);
  h.append(2, 10);
  auto job = h.lg->begin_sync();
  REQUIRE(job);
  REQUIRE(job->has_value());
  CHECK((*job)->covers == offset{5});
  h.append(4, 20);  // after begin_sync: not covered by this job
  status outcome;
  std::thread t([&] { outcome = (*job)->file->sync(); });
  t.join();
  REQUIRE(outcome);
  h.lg->end_sync(**job, outcome);
  h.lg.reset();
  h.fs->crash();  // unsynced bytes are lost
  h.reopen();
  CHECK(h.lg->end_offset() >= offset{5});
  check_contiguous(h.read_all(), 0, h.lg->end_offset().value());
}

TEST_CASE("log: begin_sync has nothing to do when everything written is durable") {
  log_harness h;
  h.append(2, 0);
  auto job = h.lg->begin_sync();
  REQUIRE(job);
  REQUIRE(job->has_value());
  h.lg->end_sync(**job, (*job)->file->sync());
  auto again = h.lg->begin_sync();
  REQUIRE(again);
  CHECK_FALSE(again->has_value());
  h.append(1, 5);
  auto third = h.lg->begin_sync();
  REQUIRE(third);
  CHECK(third->has_value());
}

TEST_CASE("log: a sync job outlives a roll and a close of its segment") {
  log_config cfg;
  cfg.segment_bytes = 400;
  cfg.fsync = fsync_policy::always;
  log_harness h(cfg);
  h.append(2, 0);
  auto job = h.lg->begin_sync();
  REQUIRE(job);
  REQUIRE(job->has_value());
  for (int i = 0; i < 6; ++i) h.append(2, 10 * i);  // rolls the job's segment
  CHECK(h.lg->segments().size() > 1);
  auto f = (*job)->file;
  REQUIRE(h.lg->close());
  auto st = f->sync();  // the file object is still valid
  CHECK(st);
  h.lg->end_sync(**job, st);  // ignored by a closed log
}

TEST_CASE("log: a failed sync job is reported and a later one makes the data durable") {
  log_harness h;
  h.append(2, 0);
  h.fs->fail_next_sync(errc::io_error);
  auto job = h.lg->begin_sync();
  REQUIRE(job);
  REQUIRE(job->has_value());
  auto st = (*job)->file->sync();
  REQUIRE_FALSE(st);
  CHECK(st.code() == errc::io_error);
  h.lg->end_sync(**job, st);
  auto retry = h.lg->begin_sync();
  REQUIRE(retry);
  REQUIRE(retry->has_value());  // still unsynced after the failure
  REQUIRE((*retry)->file->sync());
  h.lg->end_sync(**retry, status{});
  h.lg.reset();
  h.fs->crash();
  h.reopen();
  CHECK(h.lg->end_offset() == offset{2});
}

// Write and sync failures: the log refuses the append, stays unchanged and keeps working.

#include <doctest/doctest.h>

#include "framework/log_test_support.hpp"

using namespace lkstream;
using namespace lkstream::storage;
using namespace lkstream::storage::test;

TEST_CASE("log: ENOSPC on append returns no_space and leaves the log usable and unchanged") {
  log_harness h;
  h.append(2, 0);
  const bytes before = h.read_bytes();
  const std::string path = h.path(offset{0}, ".log");
  h.fs->fail_next_append(errc::no_space);
  bytes b = make_batch(3, 1);
  auto r = h.lg->append(b, 0);
  REQUIRE_FALSE(r);
  CHECK(r.code() == errc::no_space);
  CHECK(r.err().message.find(path) != std::string::npos);
  CHECK(h.lg->end_offset() == offset{2});
  CHECK(*h.fs->file_size(path) == before.size());
  CHECK(h.read_bytes() == before);

  auto again = h.lg->append(b, 0);
  REQUIRE(again);
  CHECK(again->base_offset == offset{2});
  REQUIRE(h.lg->close());
  h.reopen();
  CHECK(h.lg->recovery().truncated_bytes == 0);
  CHECK(h.lg->end_offset() == offset{5});
  check_contiguous(h.read_all(), 0, 5);
}

TEST_CASE("log: a short write is cut back and the same offset is reused") {
  log_harness h;
  h.append(2, 0);
  const uint64_t size = h.lg->size_bytes();
  h.fs->short_write_next(40);
  bytes b = make_batch(3, 1);
  auto r = h.lg->append(b, 0);
  REQUIRE_FALSE(r);
  CHECK(r.code() == errc::io_error);
  CHECK(h.lg->end_offset() == offset{2});
  CHECK(*h.fs->file_size(h.path(offset{0}, ".log")) == size);  // the 40 bytes are gone
  REQUIRE(h.lg->append(b, 0)->base_offset == offset{2});
  REQUIRE(h.lg->sync());
  h.lg.reset();
  h.fs->crash();
  h.reopen();
  CHECK(h.lg->recovery().truncated_bytes == 0);
  check_contiguous(h.read_all(), 0, 5);
}

TEST_CASE("log: a failed roll leaves the log usable") {
  log_config cfg;
  cfg.segment_bytes = 150;
  log_harness h(cfg);
  h.append(1, 0);
  h.fs->fail_next_append(errc::no_space, ".timeindex");  // retried by the next flush
  h.fs->fail_next_sync(errc::io_error);    // the roll's fdatasync of the old segment fails
  bytes b = make_batch(2, 1);
  auto r = h.lg->append(b, 0);
  REQUIRE_FALSE(r);
  CHECK(r.code() == errc::io_error);
  CHECK(h.lg->end_offset() == offset{1});
  CHECK(h.lg->segments().size() == 1);
  auto ok_now = h.lg->append(b, 0);
  REQUIRE(ok_now);
  CHECK(ok_now->base_offset == offset{1});
  CHECK(h.lg->segments().size() == 2);
  check_contiguous(h.read_all(), 0, 3);
}

TEST_CASE("log: a roll whose segment files cannot be opened fails that append only, leaves no "
          "half-made segment behind, and the next append rolls") {
  log_config cfg;
  cfg.segment_bytes = 150;
  log_harness h(cfg);
  h.append(1, 0);
  bytes b = make_batch(2, 1);
  // Descriptors exhausted at each of the three files the roll makes, in turn.
  for (const char* which : {".log", ".index", ".timeindex"}) {
    CAPTURE(which);
    h.fs->fail_next_open(errc::io_error, segment_file_prefix(offset{1}) + which);
    auto r = h.lg->append(b, 0);
    REQUIRE_FALSE(r);
    CHECK(r.code() == errc::io_error);
    CHECK(h.lg->end_offset() == offset{1});
    CHECK(h.lg->segments().size() == 1);
    for (const char* suffix : {".log", ".index", ".timeindex"})
      CHECK_MESSAGE(!h.fs->exists(h.path(offset{1}, suffix)), "left behind: " << suffix);
  }
  auto ok_now = h.lg->append(b, 0);
  REQUIRE(ok_now);
  CHECK(ok_now->base_offset == offset{1});
  CHECK(h.lg->segments().size() == 2);
  REQUIRE(h.lg->close());
  h.reopen();
  CHECK(h.lg->recovery().rebuilt_indexes == 0);
  check_contiguous(h.read_all(), 0, 3);
}

TEST_CASE("log: an index write failure fails neither append, sync, roll nor close") {
  log_config cfg;
  cfg.index_interval_bytes = 50;
  log_harness h(cfg);
  for (int i = 0; i < 20; ++i) h.append(2, i);
  const std::string index0 = h.path(offset{0}, ".index");
  REQUIRE(h.lg->sync());
  CHECK(h.fs->contents(index0)->empty());  // a sync of the .log leaves index entries pending
  h.fs->fail_next_append(errc::no_space, ".index");
  h.fs->fail_next_append(errc::no_space, ".timeindex");
  REQUIRE(h.lg->roll(0));  // the seal's index write fails, not the roll
  CHECK(h.fs->contents(index0)->empty());
  h.append(2, 20);
  REQUIRE(h.lg->close());  // the retry writes the pending entries
  CHECK_FALSE(h.fs->contents(index0)->empty());
  h.reopen();
  CHECK(h.lg->recovery().rebuilt_indexes == 0);
  check_contiguous(h.read_all(), 0, 42);
}

TEST_CASE("log: a failed sync is reported and a later sync retries") {
  log_harness h;
  h.append(2, 0);
  h.fs->fail_next_sync(errc::io_error, ".log");
  auto st = h.lg->sync();
  REQUIRE_FALSE(st);
  CHECK(st.code() == errc::io_error);
  REQUIRE(h.lg->sync());
  h.lg.reset();
  h.fs->crash();
  h.reopen();
  CHECK(h.lg->end_offset() == offset{2});
}

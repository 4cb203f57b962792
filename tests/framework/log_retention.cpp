// Retention by time and by size: whole closed segments, oldest first, never the active one.

#include <doctest/doctest.h>

#include "framework/log_test_support.hpp"

using namespace lkstream;
using namespace lkstream::storage;
using namespace lkstream::storage::test;

namespace {

// Five segments of two 2-record batches each; segment i holds timestamps 1000*i .. 1000*i+11.
log_harness five_segments(log_config cfg) {
  cfg.segment_bytes = 1 << 20;
  log_harness h(cfg);
  for (int s = 0; s < 5; ++s) {
    if (s > 0) REQUIRE(h.lg->roll(0));
    h.append(2, 1000 * s);
    h.append(2, 1000 * s + 10);
  }
  REQUIRE(h.lg->segments().size() == 5);
  return h;
}

}  // namespace

TEST_CASE("log: time retention deletes closed segments whose newest record is too old") {
  log_config cfg;
  cfg.retention_ms = 5000;
  log_harness h = five_segments(cfg);
  // now - retention = 2500: segments 0 (max 11), 1 (max 1011), 2 (max 2011) are older.
  auto removed = h.lg->apply_retention(7500);
  REQUIRE(removed);
  CHECK(*removed == 3);
  CHECK(h.lg->start_offset() == offset{12});
  CHECK(h.lg->segments().size() == 2);
  CHECK(h.lg->segments().front().base_offset == offset{12});
  for (int64_t base : {0, 4, 8}) {
    CHECK_FALSE(h.fs->exists(h.path(offset{base}, ".log")));
    CHECK_FALSE(h.fs->exists(h.path(offset{base}, ".index")));
    CHECK_FALSE(h.fs->exists(h.path(offset{base}, ".timeindex")));
  }
  read_config rc;
  rc.start = offset{11};
  CHECK(h.lg->read(rc).code() == errc::offset_out_of_range);
  check_contiguous(h.read_all(), 12, 20);
  CHECK(*h.lg->apply_retention(7500) == 0);  // nothing more is old enough
  // Reopening keeps the new start.
  h.reopen();
  CHECK(h.lg->start_offset() == offset{12});
  CHECK(h.lg->end_offset() == offset{20});
}

TEST_CASE("log: time retention never deletes the active segment") {
  log_config cfg;
  cfg.retention_ms = 0;
  log_harness h = five_segments(cfg);
  CHECK(*h.lg->apply_retention(1'000'000) == 4);
  auto segs = h.lg->segments();
  REQUIRE(segs.size() == 1);
  CHECK(segs[0].base_offset == offset{16});
  CHECK(h.lg->start_offset() == offset{16});
  CHECK(h.lg->end_offset() == offset{20});
  h.append(1, 5);
  check_contiguous(h.read_all(), 16, 21);
}

TEST_CASE("log: size retention deletes the oldest segments while the log is too large") {
  log_config cfg;
  cfg.retention_ms = -1;
  log_harness h = five_segments(cfg);
  const uint64_t seg_size = h.lg->segments()[0].size_bytes;
  for (const auto& s : h.lg->segments()) REQUIRE(s.size_bytes == seg_size);
  log_config c = h.lg->config();
  c.retention_bytes = static_cast<int64_t>(2 * seg_size + seg_size / 2);
  h.lg->update_config(c);
  CHECK(*h.lg->apply_retention(0) == 3);
  CHECK(h.lg->size_bytes() == 2 * seg_size);
  CHECK(h.lg->start_offset() == offset{12});

  c.retention_bytes = 0;  // still never the active segment
  h.lg->update_config(c);
  CHECK(*h.lg->apply_retention(0) == 1);
  CHECK(h.lg->segments().size() == 1);
  CHECK(h.lg->start_offset() == offset{16});
}

TEST_CASE("log: retention of -1 keeps everything") {
  log_config cfg;
  cfg.retention_ms = -1;
  cfg.retention_bytes = -1;
  log_harness h = five_segments(cfg);
  CHECK(*h.lg->apply_retention(INT64_MAX / 2) == 0);
  CHECK(h.lg->segments().size() == 5);
  CHECK(h.lg->start_offset() == offset{0});
}

TEST_CASE("log: offset_for_timestamp after retention only answers retained offsets") {
  log_config cfg;
  cfg.retention_ms = 1500;
  log_harness h = five_segments(cfg);
  CHECK(*h.lg->apply_retention(3000) == 2);  // threshold 1500: segments 0 and 1 are gone
  CHECK(*h.lg->offset_for_timestamp(0) == offset{8});
  CHECK(*h.lg->offset_for_timestamp(4010) == offset{18});
}

// DeleteRecords at the storage level (log::advance_start): the log start offset moves forward
// durably, whole segments below it go, reads below it are out of range, retention never moves
// it back, and a crash at any point of the move leaves either the old or the new start.

#include <doctest/doctest.h>

#include "framework/log_test_support.hpp"

using namespace lkstream;
using namespace lkstream::storage;
using namespace lkstream::storage::test;

namespace {

// Four segments of two 2-record batches each: offsets 0..15, segment bases 0, 4, 8, 12.
log_harness four_segments(log_config cfg = {}) {
  cfg.segment_bytes = 1 << 20;
  log_harness h(cfg);
  for (int s = 0; s < 4; ++s) {
    if (s > 0) REQUIRE(h.lg->roll(0));
    h.append(2, 1000 * s);
    h.append(2, 1000 * s + 10);
  }
  REQUIRE(h.lg->segments().size() == 4);
  return h;
}

result<read_result> read_at(const log& lg, int64_t at) {
  read_config rc;
  rc.start = offset{at};
  return lg.read(rc);
}

}  // namespace

TEST_CASE("log: advance_start hides the offsets below it and deletes the segments below it") {
  log_harness h = four_segments();
  auto r = h.lg->advance_start(offset{9});
  REQUIRE_MESSAGE(r, r.err().to_string());
  CHECK(*r == offset{9});
  CHECK(h.lg->start_offset() == offset{9});
  // Segments 0 and 4 lie wholly below 9; segment 8 holds offset 9 and stays.
  auto segs = h.lg->segments();
  REQUIRE(segs.size() == 2);
  CHECK(segs[0].base_offset == offset{8});
  CHECK_FALSE(h.fs->exists(h.path(offset{0}, ".log")));
  CHECK_FALSE(h.fs->exists(h.path(offset{4}, ".log")));
  CHECK(read_at(*h.lg, 8).code() == errc::offset_out_of_range);
  auto at9 = read_at(*h.lg, 9);
  REQUIRE(at9);
  // The batch holding offset 9 starts at 8: whole batches are served, readers skip below 9.
  CHECK(headers_of(at9->data.view()).front().base_offset == 8);
}

TEST_CASE("log: advance_start survives a reopen, and below the current start changes nothing") {
  log_harness h = four_segments();
  REQUIRE(h.lg->advance_start(offset{6}));
  CHECK(*h.lg->advance_start(offset{2}) == offset{6});  // not backwards
  h.reopen();
  CHECK(h.lg->start_offset() == offset{6});
  CHECK(h.lg->end_offset() == offset{16});
  CHECK(read_at(*h.lg, 5).code() == errc::offset_out_of_range);
  CHECK(read_at(*h.lg, 6));
  h.append(1, 5000);
  CHECK(h.lg->end_offset() == offset{17});
}

TEST_CASE("log: advance_start past the end is refused; to the end keeps the active segment") {
  log_harness h = four_segments();
  CHECK(h.lg->advance_start(offset{17}).code() == errc::offset_out_of_range);
  CHECK(h.lg->start_offset() == offset{0});
  REQUIRE(h.lg->advance_start(offset{16}));
  CHECK(h.lg->start_offset() == offset{16});
  REQUIRE(h.lg->segments().size() == 1);
  CHECK(h.lg->segments()[0].base_offset == offset{12});
  h.append(2, 6000);
  auto r = read_at(*h.lg, 16);
  REQUIRE(r);
  CHECK(headers_of(r->data.view()).front().base_offset == 16);
}

TEST_CASE("log: retention after advance_start never moves the start back") {
  log_config cfg;
  cfg.retention_ms = 5000;
  log_harness h = four_segments(cfg);
  REQUIRE(h.lg->advance_start(offset{2}));
  // Segment 0 (newest record 11) is older than now - retention: deleted; the start becomes 4.
  CHECK(*h.lg->apply_retention(5500) == 1);
  CHECK(h.lg->start_offset() == offset{4});
  REQUIRE(h.lg->advance_start(offset{10}));
  CHECK(*h.lg->apply_retention(5500) == 0);  // 8's segment is too young; start stays 10
  CHECK(h.lg->start_offset() == offset{10});
}

TEST_CASE("log: a crash at every step of advance_start leaves the old or the new start") {
  uint64_t mutations = 0;
  {
    log_harness h = four_segments();
    const uint64_t before = h.fs->mutation_count();
    REQUIRE(h.lg->advance_start(offset{9}));
    mutations = h.fs->mutation_count() - before;
  }
  REQUIRE(mutations > 2);
  int saw_old = 0, saw_new = 0;
  for (uint64_t n = 0; n <= mutations; ++n) {
    CAPTURE(n);
    log_harness h = four_segments();
    REQUIRE(h.lg->sync());
    h.fs->kill_after_mutations(n);
    (void)h.lg->advance_start(offset{9});
    h.fs->kill_after_mutations(std::nullopt);
    h.fs->crash();
    h.reopen();
    const auto start = h.lg->start_offset().value();
    CHECK((start == 0 || start == 9));
    saw_old += start == 0;
    saw_new += start == 9;
    CHECK(h.lg->end_offset() == offset{16});
    CHECK(h.lg->recovery().corrupt_segments.empty());
    CHECK(read_at(*h.lg, start));
    if (start == 9) CHECK(read_at(*h.lg, 8).code() == errc::offset_out_of_range);
  }
  CHECK(saw_old > 0);
  CHECK(saw_new > 0);
}

// Recovery at open: torn tails, corrupt batches, garbage, damaged or missing indexes, damaged
// older segments. Damage is injected through memory_file_system.

#include <doctest/doctest.h>

#include <algorithm>

#include "framework/log_test_support.hpp"

using namespace lkstream;
using namespace lkstream::storage;
using namespace lkstream::storage::test;

namespace {

bool contains(const std::string& s, std::string_view part) {
  return s.find(part) != std::string::npos;
}

// Every offset of the log is readable and lands in the batch holding it.
void check_point_reads(const log& lg) {
  for (int64_t o = lg.start_offset().value(); o < lg.end_offset().value(); ++o) {
    read_config rc;
    rc.start = offset{o};
    rc.max_bytes = 0;
    auto r = lg.read(rc);
    REQUIRE(r);
    auto hs = headers_of(r->data.view());
    REQUIRE(hs.size() == 1);
    CHECK(hs[0].base_offset <= o);
    CHECK(hs[0].last_offset() >= o);
  }
}

}  // namespace

TEST_CASE("log: reopening restores offsets, segments and data with nothing to repair") {
  log_config cfg;
  cfg.segment_bytes = 1500;
  cfg.index_interval_bytes = 200;
  log_harness h(cfg);
  for (int i = 0; i < 50; ++i) h.append(1 + i % 4, 100 * i);
  const auto segs = h.lg->segments();
  const bytes data = h.read_bytes();
  const offset end = h.lg->end_offset();
  for (bool clean : {true, false}) {
    CAPTURE(clean);
    if (clean) REQUIRE(h.lg->close());
    h.reopen();
    CHECK(h.lg->end_offset() == end);
    CHECK(h.read_bytes() == data);
    auto again = h.lg->segments();
    REQUIRE(again.size() == segs.size());
    for (size_t i = 0; i < segs.size(); ++i) {
      CHECK(again[i].base_offset == segs[i].base_offset);
      CHECK(again[i].size_bytes == segs[i].size_bytes);
      CHECK(again[i].max_timestamp == segs[i].max_timestamp);
    }
    const auto& rep = h.lg->recovery();
    CHECK(rep.truncated_bytes == 0);
    CHECK(rep.truncation_reason.empty());
    CHECK(rep.rebuilt_indexes == 0);
    CHECK(rep.corrupt_segments.empty());
  }
  check_point_reads(*h.lg);
  int64_t base_of_25 = 0;
  for (int i = 0; i < 25; ++i) base_of_25 += 1 + i % 4;
  CHECK(*h.lg->offset_for_timestamp(2501) == offset{base_of_25 + 1});
}

TEST_CASE("log: a torn tail after a crash is truncated and reported") {
  for (uint64_t keep : {30u, 5u}) {
    CAPTURE(keep);
    log_harness h;
    for (int i = 0; i < 5; ++i) h.append(3, i);
    REQUIRE(h.lg->sync());
    const uint64_t durable = h.lg->size_bytes();
    h.append(3, 9);
    h.lg.reset();
    h.fs->crash(keep);
    h.reopen();
    const auto& rep = h.lg->recovery();
    CHECK(rep.truncated_bytes == keep);
    CHECK(contains(rep.truncation_reason, "torn"));
    CHECK(contains(rep.truncation_reason, "position " + std::to_string(durable)));
    CHECK(contains(rep.truncation_reason, h.path(offset{0}, ".log")));
    CHECK(h.lg->end_offset() == offset{15});
    CHECK(h.lg->size_bytes() == durable);
    CHECK(*h.fs->file_size(h.path(offset{0}, ".log")) == durable);
    bytes more = make_batch(2, 20);
    auto r = h.lg->append(more, 0);
    REQUIRE(r);
    CHECK(r->base_offset == offset{15});
    check_contiguous(h.read_all(), 0, 17);
  }
}

TEST_CASE("log: a flipped bit in the last segment truncates from that batch on") {
  log_harness h;
  std::vector<uint64_t> starts;
  for (int i = 0; i < 6; ++i) {
    starts.push_back(h.lg->size_bytes());
    h.append(2, i);
  }
  const uint64_t size = h.lg->size_bytes();
  REQUIRE(h.lg->close());
  REQUIRE(h.fs->flip_bit(h.path(offset{0}, ".log"), starts[4] + 70, 2));  // inside a record
  h.reopen();
  const auto& rep = h.lg->recovery();
  CHECK(rep.truncated_bytes == size - starts[4]);
  CHECK(contains(rep.truncation_reason, "crc_mismatch"));
  CHECK(contains(rep.truncation_reason, "position " + std::to_string(starts[4])));
  CHECK(h.lg->end_offset() == offset{8});
  check_contiguous(h.read_all(), 0, 8);
  check_point_reads(*h.lg);
}

TEST_CASE("log: garbage after the last batch is cut") {
  for (uint8_t fill : {0x00, 0xab, 0x7f}) {
    CAPTURE(int(fill));
    log_harness h;
    for (int i = 0; i < 3; ++i) h.append(2, i);
    REQUIRE(h.lg->close());
    REQUIRE(h.fs->append_raw(h.path(offset{0}, ".log"), bytes(100, std::byte{fill})));
    h.reopen();
    CHECK(h.lg->recovery().truncated_bytes == 100);
    CHECK(h.lg->end_offset() == offset{6});
    check_contiguous(h.read_all(), 0, 6);
  }
}

TEST_CASE("log: a batch whose base offset breaks the sequence ends the last segment") {
  log_harness h;
  h.append(2, 0);
  h.append(2, 1);
  REQUIRE(h.lg->close());
  bytes stray = make_batch(1, 2);
  model::assign_offset(stray, 1000);
  REQUIRE(h.fs->append_raw(h.path(offset{0}, ".log"), stray));
  h.reopen();
  CHECK(h.lg->recovery().truncated_bytes == stray.size());
  CHECK(contains(h.lg->recovery().truncation_reason, "base offset 1000 where 4 was expected"));
  CHECK(h.lg->end_offset() == offset{4});
}

TEST_CASE("log: missing index files are rebuilt with the same entries") {
  log_config cfg;
  cfg.index_interval_bytes = 150;
  cfg.segment_bytes = 4000;
  log_harness h(cfg);
  for (int i = 0; i < 80; ++i) h.append(1 + i % 3, 10 * i);
  REQUIRE(h.lg->close());
  const auto segs = h.lg->segments();
  REQUIRE(segs.size() >= 3);
  std::vector<bytes> saved;
  for (const auto& s : segs) {
    saved.push_back(*h.fs->contents(h.path(s.base_offset, ".index")));
    saved.push_back(*h.fs->contents(h.path(s.base_offset, ".timeindex")));
    REQUIRE_FALSE(saved.back().empty());
    REQUIRE(h.fs->remove_all(h.path(s.base_offset, ".index")));
    REQUIRE(h.fs->remove_all(h.path(s.base_offset, ".timeindex")));
  }
  h.reopen();
  CHECK(h.lg->recovery().rebuilt_indexes == 2 * segs.size());
  CHECK(h.lg->recovery().truncated_bytes == 0);
  check_point_reads(*h.lg);
  int64_t base_of_41 = 0;  // batch 40 holds 400 and 401, so 405 is answered by batch 41
  for (int i = 0; i < 41; ++i) base_of_41 += 1 + i % 3;
  CHECK(*h.lg->offset_for_timestamp(405) == offset{base_of_41});
  REQUIRE(h.lg->close());
  for (size_t i = 0; i < segs.size(); ++i) {
    CHECK(*h.fs->contents(h.path(segs[i].base_offset, ".index")) == saved[2 * i]);
    CHECK(*h.fs->contents(h.path(segs[i].base_offset, ".timeindex")) == saved[2 * i + 1]);
  }
  h.reopen();
  CHECK(h.lg->recovery().rebuilt_indexes == 0);
}

TEST_CASE("log: damaged index files are rebuilt and lookups stay correct") {
  log_config cfg;
  cfg.index_interval_bytes = 150;
  cfg.segment_bytes = 4000;
  log_harness h(cfg);
  for (int i = 0; i < 80; ++i) h.append(1 + i % 3, 10 * i);
  REQUIRE(h.lg->close());
  const auto segs = h.lg->segments();
  const std::string index0 = h.path(segs[0].base_offset, ".index");
  const std::string times0 = h.path(segs[0].base_offset, ".timeindex");
  const std::string index_last = h.path(segs.back().base_offset, ".index");
  const bytes good_index0 = *h.fs->contents(index0);
  uint32_t expected_rebuilt = 1;

  SUBCASE("size not a multiple of the entry size") {
    REQUIRE(h.fs->append_raw(index0, bytes(3, std::byte{1})));
  }
  SUBCASE("last entry points past the log") {
    bytes entry(8);
    model::store_be<uint32_t>(entry.data(), 5000);
    model::store_be<uint32_t>(entry.data() + 4, 1u << 30);
    REQUIRE(h.fs->append_raw(index_last, entry));
  }
  SUBCASE("an entry points inside a batch") {
    REQUIRE(h.fs->flip_bit(index0, 8 + 7, 0));  // position of the second entry, +/- 1
  }
  SUBCASE("a time entry names the wrong timestamp") {
    REQUIRE(h.fs->flip_bit(times0, 7, 4));
  }
  SUBCASE("index of the last segment emptied") {
    // An empty index is a valid, lagging one: extended, not counted as rebuilt.
    REQUIRE(h.fs->truncate_file(index_last, 0));
    expected_rebuilt = 0;
  }
  h.reopen();
  CHECK(h.lg->recovery().truncated_bytes == 0);
  check_point_reads(*h.lg);
  for (int i = 0; i < 80; i += 7) {
    auto o = h.lg->offset_for_timestamp(10 * i);
    REQUIRE(o);
    REQUIRE(*o);
    read_config rc;
    rc.start = **o;
    rc.max_bytes = 0;
    auto hs = headers_of(h.lg->read(rc)->data.view());
    REQUIRE(hs.size() == 1);
    CHECK(hs[0].base_timestamp == 10 * i);
    CHECK(hs[0].base_offset == (**o).value());
  }
  CHECK(h.lg->recovery().rebuilt_indexes == expected_rebuilt);
  REQUIRE(h.lg->close());
  CHECK(*h.fs->contents(index0) == good_index0);
  CHECK_FALSE(h.fs->contents(index_last)->empty());
}

TEST_CASE("log: index entries lost in a crash are re-derived without a rebuild") {
  log_config cfg;
  cfg.index_interval_bytes = 1;  // an entry for every batch after the first
  log_harness h(cfg);
  constexpr int batches = 600;   // past the flush threshold of both indexes (512, 341 entries)
  for (int i = 0; i < batches; ++i) h.append(1, i);
  REQUIRE(h.lg->sync());  // the .log is durable; index entries are written, not synced
  const std::string index = h.path(offset{0}, ".index");
  const std::string times = h.path(offset{0}, ".timeindex");
  const bytes index_before = *h.fs->contents(index);
  const bytes times_before = *h.fs->contents(times);
  REQUIRE_FALSE(index_before.empty());
  REQUIRE_FALSE(times_before.empty());
  h.lg.reset();
  h.fs->crash();
  CHECK(h.fs->contents(index)->size() < index_before.size());
  h.reopen();
  CHECK(h.lg->recovery().rebuilt_indexes == 0);
  CHECK(h.lg->recovery().truncated_bytes == 0);
  CHECK(h.lg->end_offset() == offset{batches});
  REQUIRE(h.lg->close());  // writes every entry recovery derived
  const bytes index_after = *h.fs->contents(index);
  const bytes times_after = *h.fs->contents(times);
  CHECK(index_after.size() == 8 * (batches - 1));
  CHECK(times_after.size() == 12 * (batches - 1));
  // The entries written before the crash are derived again, byte for byte.
  CHECK(std::equal(index_before.begin(), index_before.end(), index_after.begin()));
  CHECK(std::equal(times_before.begin(), times_before.end(), times_after.begin()));
}

TEST_CASE("log: corruption in an older segment is reported and the valid part served") {
  log_config cfg;
  cfg.segment_bytes = 1000;
  log_harness h(cfg);
  std::vector<std::pair<uint64_t, int64_t>> layout;  // position in its segment, base offset
  for (int i = 0; i < 40; ++i) {
    bytes b = h.append(2, i);
    layout.emplace_back(h.lg->segments().back().size_bytes - b.size(), 2 * i);
  }
  REQUIRE(h.lg->close());
  const auto segs = h.lg->segments();
  REQUIRE(segs.size() >= 4);
  const offset damaged = segs[1].base_offset;
  // The third batch of segment 1: its magic byte becomes 3.
  const auto& third = layout[static_cast<size_t>(damaged.value() / 2) + 2];
  const std::string path = h.path(damaged, ".log");
  REQUIRE(h.fs->flip_bit(path, third.first + 16, 0));
  h.reopen();
  const auto& rep = h.lg->recovery();
  REQUIRE(rep.corrupt_segments.size() == 1);
  CHECK(contains(rep.corrupt_segments[0], path));
  CHECK(contains(rep.corrupt_segments[0], "position " + std::to_string(third.first)));
  CHECK(rep.truncated_bytes == 0);
  CHECK(*h.fs->file_size(path) == segs[1].size_bytes);  // evidence kept
  CHECK(h.lg->end_offset() == offset{80});

  // Offsets before the damage are served; inside it the read skips to the next segment.
  std::vector<int64_t> bases;
  REQUIRE(h.lg->scan(offset{0}, [&](bytes_view b) {
    bases.push_back(model::read_header(b)->base_offset);
    return true;
  }));
  const int64_t gap_first = third.second;
  const int64_t gap_end = segs[2].base_offset.value();
  std::vector<int64_t> expected;
  for (int64_t o = 0; o < 80; o += 2)
    if (o < gap_first || o >= gap_end) expected.push_back(o);
  CHECK(bases == expected);
  read_config rc;
  rc.start = offset{gap_first};
  rc.max_bytes = 0;
  auto r = h.lg->read(rc);
  REQUIRE(r);
  CHECK(headers_of(r->data.view()).at(0).base_offset == gap_end);
  CHECK(r->next_offset == offset{gap_end + 2});
  // The log keeps taking appends.
  bytes more = make_batch(1, 99);
  CHECK(h.lg->append(more, 0)->base_offset == offset{80});
}

TEST_CASE("log: an older segment missing its last batches is reported") {
  log_config cfg;
  cfg.segment_bytes = 1000;
  log_harness h(cfg);
  uint64_t batch_size = 0;
  for (int i = 0; i < 30; ++i) batch_size = h.append(2, i).size();
  REQUIRE(h.lg->close());
  const auto segs = h.lg->segments();
  REQUIRE(segs.size() >= 3);
  SUBCASE("cut at a batch boundary") {
    const std::string path = h.path(segs[0].base_offset, ".log");
    REQUIRE(h.fs->truncate_file(path, segs[0].size_bytes - batch_size));
    h.reopen();
    REQUIRE(h.lg->recovery().corrupt_segments.size() == 1);
    CHECK(contains(h.lg->recovery().corrupt_segments[0], "missing"));
  }
  SUBCASE("cut inside a batch") {
    REQUIRE(h.fs->truncate_file(h.path(segs[0].base_offset, ".log"), segs[0].size_bytes - 7));
    h.reopen();
    REQUIRE(h.lg->recovery().corrupt_segments.size() == 1);
    CHECK(contains(h.lg->recovery().corrupt_segments[0], "torn"));
  }
  CHECK(h.lg->end_offset() == offset{60});
  CHECK(h.lg->recovery().truncated_bytes == 0);
}

TEST_CASE("log: files whose names do not parse are ignored and kept") {
  log_harness h;
  h.append(2, 0);
  REQUIRE(h.lg->close());
  const std::vector<std::string> odd = {"foo.log", "123.log", "00000000000000000000.log.bak",
                                        "0000000000000000000x.log", "leader-epoch-checkpoint",
                                        "00000000000000000099.index"};
  for (const auto& name : odd) {
    auto f = h.fs->open(join_path(h.dir, name), open_mode::create);
    REQUIRE(f);
    REQUIRE((*f)->append(as_bytes("not a segment")));
  }
  h.reopen();
  CHECK(h.lg->segments().size() == 1);
  CHECK(h.lg->end_offset() == offset{2});
  for (const auto& name : odd) CHECK(h.fs->exists(join_path(h.dir, name)));
}

TEST_CASE("log: a crash right after a roll leaves an empty segment that opens cleanly") {
  log_harness h;
  h.append(2, 0);
  REQUIRE(h.lg->roll(0));
  h.lg.reset();
  h.fs->crash();
  SUBCASE("index files present") {}
  SUBCASE("index files of the new segment lost") {
    REQUIRE(h.fs->remove_all(h.path(offset{2}, ".index")));
    REQUIRE(h.fs->remove_all(h.path(offset{2}, ".timeindex")));
  }
  h.reopen();
  CHECK(h.lg->segments().size() == 2);
  CHECK(h.lg->end_offset() == offset{2});
  CHECK(h.lg->recovery().truncated_bytes == 0);
  bytes more = make_batch(1, 1);
  CHECK(h.lg->append(more, 0)->base_offset == offset{2});
  check_contiguous(h.read_all(), 0, 3);
}

// The log's append/read/lookup paths on a memory_file_system.

#include <doctest/doctest.h>

#include "framework/log_test_support.hpp"

using namespace lkstream;
using namespace lkstream::storage;
using namespace lkstream::storage::test;

TEST_CASE("log: an empty directory opens as a fresh log at offset 0") {
  log_harness h;
  CHECK(h.lg->start_offset() == offset{0});
  CHECK(h.lg->end_offset() == offset{0});
  CHECK(h.lg->segments().size() == 1);
  CHECK(h.fs->exists(h.path(offset{0}, ".log")));
  read_config rc;
  rc.start = offset{0};
  auto r = h.lg->read(rc);
  REQUIRE(r);
  CHECK(r->data.empty());
  CHECK(r->batch_count == 0);
  CHECK(r->next_offset == offset{0});
}

TEST_CASE("log: appended batches come back byte for byte with contiguous offsets") {
  log_harness h;
  bytes expected;
  int64_t next = 0;
  for (int i = 0; i < 200; ++i) {
    const int records = 1 + i % 7;
    bytes b = make_batch(records, 1000 + i, 10 + i % 50);
    auto r = h.lg->append(b, 0);
    REQUIRE(r);
    CHECK(r->base_offset == offset{next});
    CHECK(r->last_offset == offset{next + records - 1});
    CHECK(r->log_append_time == -1);
    CHECK(model::read_header(b)->base_offset == next);  // stamped in place
    next += records;
    expected.insert(expected.end(), b.begin(), b.end());
  }
  CHECK(h.lg->end_offset() == offset{next});
  CHECK(h.read_bytes() == expected);
  check_contiguous(h.read_all(500), 0, next);
  CHECK(h.lg->size_bytes() == expected.size());
}

TEST_CASE("log: segments roll at segment_bytes and reads cross them") {
  log_config cfg;
  cfg.segment_bytes = 2000;
  log_harness h(cfg);
  bytes expected;
  for (int i = 0; i < 100; ++i) {
    bytes b = h.append(3, 5000 + i);
    expected.insert(expected.end(), b.begin(), b.end());
  }
  auto segs = h.lg->segments();
  REQUIRE(segs.size() > 5);
  uint64_t total = 0;
  for (size_t i = 0; i < segs.size(); ++i) {
    CHECK(segs[i].size_bytes <= cfg.segment_bytes);
    CHECK(h.fs->exists(h.path(segs[i].base_offset, ".log")));
    CHECK(h.fs->exists(h.path(segs[i].base_offset, ".index")));
    CHECK(h.fs->exists(h.path(segs[i].base_offset, ".timeindex")));
    if (i > 0) CHECK(segs[i].base_offset > segs[i - 1].base_offset);
    total += segs[i].size_bytes;
  }
  CHECK(total == h.lg->size_bytes());
  CHECK(h.read_bytes() == expected);  // one read spanning every segment
  check_contiguous(h.read_all(700), 0, 300);
}

TEST_CASE("log: a batch larger than segment_bytes gets a segment of its own") {
  log_config cfg;
  cfg.segment_bytes = 300;
  log_harness h(cfg);
  h.append(1, 1);
  h.append(20, 2, 100);  // ~2.5 KiB
  h.append(1, 3);
  auto segs = h.lg->segments();
  REQUIRE(segs.size() == 3);
  CHECK(segs[1].base_offset == offset{1});
  CHECK(segs[2].base_offset == offset{21});
  check_contiguous(h.read_all(), 0, 22);
}

TEST_CASE("log: segments roll when the active one is older than segment_ms") {
  log_config cfg;
  cfg.segment_ms = 1000;
  log_harness h(cfg);
  REQUIRE(h.lg->roll(0));  // empty active segment: nothing to roll
  CHECK(h.lg->segments().size() == 1);
  h.lg.reset();
  auto r = log::open(h.fs, h.dir, cfg, 10'000);
  REQUIRE(r);
  h.lg = std::move(*r);
  h.append(1, 10'000, 16, 10'000);
  h.append(1, 10'500, 16, 10'500);
  h.append(1, 10'999, 16, 10'999);
  CHECK(h.lg->segments().size() == 1);
  h.append(1, 11'000, 16, 11'000);
  auto segs = h.lg->segments();
  REQUIRE(segs.size() == 2);
  CHECK(segs[1].base_offset == offset{3});
  CHECK(segs[0].max_timestamp == 10'999);
  // An explicit roll closes the active segment too.
  REQUIRE(h.lg->roll(11'001));
  h.append(1, 11'002, 16, 11'002);
  CHECK(h.lg->segments().size() == 3);
  check_contiguous(h.read_all(), 0, 5);
}

TEST_CASE("log: reading from an offset inside a batch returns the whole containing batch") {
  log_harness h;
  for (int i = 0; i < 10; ++i) h.append(10, i * 100);
  for (int64_t start : {0, 1, 15, 19, 20, 55, 99}) {
    read_config rc;
    rc.start = offset{start};
    rc.max_bytes = 1;
    auto r = h.lg->read(rc);
    REQUIRE(r);
    auto hs = headers_of(r->data.view());
    REQUIRE(hs.size() == 1);
    CHECK(hs[0].base_offset == start / 10 * 10);
    CHECK(r->next_offset == offset{start / 10 * 10 + 10});
  }
}

TEST_CASE("log: reads find batches through the sparse index in large segments") {
  log_config cfg;
  cfg.index_interval_bytes = 256;
  log_harness h(cfg);
  std::vector<bytes> batches;
  for (int i = 0; i < 500; ++i) batches.push_back(h.append(1 + i % 3, i, 40));
  int64_t base = 0;
  for (int i = 0; i < 500; ++i) {
    read_config rc;
    rc.start = offset{base + (i % 3)};  // the last record of the batch, when it has several
    rc.max_bytes = 0;
    auto r = h.lg->read(rc);
    REQUIRE(r);
    CHECK(r->data == batches[i]);
    base += 1 + i % 3;
  }
}

TEST_CASE("log: max_bytes returns whole batches, and the first batch even when larger") {
  log_harness h;
  bytes b0 = h.append(5, 0);
  bytes b1 = h.append(5, 10);
  h.append(5, 20);
  const size_t s = b0.size();
  REQUIRE(b1.size() == s);
  read_config rc;
  rc.start = offset{0};
  rc.max_bytes = 2 * s + s / 2;
  auto r = h.lg->read(rc);
  REQUIRE(r);
  CHECK(r->batch_count == 2);
  CHECK(r->data.size() == 2 * s);
  CHECK(r->next_offset == offset{10});

  rc.max_bytes = 2 * s;  // exactly two
  CHECK(h.lg->read(rc)->batch_count == 2);

  rc.max_bytes = 1;
  r = h.lg->read(rc);
  REQUIRE(r);
  CHECK(r->batch_count == 1);
  CHECK(r->data == b0);
}

TEST_CASE("log: max_offset stops before batches starting above it") {
  log_harness h;
  for (int i = 0; i < 5; ++i) h.append(4, i);  // batches at 0, 4, 8, 12, 16
  read_config rc;
  rc.start = offset{0};
  rc.max_offset = offset{8};
  auto r = h.lg->read(rc);
  REQUIRE(r);
  CHECK(r->batch_count == 3);
  CHECK(r->next_offset == offset{12});
  rc.max_offset = offset{7};
  CHECK(h.lg->read(rc)->next_offset == offset{8});
  rc.start = offset{9};
  r = h.lg->read(rc);
  REQUIRE(r);
  CHECK(r->batch_count == 0);
  CHECK(r->next_offset == offset{9});
}

TEST_CASE("log: reads outside [start, end] are offset_out_of_range and end returns nothing") {
  log_harness h;
  h.append(3, 0);
  read_config rc;
  rc.start = offset{4};
  auto r = h.lg->read(rc);
  REQUIRE_FALSE(r);
  CHECK(r.code() == errc::offset_out_of_range);
  CHECK(r.err().message.find("offset 4") != std::string::npos);
  rc.start = offset{-1};
  CHECK(h.lg->read(rc).code() == errc::offset_out_of_range);
  rc.start = offset{3};
  auto at_end = h.lg->read(rc);
  REQUIRE(at_end);
  CHECK(at_end->batch_count == 0);
  CHECK(at_end->next_offset == offset{3});
}

TEST_CASE("log: offset_for_timestamp answers the first record at or after a time") {
  log_config cfg;
  cfg.segment_bytes = 600;
  cfg.index_interval_bytes = 100;
  log_harness h(cfg);
  // Batch i has 4 records with timestamps 1000*i + {0, 1, 2, 3}; offsets 4i .. 4i+3.
  for (int i = 0; i < 30; ++i) h.append(4, 1000 * i);
  REQUIRE(h.lg->segments().size() > 3);
  auto at = [&](timestamp_ms ts) {
    auto r = h.lg->offset_for_timestamp(ts);
    REQUIRE(r);
    return *r;
  };
  CHECK(at(-5) == offset{0});
  CHECK(at(0) == offset{0});
  CHECK(at(2) == offset{2});
  CHECK(at(3) == offset{3});
  CHECK(at(4) == offset{4});    // after batch 0: the first record of batch 1
  CHECK(at(1000) == offset{4});
  CHECK(at(17'002) == offset{70});
  CHECK(at(29'003) == offset{119});
  CHECK(at(29'004) == std::nullopt);
  for (int i = 0; i < 30; ++i) CHECK(at(1000 * i + 1) == offset{4 * i + 1});
}

TEST_CASE("log: find_by_timestamp answers the found record's own timestamp") {
  log_harness h;
  h.append(3, 1000);  // offsets 0..2 at 1000, 1001, 1002
  h.append(2, 5000);  // offsets 3..4 at 5000, 5001
  auto at = [&](timestamp_ms ts) {
    auto r = h.lg->find_by_timestamp(ts);
    REQUIRE(r);
    return *r;
  };
  auto exact = at(1001);
  REQUIRE(exact);
  CHECK(exact->at == offset{1});
  CHECK(exact->timestamp == 1001);
  auto later = at(3000);  // no record at 3000: the next one, with its time (Kafka's answer)
  REQUIRE(later);
  CHECK(later->at == offset{3});
  CHECK(later->timestamp == 5000);
  auto first = at(0);
  REQUIRE(first);
  CHECK(first->at == offset{0});
  CHECK(first->timestamp == 1000);
  CHECK_FALSE(at(6000));
}

TEST_CASE("log: offset_for_timestamp handles timestamps that go backwards") {
  log_harness h;
  h.append(1, 500);
  h.append(1, 100);  // older than the batch before
  h.append(1, 900);
  CHECK(*h.lg->offset_for_timestamp(50) == offset{0});
  CHECK(*h.lg->offset_for_timestamp(200) == offset{0});
  CHECK(*h.lg->offset_for_timestamp(600) == offset{2});
}

TEST_CASE("log: an oversized batch is message_too_large and changes nothing") {
  log_config cfg;
  cfg.max_batch_bytes = 500;
  log_harness h(cfg);
  h.append(1, 0);
  bytes big = make_batch(10, 0, 100);
  auto r = h.lg->append(big, 0);
  REQUIRE_FALSE(r);
  CHECK(r.code() == errc::message_too_large);
  CHECK(r.err().message.find("max_batch_bytes 500") != std::string::npos);
  CHECK(h.lg->end_offset() == offset{1});
}

TEST_CASE("log: a corrupt batch is rejected when validating and the log is unchanged") {
  log_harness h;
  h.append(2, 0);
  const uint64_t size = h.lg->size_bytes();
  bytes bad = make_batch(3, 0);
  bad.back() ^= std::byte{0x40};
  auto r = h.lg->append(bad, 0);
  REQUIRE_FALSE(r);
  CHECK(r.code() == errc::crc_mismatch);
  CHECK(h.lg->end_offset() == offset{2});
  CHECK(h.lg->size_bytes() == size);

  const bytes full = make_batch(3, 0);
  bytes truncated(full.begin(), full.end() - 5);
  CHECK(h.lg->append(truncated, 0, false).code() == errc::corrupt_batch);
  CHECK(h.lg->end_offset() == offset{2});
}

TEST_CASE("log: index files hold exactly the sparse entries, each naming a batch start") {
  log_config cfg;
  cfg.index_interval_bytes = 300;
  log_harness h(cfg);
  std::vector<std::pair<uint64_t, model::batch_header>> layout;  // position, header
  uint64_t pos = 0;
  for (int i = 0; i < 60; ++i) {
    bytes b = h.append(1 + i % 4, 10 * i, 30);
    layout.emplace_back(pos, *model::read_header(b));
    pos += b.size();
  }
  REQUIRE(h.lg->close());  // index entries reach their files at roll and close, not at sync
  auto index = h.fs->contents(h.path(offset{0}, ".index"));
  auto times = h.fs->contents(h.path(offset{0}, ".timeindex"));
  REQUIRE(index);
  REQUIRE(times);
  CHECK(index->size() % 8 == 0);
  CHECK(times->size() % 12 == 0);
  // Kafka's rule: an entry when more than 300 bytes were written since the last one.
  size_t expected_entries = 0;
  uint64_t since = 0;
  for (const auto& [p, hd] : layout) {
    if (since > cfg.index_interval_bytes) {
      ++expected_entries;
      since = 0;
    }
    since += hd.size_bytes();
  }
  REQUIRE(index->size() / 8 == expected_entries);
  CHECK(times->size() / 12 == expected_entries);  // timestamps always grow here
  for (size_t i = 0; i < expected_entries; ++i) {
    auto rel = model::load_be<uint32_t>(index->data() + 8 * i);
    auto position = model::load_be<uint32_t>(index->data() + 8 * i + 4);
    auto it = std::find_if(layout.begin(), layout.end(),
                           [&](const auto& l) { return l.first == position; });
    REQUIRE(it != layout.end());
    CHECK(it->second.last_offset() == rel);
    auto ts = model::load_be<int64_t>(times->data() + 12 * i);
    auto trel = model::load_be<uint32_t>(times->data() + 12 * i + 8);
    CHECK(trel == rel);
    CHECK(ts == it->second.max_timestamp);
  }
}

TEST_CASE("log: append does not sync; sync makes the appended batches survive a crash") {
  log_harness h;
  const uint64_t syncs = h.fs->sync_count();
  h.append(2, 0);
  h.append(2, 1);
  CHECK(h.fs->sync_count() == syncs);
  h.fs->crash();
  h.reopen();
  CHECK(h.lg->end_offset() == offset{0});

  h.append(2, 0);
  REQUIRE(h.lg->sync());
  CHECK(h.fs->sync_count() > syncs);
  h.append(2, 1);
  h.fs->crash();
  h.reopen();
  CHECK(h.lg->end_offset() == offset{2});
  CHECK(h.lg->recovery().truncated_bytes == 0);
}

TEST_CASE("log: rolling syncs the closed segment unless the policy is never") {
  for (auto policy : {fsync_policy::interval, fsync_policy::always, fsync_policy::never}) {
    CAPTURE(to_string(policy));
    log_config cfg;
    cfg.fsync = policy;
    log_harness h(cfg);
    h.append(3, 0);
    h.append(3, 1);
    const uint64_t before = h.fs->sync_count();
    REQUIRE(h.lg->roll(0));
    h.append(1, 2);
    if (policy == fsync_policy::never) {
      CHECK(h.fs->sync_count() == before);
      REQUIRE(h.lg->sync());  // syncs the rolled segment too
    } else {
      CHECK(h.fs->sync_count() > before);
    }
    h.fs->crash();
    h.reopen();
    CHECK(h.lg->end_offset() == offset{policy == fsync_policy::never ? 7 : 6});
    CHECK(h.lg->segments().size() == 2);
  }
}

TEST_CASE("log: scan visits every batch from an offset and stops when asked") {
  log_config cfg;
  cfg.segment_bytes = 1000;
  log_harness h(cfg);
  for (int i = 0; i < 40; ++i) h.append(2, i);
  std::vector<int64_t> bases;
  REQUIRE(h.lg->scan(offset{31}, [&](bytes_view b) {
    bases.push_back(model::read_header(b)->base_offset);
    return true;
  }));
  REQUIRE(bases.size() == 25);
  CHECK(bases.front() == 30);
  CHECK(bases.back() == 78);
  int visited = 0;
  REQUIRE(h.lg->scan(offset{0}, [&](bytes_view) { return ++visited < 3; }));
  CHECK(visited == 3);
}

TEST_CASE("log: after close every call reports closed; remove deletes the directory") {
  log_harness h;
  h.append(1, 0);
  REQUIRE(h.lg->close());
  CHECK(h.lg->close().code() == errc::closed);
  bytes b = make_batch(1, 0);
  CHECK(h.lg->append(b, 0).code() == errc::closed);
  read_config rc;
  rc.start = offset{0};
  CHECK(h.lg->read(rc).code() == errc::closed);
  CHECK(h.lg->sync().code() == errc::closed);
  CHECK(h.lg->end_offset() == offset{1});
  h.reopen();
  CHECK(h.lg->end_offset() == offset{1});
  REQUIRE(h.lg->remove());
  CHECK_FALSE(h.fs->exists(h.dir));
  CHECK(h.fs->exists("/data"));
}

TEST_CASE("log: update_config takes effect for the following appends") {
  log_harness h;
  for (int i = 0; i < 5; ++i) h.append(1, i);
  CHECK(h.lg->segments().size() == 1);
  log_config small = h.lg->config();
  small.segment_bytes = 100;
  h.lg->update_config(small);
  CHECK(h.lg->config().segment_bytes == 100);
  h.append(1, 5);
  h.append(1, 6);
  CHECK(h.lg->segments().size() == 3);
}

TEST_CASE("log: names of partition directories, segment files and fsync policies") {
  CHECK(partition_dir_name("ticks", partition_id{3}) == "ticks-3");
  CHECK(segment_file_prefix(offset{0}) == "00000000000000000000");
  CHECK(segment_file_prefix(offset{42}) == "00000000000000000042");
  CHECK(segment_file_prefix(offset{INT64_MAX}) == "09223372036854775807");
  CHECK(to_string(fsync_policy::always) == "always");
  CHECK(to_string(fsync_policy::interval) == "interval");
  CHECK(to_string(fsync_policy::never) == "never");
}

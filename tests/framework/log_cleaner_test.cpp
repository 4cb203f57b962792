// Log compaction (storage/log_cleaner.hpp, log::swap_cleaned) against a model: random keyed
// workloads with tombstones and idempotent producers; after cleaning, a reader of the log sees
// exactly the latest record per key of the cleaned range at its original offset, and every
// record of the uncleaned range. Crash safety: the process is killed before each mutation of
// a cleaning and its swap (memory_file_system::kill_after_mutations), then the power is lost
// (crash): the reopened log is exactly as before the cleaning or exactly as after it.

#include <doctest/doctest.h>

#include <map>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "framework/compression_samples.hpp"
#include "framework/log_test_support.hpp"
#include "lkstream/model/compression.hpp"
#include "lkstream/partition/partition_core.hpp"
#include "lkstream/partition/producer_state.hpp"
#include "lkstream/storage/io_throttle.hpp"
#include "lkstream/storage/log_cleaner.hpp"

using namespace lkstream;
using namespace lkstream::storage;
using namespace lkstream::storage::test;

namespace {

constexpr int64_t producer = 4242;

// One record as a reader sees it.
struct seen_record {
  int64_t offset;
  std::string key;
  std::optional<std::string> value;  // nullopt: tombstone
  bool operator==(const seen_record&) const = default;
};

// One record as appended, with its batch's max timestamp.
struct appended_record {
  std::string key;
  std::optional<std::string> value;
  timestamp_ms batch_max_ts;
};

// Every record of the log from its start, read as a consumer does (offset gaps, empty
// batches, batches whose record count is below their offset range).
std::vector<seen_record> read_records(const storage::log& lg, std::vector<model::batch_header>* headers = nullptr) {
  std::vector<seen_record> out;
  model::decompressor d;
  bytes scratch;
  offset next = lg.start_offset();
  while (next < lg.end_offset()) {
    read_config rc;
    rc.start = next;
    rc.max_bytes = 64 << 10;
    auto r = lg.read(rc);
    REQUIRE_MESSAGE(r, r.err().to_string());
    REQUIRE(r->batch_count > 0);
    model::batch_walker walker(r->data.view());
    model::batch_header h;
    bytes_view batch;
    while (walker.next(h, batch)) {
      // Stored batches keep a valid CRC and structure.
      REQUIRE(model::read_header(batch)->crc == h.crc);
      if (headers) headers->push_back(h);
      auto records = model::batch_records(batch, d, scratch, 64 << 20);
      REQUIRE_MESSAGE(records, records.err().to_string());
      model::record_iterator it(batch, *records);
      model::record_view rec;
      int32_t n = 0;
      while (it.next(rec)) {
        ++n;
        CHECK(rec.offset >= h.base_offset);
        CHECK(rec.offset <= h.last_offset());
        seen_record s{rec.offset, std::string(as_string_view(*rec.key)), std::nullopt};
        if (rec.value) s.value = std::string(as_string_view(*rec.value));
        out.push_back(std::move(s));
      }
      REQUIRE_MESSAGE(it.state(), it.state().err().to_string());
      CHECK(n == h.records_count);
    }
    next = r->next_offset;
  }
  for (size_t i = 1; i < out.size(); ++i) REQUIRE(out[i - 1].offset < out[i].offset);
  return out;
}

// A random keyed workload: batches of 1..4 records over `keys` keys, a tombstone one time in
// six, every third batch from an idempotent producer; batch i has timestamps 1000 + 10 * i.
struct workload {
  std::vector<appended_record> by_offset;
  int64_t producer_last_base = -1;
  int32_t producer_next_seq = 0;
  int64_t producer_last_seq_batch_records = 0;

  void run(storage::log& lg, int batches, int keys, uint32_t seed, int first_batch = 0) {
    std::mt19937 rng(seed);
    for (int i = first_batch; i < first_batch + batches; ++i) {
      const bool idempotent = i % 3 == 0;
      const int n = 1 + static_cast<int>(rng() % 4);
      const timestamp_ms ts = 1000 + 10 * i;
      bytes out;
      model::batch_builder b(out, idempotent ? producer : -1, idempotent ? 0 : -1,
                             idempotent ? producer_next_seq : -1);
      std::vector<appended_record> recs;
      for (int r = 0; r < n; ++r) {
        std::string key = "key-" + std::to_string(rng() % keys);
        std::optional<std::string> value;
        if (rng() % 6 != 0) value = "v" + std::to_string(i) + "." + std::to_string(r) + "-" +
                                    std::string(rng() % 40, 'x');
        if (value) b.append(ts, as_bytes(key), as_bytes(*value));
        else b.append(ts, as_bytes(key), std::nullopt);
        recs.push_back({key, value, ts});
      }
      b.finish();
      auto r = lg.append(out, ts);
      REQUIRE_MESSAGE(r, r.err().to_string());
      REQUIRE(r->base_offset.value() == static_cast<int64_t>(by_offset.size()));
      if (idempotent) {
        producer_last_base = r->base_offset.value();
        producer_next_seq += n;
      }
      by_offset.insert(by_offset.end(), recs.begin(), recs.end());
    }
  }

  // What a reader must see after cleaning up to `clean_end` at `now` with `delete_retention`:
  // below clean_end the last record of each key there (tombstones only while not expired);
  // from clean_end on, everything.
  std::vector<seen_record> expected(int64_t clean_end, timestamp_ms now,
                                    int64_t delete_retention) const {
    std::map<std::string, int64_t> last;
    for (int64_t o = 0; o < clean_end; ++o) last[by_offset[o].key] = o;
    std::vector<seen_record> out;
    for (int64_t o = 0; o < static_cast<int64_t>(by_offset.size()); ++o) {
      const auto& r = by_offset[o];
      if (o < clean_end) {
        if (last[r.key] != o) continue;
        if (!r.value && now - r.batch_max_ts > delete_retention) continue;
      }
      out.push_back({o, r.key, r.value});
    }
    return out;
  }

  // The latest value of each key (a table built by reading the whole log).
  std::map<std::string, std::string> table() const {
    std::map<std::string, std::string> t;
    for (const auto& r : by_offset) {
      if (r.value) t[r.key] = *r.value;
      else t.erase(r.key);
    }
    return t;
  }
};

std::map<std::string, std::string> table_of(const std::vector<seen_record>& records) {
  std::map<std::string, std::string> t;
  for (const auto& r : records) {
    if (r.value) t[r.key] = *r.value;
    else t.erase(r.key);
  }
  return t;
}

log_config compacted(uint64_t segment_bytes = 2048) {
  log_config c;
  c.cleanup = cleanup_policy::compact;
  c.segment_bytes = segment_bytes;
  c.min_cleanable_dirty_ratio = 0.0;
  c.delete_retention_ms = 2500;  // with now = 5000: tombstones of batches 0..149 expire
  c.fsync = fsync_policy::always;
  return c;
}

// Cleans `lg` until its map reached the first uncleanable offset; returns the last stats.
cleaning_stats clean_fully(storage::log& lg, log_cleaner& cleaner, timestamp_ms now) {
  cleaning_stats stats;
  for (int pass = 0; pass < 1000; ++pass) {
    auto in = snapshot_for_cleaning(lg, now);
    stats = {};
    auto swap = cleaner.clean(in, stats);
    REQUIRE_MESSAGE(swap, swap.err().to_string());
    auto swapped = lg.swap_cleaned(*swap);
    REQUIRE_MESSAGE(swapped, swapped.err().to_string());
    if (swap->clean_end >= in.first_uncleanable) return stats;
    REQUIRE(stats.partial);
  }
  FAIL("cleaning never reached the first uncleanable offset");
  return stats;
}

}  // namespace

TEST_CASE("cleaner: a random keyed workload keeps the latest record per key at its offset") {
  for (uint32_t seed : {1u, 2u, 3u, 4u}) {
    CAPTURE(seed);
    log_harness h(compacted());
    workload w;
    // Keys 20..149 are last written in the first half, so some end with an old tombstone.
    w.run(*h.lg, 150, 150, seed);
    w.run(*h.lg, 150, 20, seed + 100, 150);
    REQUIRE(h.lg->segments().size() > 4);
    const auto before = read_records(*h.lg);
    const timestamp_ms now = 5000;
    const auto in = snapshot_for_cleaning(*h.lg, now);
    REQUIRE(in.first_uncleanable == h.lg->segments().back().base_offset);

    log_cleaner cleaner(h.fs, cleaner_config{});
    auto stats = clean_fully(*h.lg, cleaner, now);
    const int64_t clean_end = in.first_uncleanable.value();
    CHECK(h.lg->cleaned_offset().value() == clean_end);
    CHECK(stats.records_removed > 0);
    // Tombstones that are the latest of their key and past delete_retention_ms (batches
    // 0..149) are removed; superseded ones count as plain removals.
    std::map<std::string, int64_t> last;
    for (int64_t o = 0; o < clean_end; ++o) last[w.by_offset[o].key] = o;
    uint64_t expired = 0;
    for (const auto& [key, o] : last)
      expired += !w.by_offset[o].value && now - w.by_offset[o].batch_max_ts > 2500;
    CHECK(expired > 0);
    CHECK(stats.tombstones_removed == expired);
    // Some tombstones are young enough to stay.
    bool young_tombstone = false;
    for (const auto& r : read_records(*h.lg)) young_tombstone |= !r.value;
    CHECK(young_tombstone);

    const auto after = read_records(*h.lg);
    CHECK(after == w.expected(clean_end, now, 2500));
    CHECK(after.size() < before.size());
    CHECK(table_of(after) == w.table());
    CHECK(h.lg->start_offset() == offset{0});
    CHECK(h.lg->end_offset().value() == static_cast<int64_t>(w.by_offset.size()));
    // No leftovers; the same after a restart (gaps are not corruption).
    for (const auto& seg : h.lg->segments())
      CHECK_FALSE(h.fs->exists(cleaned_segment_path(h.dir, seg.base_offset)));
    h.reopen(now);
    CHECK(h.lg->recovery().corrupt_segments.empty());
    CHECK(h.lg->recovery().interrupted_cleaning.empty());
    CHECK(h.lg->cleaned_offset().value() == clean_end);
    CHECK(read_records(*h.lg) == after);
    // Cleaning again changes nothing.
    auto again = snapshot_for_cleaning(*h.lg, now);
    cleaning_stats s2;
    auto swap2 = cleaner.clean(again, s2);
    REQUIRE(swap2);
    CHECK(swap2->segments.empty());
  }
}

TEST_CASE("cleaner: a dedupe buffer smaller than the keys cleans a prefix per pass") {
  log_harness h(compacted());
  workload w;
  w.run(*h.lg, 200, 60, 9);
  const timestamp_ms now = 5000;
  const int64_t clean_end = h.lg->segments().back().base_offset.value();
  cleaner_config cc;
  cc.dedupe_buffer_bytes = 24 * 24;  // 24 slots: 21 keys at most
  log_cleaner cleaner(h.fs, cc);
  CHECK(cleaner.map_memory_bytes() == 24 * 24);
  int passes = 0;
  while (h.lg->cleaned_offset().value() < clean_end) {
    REQUIRE(++passes < 200);
    cleaning_stats stats;
    auto swap = cleaner.clean(snapshot_for_cleaning(*h.lg, now), stats);
    REQUIRE_MESSAGE(swap, swap.err().to_string());
    REQUIRE(swap->clean_end > h.lg->cleaned_offset());
    REQUIRE(h.lg->swap_cleaned(*swap));
  }
  CHECK(passes > 2);
  // A record superseded in a later window is dropped by that window's pass (each pass cleans
  // from the log start), so the passes together give exactly one full cleaning.
  CHECK(read_records(*h.lg) == w.expected(clean_end, now, 2500));
}

TEST_CASE("cleaner: a batch with more records than the key map holds is a clear error") {
  log_harness h(compacted());
  bytes big;
  model::batch_builder b(big);
  for (int i = 0; i < 50; ++i) b.append(1000, as_bytes("k" + std::to_string(i)), as_bytes("v"));
  b.finish();
  REQUIRE(h.lg->append(big, 1000));
  REQUIRE(h.lg->roll(1000));
  h.append(1, 1000);
  cleaner_config cc;
  cc.dedupe_buffer_bytes = 24 * 10;
  log_cleaner cleaner(h.fs, cc);
  cleaning_stats stats;
  auto swap = cleaner.clean(snapshot_for_cleaning(*h.lg, 5000), stats);
  REQUIRE_FALSE(swap);
  CHECK(swap.code() == errc::invalid_argument);
  CHECK(swap.err().message.find("cleaner_dedupe_buffer_bytes") != std::string::npos);
  CHECK_FALSE(h.fs->exists(cleaned_segment_path(h.dir, offset{0})));
}

TEST_CASE("cleaner: the active segment and segments younger than min_compaction_lag_ms stay") {
  log_config cfg = compacted();
  cfg.min_compaction_lag_ms = 1000;
  log_harness h(cfg);
  workload w;
  w.run(*h.lg, 200, 5, 11);  // timestamps 1000..2990
  const timestamp_ms now = 3000;  // segments with a record after 2000 are too young
  auto in = snapshot_for_cleaning(*h.lg, now);
  REQUIRE(in.first_uncleanable < h.lg->segments().back().base_offset);
  const int64_t young = in.first_uncleanable.value();
  CHECK(w.by_offset[young - 1].batch_max_ts <= now - 1000);  // the segments before are old
  log_cleaner cleaner(h.fs, cleaner_config{});
  cleaning_stats stats;
  auto swap = cleaner.clean(in, stats);
  REQUIRE(swap);
  REQUIRE(h.lg->swap_cleaned(*swap));
  CHECK(h.lg->cleaned_offset().value() == young);
  CHECK(read_records(*h.lg) == w.expected(young, now, 2500));
}

TEST_CASE("cleaner: assess_cleaning follows min_cleanable_dirty_ratio and max_compaction_lag_ms") {
  log_config cfg = compacted();
  cfg.min_cleanable_dirty_ratio = 0.5;
  log_harness h(cfg);
  workload w;
  w.run(*h.lg, 200, 400, 12);  // mostly distinct keys: cleaning keeps most of the log
  auto in = snapshot_for_cleaning(*h.lg, 5000);
  auto c = assess_cleaning(in);
  CHECK(c.clean_bytes == 0);
  CHECK(c.dirty_bytes > 0);
  CHECK(c.dirty_ratio == doctest::Approx(1.0));
  CHECK(c.due);
  log_cleaner cleaner(h.fs, cleaner_config{});
  clean_fully(*h.lg, cleaner, 5000);
  // Everything closed is clean now; a few new batches make it dirty again, below 0.5.
  w.run(*h.lg, 3, 400, 13, 200);
  REQUIRE(h.lg->roll(5000));
  in = snapshot_for_cleaning(*h.lg, 5000);
  c = assess_cleaning(in);
  CHECK(c.clean_bytes > 0);
  CHECK(c.dirty_ratio < 0.5);
  CHECK_FALSE(c.due);
  // ... unless the oldest dirty record is older than max_compaction_lag_ms.
  in.cfg.max_compaction_lag_ms = 100;
  CHECK(assess_cleaning(in).due);
  // A topic that does not compact is never due.
  in.cfg.cleanup = cleanup_policy::remove;
  CHECK_FALSE(assess_cleaning(in).due);
}

TEST_CASE("cleaner: an idempotent producer continues after cleaning and a restart") {
  log_harness h(compacted());
  workload w;
  w.run(*h.lg, 150, 3, 21);
  // The producer's batches are spread over the cleaned range, its last one too.
  REQUIRE(h.lg->roll(5000));
  const timestamp_ms now = 5000;
  log_cleaner cleaner(h.fs, cleaner_config{});
  auto stats = clean_fully(*h.lg, cleaner, now);
  CHECK(stats.records_removed > 0);
  std::vector<model::batch_header> headers;
  read_records(*h.lg, &headers);
  // The producer's last batch is there, at its offsets and sequence, possibly emptied.
  auto last = std::find_if(headers.begin(), headers.end(), [&](const auto& b) {
    return b.base_offset == w.producer_last_base;
  });
  REQUIRE(last != headers.end());
  CHECK(last->producer_id == producer);
  h.reopen(now);
  partition::producer_state ps;
  REQUIRE(ps.rebuild(*h.lg, h.lg->start_offset()));
  // The next batch in sequence is accepted; a retry of the last one is a duplicate.
  model::batch_header next;
  next.producer_id = producer;
  next.producer_epoch = 0;
  next.base_sequence = w.producer_next_seq;
  next.last_offset_delta = 0;
  CHECK(ps.check(next).check == partition::sequence_check::ok);
  model::batch_header retry = *last;
  auto verdict = ps.check(retry);
  CHECK(verdict.check == partition::sequence_check::duplicate);
  CHECK(verdict.original.base_offset.value() == w.producer_last_base);
  next.base_sequence = w.producer_next_seq + 1;
  CHECK(ps.check(next).check == partition::sequence_check::out_of_order);
}

TEST_CASE("cleaner: a swap whose segment was deleted meanwhile is refused and leaves nothing") {
  log_config cfg = compacted();
  cfg.cleanup = cleanup_policy::compact_remove;
  cfg.retention_ms = 1000;
  log_harness h(cfg);
  workload w;
  w.run(*h.lg, 100, 5, 31);
  const auto before = read_records(*h.lg);
  log_cleaner cleaner(h.fs, cleaner_config{});
  cleaning_stats stats;
  auto swap = cleaner.clean(snapshot_for_cleaning(*h.lg, 5000), stats);
  REQUIRE(swap);
  REQUIRE_FALSE(swap->segments.empty());
  // Retention deletes the oldest segments between the snapshot and the swap.
  REQUIRE(*h.lg->apply_retention(1000 + 10 * 30 + 1000) > 0);
  const auto trimmed = read_records(*h.lg);
  auto r = h.lg->swap_cleaned(*swap);
  REQUIRE_FALSE(r);
  CHECK(r.code() == errc::not_found);
  CHECK(read_records(*h.lg) == trimmed);
  for (const auto& c : swap->segments) CHECK_FALSE(h.fs->exists(cleaned_segment_path(h.dir, c.base)));
  CHECK(h.lg->cleaned_offset() == offset{0});
}

TEST_CASE("cleaner: compact alone applies no time or size retention") {
  log_config cfg = compacted();
  cfg.retention_ms = 1;
  cfg.retention_bytes = 1;
  log_harness h(cfg);
  workload w;
  w.run(*h.lg, 100, 5, 41);
  const auto segments = h.lg->segments().size();
  CHECK(*h.lg->apply_retention(1'000'000) == 0);
  CHECK(h.lg->segments().size() == segments);
}

TEST_CASE("cleaner: killed before any write, rename or sync, the log is as before or as after") {
  // Runs one cleaning and swap with the process killed before its n-th mutation, for every n,
  // then loses the power and reopens: the log reads exactly as before or exactly as after, no
  // .cleaned file or commit is left, and the reopened log cleans to the same result.
  const timestamp_ms now = 5000;
  auto setup = [](log_harness& h, workload& w) {
    w.run(*h.lg, 120, 12, 51);
    REQUIRE(h.lg->sync());
  };
  std::vector<seen_record> before, after;
  uint64_t total_mutations = 0;
  {
    log_harness h(compacted());
    workload w;
    setup(h, w);
    before = read_records(*h.lg);
    const uint64_t start = h.fs->mutation_count();
    log_cleaner cleaner(h.fs, cleaner_config{});
    clean_fully(*h.lg, cleaner, now);
    total_mutations = h.fs->mutation_count() - start;
    after = read_records(*h.lg);
    REQUIRE(after != before);
  }
  REQUIRE(total_mutations > 10);
  int saw_before = 0, saw_after = 0, completed = 0, discarded = 0;
  for (uint64_t n = 0; n <= total_mutations; ++n) {
    CAPTURE(n);
    log_harness h(compacted());
    workload w;
    setup(h, w);
    h.fs->kill_after_mutations(n);
    {
      log_cleaner cleaner(h.fs, cleaner_config{});
      cleaning_stats stats;
      auto swap = cleaner.clean(snapshot_for_cleaning(*h.lg, now), stats);
      if (swap) (void)h.lg->swap_cleaned(*swap);
    }
    h.fs->crash();
    h.reopen(now);
    const auto& report = h.lg->recovery().interrupted_cleaning;
    if (report.find("completed") != std::string::npos) ++completed;
    if (report.find("discarded") != std::string::npos) ++discarded;
    CHECK(h.lg->recovery().corrupt_segments.empty());
    const auto seen = read_records(*h.lg);
    const bool is_before = seen == before;
    const bool is_after = seen == after;
    CHECK((is_before || is_after));
    saw_before += is_before;
    saw_after += is_after;
    auto names = h.fs->list(h.dir);
    REQUIRE(names);
    for (const auto& name : *names) {
      CHECK_FALSE(name.ends_with(".cleaned"));
      CHECK_FALSE(name.starts_with("cleaning.commit"));
    }
    // Whatever state it is in, cleaning it again reaches the same result.
    log_cleaner cleaner(h.fs, cleaner_config{});
    clean_fully(*h.lg, cleaner, now);
    CHECK(read_records(*h.lg) == after);
  }
  CHECK(saw_before > 0);
  CHECK(saw_after > 0);
  CHECK(completed > 0);
  CHECK(discarded > 0);
}

TEST_CASE("cleaner: compressed batches are filtered and rewritten readable") {
  // A gzip batch whose records are partly superseded loses them and is stored uncompressed;
  // a gzip batch kept whole stays byte for byte as it was.
  log_harness h(compacted());
  auto gzip_batch = [](std::vector<std::pair<std::string, std::string>> kv, timestamp_ms ts) {
    bytes plain;
    model::batch_builder b(plain);
    for (auto& [k, v] : kv) b.append(ts, as_bytes(k), as_bytes(v));
    b.finish();
    bytes body(plain.begin() + model::batch_header_size, plain.end());
    return test_codecs::with_body(plain, model::compression::gzip, test_codecs::gzip(body));
  };
  bytes first = gzip_batch({{"a", "1"}, {"b", "2"}, {"c", "3"}}, 1000);
  REQUIRE(h.lg->append(first, 1000));
  bytes second = gzip_batch({{"b", "4"}, {"d", "5"}}, 1001);
  REQUIRE(h.lg->append(second, 1001));
  REQUIRE(h.lg->roll(1001));
  h.append(1, 1002);
  log_cleaner cleaner(h.fs, cleaner_config{});
  clean_fully(*h.lg, cleaner, 5000);
  std::vector<model::batch_header> headers;
  const auto seen = read_records(*h.lg, &headers);
  REQUIRE(seen.size() == 5);
  CHECK(seen[0] == seen_record{0, "a", "1"});
  CHECK(seen[1] == seen_record{2, "c", "3"});
  CHECK(seen[2] == seen_record{3, "b", "4"});
  CHECK(seen[3] == seen_record{4, "d", "5"});
  REQUIRE(headers.size() == 3);
  CHECK(headers[0].codec() == model::compression::none);
  CHECK(headers[0].records_count == 2);
  CHECK(headers[0].last_offset_delta == 2);  // the offset range is kept
  CHECK(headers[1].codec() == model::compression::gzip);
  read_config rc;
  rc.start = offset{3};
  auto r = h.lg->read(rc);
  REQUIRE(r);
  bytes stored_second(r->data.begin(), r->data.begin() + static_cast<ptrdiff_t>(second.size()));
  CHECK(stored_second == second);
}

TEST_CASE("partition core: a record without a key is refused by a compacted topic") {
  auto fs = std::make_shared<memory_file_system>();
  log_config cfg = compacted();
  cfg.fsync = fsync_policy::never;  // acknowledged at once
  auto lg = storage::log::open(fs, "/data/t-0", cfg, 0);
  REQUIRE(lg);
  auto txns = partition::transaction_state::open(fs, **lg);
  REQUIRE(txns);
  partition::partition_core core(partition::partition_core::config{
      "t", partition_id{0}, std::shared_ptr<storage::log>(std::move(*lg)), false,
      std::move(*txns)});
  struct sink final : partition::append_sink {
    std::optional<partition::append_outcome> outcome;
    void on_appended(const partition::append_outcome& o) override { outcome = o; }
  };
  auto batch = [](bool with_null_key, bool compressed) {
    bytes plain;
    model::batch_builder b(plain);
    b.append(1000, as_bytes("k"), as_bytes("v"));
    if (with_null_key) b.append(1000, std::nullopt, as_bytes("v"));
    b.finish();
    if (!compressed) return plain;
    bytes body(plain.begin() + model::batch_header_size, plain.end());
    return test_codecs::with_body(plain, model::compression::gzip, test_codecs::gzip(body));
  };
  for (bool compressed : {false, true}) {
    CAPTURE(compressed);
    auto refused = std::make_shared<sink>();
    core.append(partition::append_batch::copy_of(batch(true, compressed)), refused, true, 1000);
    REQUIRE(refused->outcome);
    CHECK(refused->outcome->code == errc::invalid_record);
    CHECK(refused->outcome->message.find("requires a key") != std::string::npos);
    auto accepted = std::make_shared<sink>();
    core.append(partition::append_batch::copy_of(batch(false, compressed)), accepted, true, 1000);
    REQUIRE(accepted->outcome);
    CHECK(accepted->outcome->code == errc::ok);
  }
  // The same keyless batch goes into a topic that only deletes.
  auto cfg2 = cfg;
  cfg2.cleanup = cleanup_policy::remove;
  core.update_config(cfg2, false);
  auto s = std::make_shared<sink>();
  core.append(partition::append_batch::copy_of(batch(true, false)), s, true, 1000);
  REQUIRE(s->outcome);
  CHECK(s->outcome->code == errc::ok);
}

TEST_CASE("partition core: swap_cleaned replaces what fetches read and drops the hot tail") {
  auto fs = std::make_shared<memory_file_system>();
  log_config cfg = compacted();
  cfg.fsync = fsync_policy::never;  // the high watermark is the end offset
  auto lg = storage::log::open(fs, "/data/t-0", cfg, 0);
  REQUIRE(lg);
  std::shared_ptr<storage::log> shared(std::move(*lg));
  auto txns = partition::transaction_state::open(fs, *shared);
  REQUIRE(txns);
  partition::partition_core core(partition::partition_core::config{
      "t", partition_id{0}, shared, false, std::move(*txns)});
  struct sink final : partition::append_sink {
    void on_appended(const partition::append_outcome&) override {}
  };
  workload w;
  // Appends through the core, so the hot tail holds the newest batches.
  std::mt19937 rng(61);
  for (int i = 0; i < 100; ++i) {
    bytes out;
    model::batch_builder b(out);
    std::string key = "key-" + std::to_string(rng() % 4);
    std::string value = "v" + std::to_string(i) + std::string(40, 'x');
    b.append(1000 + i, as_bytes(key), as_bytes(value));
    b.finish();
    core.append(partition::append_batch::copy_of(out), std::make_shared<sink>(), true, 1000 + i);
    w.by_offset.push_back({key, value, 1000 + i});
  }
  REQUIRE_FALSE(core.cleaning_snapshot(1000));  // the newest segments are "in the future"
  auto in = core.cleaning_snapshot(5000);
  REQUIRE(in);
  log_cleaner cleaner(fs, cleaner_config{});
  cleaning_stats stats;
  auto swap = cleaner.clean(*in, stats);
  REQUIRE(swap);
  REQUIRE(core.swap_cleaned(*swap));
  const auto expected = w.expected(in->first_uncleanable.value(), 5000, 2500);
  CHECK(read_records(*shared) == expected);
  // Fetches through the core (hot tail first, then the log) see the cleaned log too.
  struct fetched final : partition::fetch_sink {
    std::optional<partition::fetch_response> r;
    void on_fetched(partition::fetch_response resp) override { r = std::move(resp); }
  };
  std::vector<seen_record> seen;
  int64_t next = 0;
  while (next < static_cast<int64_t>(w.by_offset.size())) {
    auto f = std::make_shared<fetched>();
    partition::fetch_request rq;
    rq.start = offset{next};
    rq.max_bytes = 512;
    core.fetch(rq, f, partition::partition_core::time_point{});
    REQUIRE(f->r);
    REQUIRE(f->r->code == errc::ok);
    REQUIRE(f->r->bytes > 0);
    for (const auto& chunk : f->r->chunks) {
      model::batch_walker walker(chunk.view());
      model::batch_header h;
      bytes_view batch;
      while (walker.next(h, batch)) {
        model::record_iterator it(batch);
        model::record_view rec;
        while (it.next(rec)) {
          if (rec.offset < next) continue;  // the first batch may begin before `start`
          seen_record sr{rec.offset, std::string(as_string_view(*rec.key)), std::nullopt};
          if (rec.value) sr.value = std::string(as_string_view(*rec.value));
          seen.push_back(sr);
        }
        next = std::max(next, h.last_offset() + 1);
      }
    }
  }
  CHECK(seen == expected);
}

TEST_CASE("io_throttle: sleeps so that the bytes reported never come faster than the rate") {
  int64_t clock = 0;
  int64_t slept = 0;
  storage::io_throttle t(1 << 20, [&] { return clock; }, [&](int64_t ns) {
    slept += ns;
    clock += ns;
  });
  // 10 MiB reported in 64 KiB steps, each taking 1ms of "work": 64 MiB/s without a limit.
  for (int i = 0; i < 160; ++i) {
    clock += 1'000'000;
    t.on_io(64 << 10);
  }
  // At 1 MiB/s the 10 MiB take about 10 s; the last partial window may not be slept yet.
  CHECK(clock >= 9'800'000'000);
  CHECK(clock <= 10'100'000'000);
  CHECK(t.slept_ns() == slept);
  // No limit: never sleeps.
  storage::io_throttle none(-1, [&] { return clock; }, [&](int64_t) { FAIL("slept"); });
  for (int i = 0; i < 100; ++i) none.on_io(1 << 20);
}

TEST_CASE("cleaner: a compacted topic rolls its active segment by max_compaction_lag_ms") {
  log_config cfg = compacted(1 << 20);
  cfg.segment_ms = 1'000'000;
  cfg.max_compaction_lag_ms = 100;
  log_harness h(cfg);
  h.reopen(1000);  // the empty segment's age starts now
  h.append(1, 1000, 16, 1000);
  h.append(1, 1050, 16, 1050);
  CHECK(h.lg->segments().size() == 1);
  h.append(1, 1100, 16, 1100);  // the active segment is 100ms old: rolled first
  CHECK(h.lg->segments().size() == 2);
  // Without compaction only segment_ms counts.
  cfg.cleanup = cleanup_policy::remove;
  h.lg->update_config(cfg);
  h.append(1, 1300, 16, 1300);
  CHECK(h.lg->segments().size() == 2);
}

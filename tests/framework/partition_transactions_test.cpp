// Transactions in the partition core, without actors: transactional batches and markers, the
// Last Stable Offset, read_committed fetches and their aborted transactions, the aborted index
// and checkpoint across reopen and crashes, retention and compaction around open transactions.
// The random test checks the core against a model of what a read_committed reader must see.
#include <doctest/doctest.h>

#include <algorithm>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "lkstream/model/compression.hpp"
#include "lkstream/model/record_batch.hpp"
#include "lkstream/model/transaction_marker.hpp"
#include "lkstream/partition/partition_core.hpp"
#include "lkstream/storage/log_cleaner.hpp"
#include "lkstream/storage/memory_file_system.hpp"

using namespace lkstream;
using namespace lkstream::partition;
using namespace std::chrono_literals;
using storage::fsync_policy;

namespace {

using time_point = partition_core::time_point;

struct recorded_append final : append_sink {
  std::optional<append_outcome> outcome;
  void on_appended(const append_outcome& o) override { outcome = o; }
};

struct recorded_fetch final : fetch_sink {
  std::optional<fetch_response> response;
  void on_fetched(fetch_response r) override { response = std::move(r); }
};

// Records carry their value as "p<producer>-<n>" so a reader's output can be compared.
bytes txn_batch(int64_t pid, int16_t epoch, int32_t seq, const std::vector<std::string>& values,
                bool transactional = true, const std::vector<std::string>& keys = {}) {
  bytes out;
  model::batch_builder b(out, pid, epoch, seq, transactional);
  for (size_t i = 0; i < values.size(); ++i) {
    std::string key = keys.empty() ? values[i] : keys[i];
    b.append(1700000000000 + static_cast<int64_t>(i), as_bytes(key), as_bytes(values[i]));
  }
  b.finish();
  return out;
}

struct txn_harness {
  std::shared_ptr<storage::memory_file_system> fs =
      std::make_shared<storage::memory_file_system>();
  storage::log_config cfg;
  std::unique_ptr<partition_core> core;
  timestamp_ms wall = 1700000000000;
  time_point t0 = time_point{} + 1h;

  explicit txn_harness(fsync_policy policy = fsync_policy::never) {
    cfg.fsync = policy;
    open();
  }

  void open() {
    core.reset();
    auto lg = storage::log::open(fs, "/data/t-0", cfg, wall);
    REQUIRE_MESSAGE(lg, lg.err().to_string());
    auto txns = transaction_state::open(fs, **lg);
    REQUIRE_MESSAGE(txns, txns.err().to_string());
    core = std::make_unique<partition_core>(partition_core::config{
        "t", partition_id{0}, std::shared_ptr<storage::log>(std::move(*lg)), false,
        std::move(*txns)});
  }

  /// A power loss: the core is dropped without closing (nothing more is written), the
  /// memory file system loses what was not synced.
  void crash_and_reopen() {
    fs->kill_after_mutations(0);
    core.reset();
    fs->kill_after_mutations(std::nullopt);
    fs->crash();
    open();
  }

  append_outcome append(const bytes& b) {
    auto sink = std::make_shared<recorded_append>();
    (void)core->append(append_batch::copy_of(b), sink, true, wall);
    if (core->policy() == fsync_policy::always) sync();
    REQUIRE(sink->outcome);
    return *sink->outcome;
  }

  append_outcome marker(int64_t pid, int16_t epoch, model::marker_type type) {
    auto sink = std::make_shared<recorded_append>();
    (void)core->append_marker(pid, epoch, {type, 3}, sink, wall);
    if (core->policy() == fsync_policy::always) sync();
    REQUIRE(sink->outcome);
    return *sink->outcome;
  }

  void sync() {
    auto job = core->begin_sync();
    if (job) core->end_sync(*job, job->file->sync());
  }

  fetch_response fetch(int64_t start, bool read_committed, size_t max_bytes = 1 << 20) {
    auto sink = std::make_shared<recorded_fetch>();
    fetch_request rq;
    rq.start = offset{start};
    rq.max_bytes = max_bytes;
    rq.read_committed = read_committed;
    core->fetch(rq, sink, t0);
    REQUIRE(sink->response);
    return std::move(*sink->response);
  }

  /// What a read_committed consumer returns from offset 0, read the way the Java client
  /// does (Fetcher/CompletedFetch): an aborted transaction's producer is skipped from its
  /// first offset until its abort marker; control batches are never returned.
  std::vector<std::string> read_committed_values() {
    std::vector<std::string> out;
    int64_t next = core->describe().log_start.value();
    for (int guard = 0; guard < 100000; ++guard) {
      auto r = fetch(next, true, 4096);
      REQUIRE(r.code == errc::ok);
      if (r.chunks.empty()) break;
      auto aborted = r.aborted;  // by marker offset; consumed by first offset below
      std::sort(aborted.begin(), aborted.end(),
                [](const model::aborted_txn& a, const model::aborted_txn& b) {
                  return a.first < b.first;
                });
      size_t next_aborted = 0;
      std::set<int64_t> skipping;
      for (auto& chunk : r.chunks) {
        model::batch_walker walk(chunk.view());
        model::batch_header h;
        bytes_view b;
        while (walk.next(h, b)) {
          while (next_aborted < aborted.size() &&
                 aborted[next_aborted].first.value() <= h.last_offset()) {
            skipping.insert(aborted[next_aborted].producer_id);
            ++next_aborted;
          }
          if (h.last_offset() >= next) {
            if (h.is_control()) {
              auto m = model::read_marker(b);
              REQUIRE(m);
              if (m->type == model::marker_type::abort) skipping.erase(h.producer_id);
            } else if (!(h.is_transactional() && skipping.count(h.producer_id))) {
              model::record_iterator it(b);
              model::record_view rec;
              while (it.next(rec))
                if (rec.offset >= next)
                  out.emplace_back(reinterpret_cast<const char*>(rec.value->data()),
                                   rec.value->size());
            }
          }
          next = h.last_offset() + 1;
        }
      }
    }
    return out;
  }
};

using model::marker_type;

}  // namespace

TEST_CASE("transaction marker: the control batch Kafka writes, read back") {
  bytes b;
  model::build_marker_batch(b, 42, 7, {marker_type::commit, 5}, 1700000000123);
  auto h = model::validate_batch(b);
  REQUIRE_MESSAGE(h, h.err().to_string());
  CHECK(h->attributes == 0x30);
  CHECK(h->is_control());
  CHECK(h->is_transactional());
  CHECK(h->producer_id == 42);
  CHECK(h->producer_epoch == 7);
  CHECK(h->base_sequence == -1);
  CHECK(h->records_count == 1);
  auto m = model::read_marker(b);
  REQUIRE(m);
  CHECK(m->type == marker_type::commit);
  CHECK(m->coordinator_epoch == 5);
  // A data batch is not a marker.
  CHECK_FALSE(model::read_marker(txn_batch(1, 0, 0, {"a"})));
}

TEST_CASE("transactions: the LSO stops read_committed at an open transaction until its commit") {
  txn_harness h;
  REQUIRE(h.append(txn_batch(-1, -1, -1, {"plain-0"}, false)).code == errc::ok);  // offset 0
  auto a = h.append(txn_batch(7, 0, 0, {"t-1", "t-2"}));                           // 1..2
  REQUIRE(a.code == errc::ok);
  REQUIRE(h.append(txn_batch(-1, -1, -1, {"plain-3"}, false)).code == errc::ok);   // 3
  CHECK(h.core->high_watermark() == offset{4});
  CHECK(h.core->last_stable_offset() == offset{1});
  CHECK(h.core->describe().open_transactions == 1);

  auto rc = h.fetch(0, true);
  CHECK(rc.last_stable == offset{1});
  CHECK(rc.high_watermark == offset{4});
  CHECK(rc.bytes > 0);
  CHECK(h.read_committed_values() == std::vector<std::string>{"plain-0"});
  auto ru = h.fetch(1, false);
  CHECK(ru.bytes > 0);  // read_uncommitted sees the open transaction
  CHECK(h.fetch(1, true).bytes == 0);
  CHECK(h.core->list_offset(-1, true)->first == 1);
  CHECK(h.core->list_offset(-1, false)->first == 4);

  auto m = h.marker(7, 0, marker_type::commit);  // 4
  REQUIRE(m.code == errc::ok);
  CHECK(m.info.base_offset == offset{4});
  CHECK(h.core->last_stable_offset() == offset{5});
  CHECK(h.core->describe().open_transactions == 0);
  CHECK(h.read_committed_values() == std::vector<std::string>{"plain-0", "t-1", "t-2", "plain-3"});
  CHECK(h.fetch(0, true).aborted.empty());
}

TEST_CASE("transactions: an aborted transaction is listed to read_committed readers, who drop it") {
  txn_harness h;
  REQUIRE(h.append(txn_batch(7, 0, 0, {"a-0"})).code == errc::ok);          // 0
  REQUIRE(h.append(txn_batch(8, 0, 0, {"b-1"})).code == errc::ok);          // 1
  REQUIRE(h.append(txn_batch(7, 0, 1, {"a-2"})).code == errc::ok);          // 2
  REQUIRE(h.marker(7, 0, marker_type::abort).code == errc::ok);             // 3
  CHECK(h.core->last_stable_offset() == offset{1});                         // 8 still open
  REQUIRE(h.marker(8, 0, marker_type::commit).code == errc::ok);            // 4
  CHECK(h.core->last_stable_offset() == offset{5});
  auto r = h.fetch(0, true);
  REQUIRE(r.aborted.size() == 1);
  CHECK(r.aborted[0] == model::aborted_txn{7, offset{0}, offset{3}, offset{0}});
  CHECK(h.fetch(0, false).aborted.empty());  // read_uncommitted gets no list
  CHECK(h.fetch(4, true).aborted.empty());   // past the marker: not needed
  CHECK(h.read_committed_values() == std::vector<std::string>{"b-1"});
}

TEST_CASE("transactions: refused batches and markers") {
  txn_harness h;
  SUBCASE("a control batch from a client") {
    bytes b;
    model::build_marker_batch(b, 7, 0, {marker_type::commit, 0}, h.wall);
    auto o = h.append(b);
    CHECK(o.code == errc::invalid_record);
    CHECK(o.message.find("control") != std::string::npos);
    CHECK(h.core->describe().end == offset{0});
  }
  SUBCASE("plain data of a producer whose transaction is open") {
    REQUIRE(h.append(txn_batch(7, 0, 0, {"t"})).code == errc::ok);
    CHECK(h.append(txn_batch(7, 0, 1, {"plain"}, false)).code == errc::invalid_txn_state);
  }
  SUBCASE("a fenced producer's batch and marker") {
    REQUIRE(h.append(txn_batch(7, 0, 0, {"old"})).code == errc::ok);
    REQUIRE(h.marker(7, 1, marker_type::abort).code == errc::ok);  // the coordinator bumped
    auto zombie = h.append(txn_batch(7, 0, 1, {"zombie"}));
    CHECK(zombie.code != errc::ok);
    CHECK(zombie.sequence == sequence_check::stale_epoch);
    CHECK(h.marker(7, 0, marker_type::commit).code == errc::invalid_producer_epoch);
    REQUIRE(h.append(txn_batch(7, 1, 0, {"new"})).code == errc::ok);
    REQUIRE(h.marker(7, 1, marker_type::commit).code == errc::ok);
    CHECK(h.read_committed_values() == std::vector<std::string>{"new"});
  }
}

TEST_CASE("transactions: under fsync=always the LSO waits for the marker's sync") {
  txn_harness h(fsync_policy::always);
  REQUIRE(h.append(txn_batch(7, 0, 0, {"t"})).code == errc::ok);  // synced
  auto sink = std::make_shared<recorded_append>();
  (void)h.core->append_marker(7, 0, {marker_type::commit, 0}, sink, h.wall);
  CHECK_FALSE(sink->outcome);
  CHECK(h.core->high_watermark() == offset{1});
  CHECK(h.core->last_stable_offset() == offset{0});  // decided, not yet durable
  h.sync();
  REQUIRE(sink->outcome);
  CHECK(h.core->last_stable_offset() == offset{2});
}

TEST_CASE("transactions: a parked read_committed fetch wakes when the transaction commits") {
  txn_harness h;
  REQUIRE(h.append(txn_batch(7, 0, 0, {"t"})).code == errc::ok);
  auto sink = std::make_shared<recorded_fetch>();
  fetch_request rq;
  rq.start = offset{0};
  rq.max_wait_ms = 10000;
  rq.read_committed = true;
  CHECK(h.core->fetch(rq, sink, h.t0));
  REQUIRE(h.append(txn_batch(-1, -1, -1, {"plain"}, false)).code == errc::ok);
  CHECK_FALSE(sink->response);  // still behind the open transaction
  REQUIRE(h.marker(7, 0, marker_type::commit).code == errc::ok);
  REQUIRE(sink->response);
  CHECK(sink->response->bytes > 0);
  CHECK(sink->response->last_stable == offset{3});
}

TEST_CASE("transactions: open transactions and aborted ranges survive a reopen and a crash") {
  txn_harness h(fsync_policy::always);
  REQUIRE(h.append(txn_batch(7, 0, 0, {"a-0"})).code == errc::ok);   // 0
  REQUIRE(h.marker(7, 0, marker_type::abort).code == errc::ok);      // 1
  REQUIRE(h.append(txn_batch(8, 0, 0, {"b-2"})).code == errc::ok);   // 2, stays open
  REQUIRE(h.append(txn_batch(-1, -1, -1, {"p-3"}, false)).code == errc::ok);
  const auto expect_state = [&] {
    CHECK(h.core->last_stable_offset() == offset{2});
    REQUIRE(h.core->transactions().aborted().size() == 1);
    CHECK(h.core->transactions().aborted()[0] == model::aborted_txn{7, offset{0}, offset{1}, offset{0}});
    CHECK(h.read_committed_values().empty());
  };
  expect_state();
  SUBCASE("clean close: the checkpoint is used, nothing is scanned") {
    h.open();
    CHECK(h.core->transactions().recovery().checkpoint_used);
    CHECK(h.core->transactions().recovery().scanned_from == offset{4});
    expect_state();
  }
  SUBCASE("a crash: the log is scanned from the last checkpoint") {
    h.crash_and_reopen();
    expect_state();
  }
  SUBCASE("no checkpoint, no index: both rebuilt from the log") {
    h.core.reset();
    REQUIRE(h.fs->remove_all("/data/t-0/transactions.checkpoint"));
    REQUIRE(h.fs->remove_all("/data/t-0/aborted.txnindex"));
    h.open();
    CHECK_FALSE(h.core->transactions().recovery().checkpoint_used);
    expect_state();
    CHECK(h.fs->exists("/data/t-0/aborted.txnindex"));
  }
  SUBCASE("a damaged checkpoint is reported and the log scanned") {
    h.core.reset();
    auto f = h.fs->open("/data/t-0/transactions.checkpoint", storage::open_mode::read_write);
    REQUIRE(f);
    std::byte junk[1] = {std::byte{0x5a}};
    REQUIRE((*f)->write_at(8, {junk, 1}));
    f->reset();
    h.open();
    CHECK(h.core->transactions().recovery().note.find("CRC") != std::string::npos);
    expect_state();
  }
  // Then the open transaction commits after the restart.
  REQUIRE(h.marker(8, 0, marker_type::commit).code == errc::ok);
  CHECK(h.read_committed_values() == std::vector<std::string>{"b-2", "p-3"});
}

TEST_CASE("transactions: an index entry whose marker a crash took away is dropped") {
  txn_harness h(fsync_policy::never);
  REQUIRE(h.append(txn_batch(7, 0, 0, {"a"})).code == errc::ok);
  h.sync();
  (void)h.core->checkpoint_transactions();
  REQUIRE(h.marker(7, 0, marker_type::abort).code == errc::ok);  // index entry, log unsynced
  auto idx = h.fs->open("/data/t-0/aborted.txnindex", storage::open_mode::read_only);
  REQUIRE(idx);
  REQUIRE((*idx)->sync());  // the entry survives, its marker will not
  idx->reset();
  h.crash_and_reopen();
  CHECK(h.core->describe().end == offset{1});
  CHECK(h.core->transactions().aborted().empty());
  CHECK(h.core->last_stable_offset() == offset{0});  // the transaction is open again
}

TEST_CASE("transactions: retention keeps the segments of an open transaction") {
  txn_harness h;
  h.cfg.segment_bytes = 200;
  h.cfg.retention_bytes = 0;
  h.open();
  REQUIRE(h.append(txn_batch(-1, -1, -1, {"old-0"}, false)).code == errc::ok);
  REQUIRE(h.append(txn_batch(7, 0, 0, {"t-1"})).code == errc::ok);
  for (int i = 0; i < 6; ++i)
    REQUIRE(h.append(txn_batch(-1, -1, -1, {"filler-" + std::to_string(i)}, false)).code == errc::ok);
  REQUIRE(h.core->describe().segments > 3);
  REQUIRE(h.core->apply_retention(h.wall));
  CHECK(h.core->describe().log_start <= offset{1});
  REQUIRE(h.marker(7, 0, marker_type::commit).code == errc::ok);
  REQUIRE(h.core->apply_retention(h.wall));
  CHECK(h.core->describe().log_start > offset{1});
}

TEST_CASE("transactions: compaction drops aborted data, keeps markers and stops at the LSO") {
  txn_harness h;
  h.cfg.cleanup = storage::cleanup_policy::compact;
  h.cfg.segment_bytes = 1;  // one batch per segment
  h.cfg.min_cleanable_dirty_ratio = 0;
  h.open();
  auto plain = [&](const std::string& key, const std::string& value) {
    REQUIRE(h.append(txn_batch(-1, -1, -1, {value}, false, {key})).code == errc::ok);
  };
  plain("k", "v1");                                                                     // 0
  REQUIRE(h.append(txn_batch(7, 0, 0, {"v2-aborted"}, true, {"k"})).code == errc::ok);  // 1
  REQUIRE(h.marker(7, 0, marker_type::abort).code == errc::ok);                         // 2
  REQUIRE(h.append(txn_batch(8, 0, 0, {"w1-open"}, true, {"w"})).code == errc::ok);     // 3
  plain("w", "w0");                                                                     // 4
  plain("x", "x0");                                                                     // 5 (active)
  auto in = h.core->cleaning_snapshot(h.wall);
  REQUIRE(in);
  CHECK(in->first_uncleanable == offset{3});  // the open transaction's segment
  REQUIRE(in->aborted.size() == 1);
  storage::log_cleaner cleaner(h.fs, {.dedupe_buffer_bytes = 1 << 16});
  storage::cleaning_stats stats;
  auto swap = cleaner.clean(*in, stats);
  REQUIRE_MESSAGE(swap, swap.err().to_string());
  REQUIRE(h.core->swap_cleaned(*swap));
  CHECK(stats.records_removed == 1);  // the aborted v2, and v1 is kept (not superseded by it)
  std::vector<std::string> uncommitted;
  auto r = h.fetch(0, false);
  for (auto& c : r.chunks) {
    model::batch_walker walk(c.view());
    model::batch_header bh;
    bytes_view b;
    while (walk.next(bh, b)) {
      if (bh.is_control()) {
        uncommitted.push_back("marker");
        continue;
      }
      model::record_iterator it(b);
      model::record_view rec;
      while (it.next(rec))
        uncommitted.emplace_back(reinterpret_cast<const char*>(rec.value->data()),
                                 rec.value->size());
    }
  }
  CHECK(uncommitted == std::vector<std::string>{"v1", "marker", "w1-open", "w0", "x0"});
  REQUIRE(h.marker(8, 0, marker_type::commit).code == errc::ok);
  CHECK(h.read_committed_values() == std::vector<std::string>{"v1", "w1-open", "w0", "x0"});
}

// A random mix of producers writing plain and transactional batches, commits, aborts, clean
// reopens and crashes (fsync=always, so every acknowledged append survives), checked against
// a model: a read_committed reader sees exactly the plain records and the committed
// transactions' records, in log order, and the LSO is the first open transaction's offset.
TEST_CASE("transactions: random workloads against a model, across reopens and crashes") {
  for (uint32_t seed = 1; seed <= 20; ++seed) {
    CAPTURE(seed);
    std::mt19937 rng(seed);
    txn_harness h(fsync_policy::always);
    h.cfg.segment_bytes = 300 + rng() % 400;
    h.open();
    struct producer {
      int16_t epoch = 0;
      int32_t seq = 0;
      bool open = false;
      std::vector<std::pair<int64_t, std::string>> pending;  // offset, value
    };
    std::map<int64_t, producer> producers;
    std::vector<std::pair<int64_t, std::string>> visible;  // offset, value: committed or plain
    int counter = 0;
    auto expected_lso = [&] {
      int64_t lso = h.core->high_watermark().value();
      for (auto& [pid, p] : producers)
        if (p.open && !p.pending.empty()) lso = std::min(lso, p.pending.front().first);
      return lso;
    };
    for (int step = 0; step < 150; ++step) {
      const int64_t pid = 1 + static_cast<int64_t>(rng() % 4);
      producer& p = producers[pid];
      const int op = static_cast<int>(rng() % 20);
      if (op < 6) {  // plain record
        std::string v = "plain-" + std::to_string(counter++);
        auto o = h.append(txn_batch(-1, -1, -1, {v}, false));
        REQUIRE(o.code == errc::ok);
        visible.emplace_back(o.info.base_offset.value(), v);
      } else if (op < 13) {  // transactional records
        std::vector<std::string> vs;
        const int n = 1 + static_cast<int>(rng() % 3);
        for (int i = 0; i < n; ++i) vs.push_back("p" + std::to_string(pid) + "-" + std::to_string(counter++));
        auto o = h.append(txn_batch(pid, p.epoch, p.seq, vs));
        REQUIRE_MESSAGE(o.code == errc::ok, o.message);
        p.seq += n;
        p.open = true;
        for (int i = 0; i < n; ++i) p.pending.emplace_back(o.info.base_offset.value() + i, vs[i]);
      } else if (op < 17) {  // commit or abort
        const bool commit = rng() % 2 == 0;
        REQUIRE(h.marker(pid, p.epoch, commit ? marker_type::commit : marker_type::abort).code ==
                errc::ok);
        if (commit) visible.insert(visible.end(), p.pending.begin(), p.pending.end());
        p.pending.clear();
        p.open = false;
      } else if (op < 18) {  // a fenced restart of the producer: the coordinator aborts
        REQUIRE(h.marker(pid, static_cast<int16_t>(p.epoch + 1), marker_type::abort).code ==
                errc::ok);
        ++p.epoch;
        p.seq = 0;
        p.pending.clear();
        p.open = false;
      } else if (op < 19) {
        h.open();
      } else {
        h.crash_and_reopen();
      }
      REQUIRE(h.core->last_stable_offset().value() == expected_lso());
    }
    std::sort(visible.begin(), visible.end());
    std::vector<std::string> want;
    const int64_t lso = h.core->last_stable_offset().value();
    for (auto& [o, v] : visible)
      if (o < lso) want.push_back(v);
    CHECK(h.read_committed_values() == want);
    // Everything decided: the reader sees all of it.
    for (auto& [pid, p] : producers) {
      if (!p.open) continue;
      REQUIRE(h.marker(pid, p.epoch, marker_type::commit).code == errc::ok);
      visible.insert(visible.end(), p.pending.begin(), p.pending.end());
    }
    std::sort(visible.begin(), visible.end());
    want.clear();
    for (auto& [o, v] : visible) want.push_back(v);
    CHECK(h.read_committed_values() == want);
    h.crash_and_reopen();
    CHECK(h.read_committed_values() == want);
  }
}

// lkstream::table on real files through the public API: a compacted topic of two partitions
// with updates and tombstones, a forced cleaning (engine::run_cleaning) that leaves offset gaps
// and removes expired tombstones, then a table whose snapshot is exactly the model's latest
// value per key at the offsets the producer was told; updates after the snapshot (values and
// tombstones) come from poll() in order and keep the table equal to the model. Also: the
// memory bound, keyless records of a plain topic, an unknown topic, close().
#include <doctest/doctest.h>

#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "actors/engine_harness.hpp"
#include "lkstream/engine.hpp"
#include "lkstream/producer.hpp"
#include "lkstream/table.hpp"
#include "test_util.hpp"

using namespace lkstream;
using namespace std::chrono_literals;

namespace {

// The latest value of each key as the producer's delivery reports placed them.
struct model {
  struct row {
    std::optional<std::string> value;  // nullopt: deleted
    int32_t partition = 0;
    int64_t offset = -1;
  };
  std::mutex m;
  std::map<std::string, row> rows;
  int64_t delivered = 0;
  int64_t failed = 0;

  // Sends key=value (nullopt: a tombstone) and records where it landed. Any thread.
  bool send(producer& p, const std::string& key, std::optional<std::string> value) {
    producer_record rec{.topic = "prices", .key = as_bytes(key)};
    if (value) rec.value = as_bytes(*value);
    return static_cast<bool>(p.send(rec, [this, key, value](const delivery_report& d) {
      std::lock_guard g(m);
      if (d.code != errc::ok) {
        ++failed;
        return;
      }
      auto& r = rows[key];
      if (d.offset > r.offset) r = {value, d.partition, d.offset};
      ++delivered;
    }));
  }
  std::map<std::string, row> live() {
    std::lock_guard g(m);
    std::map<std::string, row> out;
    for (auto& [k, r] : rows)
      if (r.value) out[k] = r;
    return out;
  }
};

// An engine whose cleaner runs only when the test asks (engine::run_cleaning).
std::unique_ptr<engine> open_engine(const std::string& dir) {
  engine_options o;
  auto cfg = config::defaults();
  cfg.broker.data_dir = dir;
  cfg.broker.cleaner_backoff_ms = 3600 * 1000;
  o.config = cfg;
  return test::open_engine(std::move(o));
}

config::topic_settings compacted(engine& eng) {
  auto s = eng.configuration().topic_defaults;
  s.partitions = 2;
  s.log.cleanup = storage::cleanup_policy::compact;
  s.log.segment_bytes = 1024;  // many closed segments to clean
  s.log.min_cleanable_dirty_ratio = 0.01;
  s.log.delete_retention_ms = 0;  // tombstones go at the first cleaning
  return s;
}

void check_equal(const table& t, const std::map<std::string, model::row>& want) {
  CHECK(t.size() == want.size());
  for (auto& [k, r] : want) {
    auto* e = t.get(k);
    REQUIRE_MESSAGE(e, "key " << k << " missing from the table");
    CHECK(e->value == *r.value);
    CHECK(e->partition == r.partition);
    CHECK(e->offset == r.offset);  // the original offset, across the gaps
  }
  for (auto& [k, e] : t.snapshot()) CHECK_MESSAGE(want.count(k), "key " << k << " not expected");
}

}  // namespace

TEST_CASE("table: the snapshot of a cleaned compacted topic is the latest value per key, then "
          "poll() brings the updates after it") {
  test::temp_dir dir;
  auto eng = open_engine(dir.path());
  REQUIRE(eng->create_topic("prices", compacted(*eng)));
  auto p = eng->make_producer();
  model m;
  const std::string pad(40, '.');
  for (int round = 0; round < 20; ++round) {
    for (int k = 0; k < 30; ++k) {
      std::string key = "sym-" + std::to_string(k);
      // Keys 0, 5, 10, ... deleted in round 12; keys 0 and 10 written again from round 15,
      // keys 25 deleted for good in the last round.
      bool tomb = (round == 12 && k % 5 == 0) || (round >= 13 && round < 15 && k % 5 == 0) ||
                  (k % 5 == 0 && k != 0 && k != 10 && round >= 15) || (round == 19 && k == 25);
      REQUIRE(m.send(*p, key, tomb ? std::nullopt
                                   : std::optional<std::string>("px-" + std::to_string(round) + pad)));
    }
    REQUIRE(p->flush(10s));
  }
  auto cleaned = eng->run_cleaning();
  REQUIRE_MESSAGE(cleaned, (cleaned ? "" : cleaned.err().to_string()));
  CHECK(*cleaned == 2);
  // The offsets stay as written (the table below checks they are the original ones).
  uint64_t end = 0;
  auto described = eng->describe_topic("prices");
  REQUIRE(described);
  for (auto& part : described->partitions) end += part.end_offset;
  CHECK(end == 600);

  auto t = table::open(*eng, {.topic = "prices"});
  REQUIRE_MESSAGE(t, (t ? "" : t.err().to_string()));
  auto want = m.live();
  CHECK(want.size() == 30 - 4);  // keys 5, 15, 20, 25 deleted
  check_equal(**t, want);
  CHECK((*t)->skipped_keyless() == 0);
  auto at = (*t)->snapshot_offsets();
  REQUIRE(at.size() == 2);
  CHECK(at[0] + at[1] == 600);
  CHECK((*t)->bytes() > 0);

  // Nothing new: poll() waits and returns no update.
  auto none = (*t)->poll(100ms);
  REQUIRE(none);
  CHECK(none->empty());

  // Updates after the snapshot: a new value, a new key, a tombstone, a resurrected key.
  REQUIRE(m.send(*p, "sym-1", "px-new"));
  REQUIRE(m.send(*p, "sym-new", "px-first"));
  REQUIRE(m.send(*p, "sym-2", std::nullopt));
  REQUIRE(m.send(*p, "sym-5", "px-back"));
  REQUIRE(p->flush(10s));
  std::map<std::string, std::optional<std::string>> seen;
  std::map<int32_t, int64_t> last_offset;
  auto deadline = std::chrono::steady_clock::now() + 30s;
  while (seen.size() < 4 && std::chrono::steady_clock::now() < deadline) {
    auto ups = (*t)->poll(200ms);
    REQUIRE_MESSAGE(ups, (ups ? "" : ups.err().to_string()));
    for (auto& u : *ups) {
      CHECK(u.offset >= at[u.partition]);  // after the snapshot point
      CHECK(u.offset > last_offset.emplace(u.partition, -1).first->second);
      last_offset[u.partition] = u.offset;
      seen[std::string(u.key)] = u.value ? std::optional<std::string>(*u.value) : std::nullopt;
    }
  }
  REQUIRE(seen.size() == 4);
  CHECK(seen["sym-1"] == "px-new");
  CHECK(seen["sym-new"] == "px-first");
  CHECK(seen["sym-2"] == std::nullopt);  // the update says the key was deleted
  CHECK(seen["sym-5"] == "px-back");
  check_equal(**t, m.live());
  CHECK((*t)->get("sym-2") == nullptr);

  // A second table opened now starts from the same state, cleaning or not.
  REQUIRE(eng->run_cleaning());
  auto t2 = table::open(*eng, {.topic = "prices"});
  REQUIRE(t2);
  check_equal(**t2, m.live());
  (*t)->close();
  auto closed = (*t)->poll(10ms);
  CHECK(closed.code() == errc::closed);
  CHECK((*t)->size() == m.live().size());  // still readable after close
}

TEST_CASE("table: records written while open() reads come from the first poll()") {
  test::temp_dir dir;
  auto eng = open_engine(dir.path());
  REQUIRE(eng->create_topic("prices", compacted(*eng)));
  auto p = eng->make_producer();
  model m;
  for (int i = 0; i < 2000; ++i) REQUIRE(m.send(*p, "k" + std::to_string(i % 200), std::to_string(i)));
  REQUIRE(p->flush(10s));
  // A writer runs on while the table opens; the snapshot plus the updates give the model.
  std::thread writer([&] {
    for (int i = 2000; i < 6000; ++i)
      if (!m.send(*p, "k" + std::to_string(i % 200), std::to_string(i))) return;
    (void)p->flush(30s);
  });
  auto t = table::open(*eng, {.topic = "prices", .max_poll_records = 50});
  writer.join();
  REQUIRE_MESSAGE(t, (t ? "" : t.err().to_string()));
  int64_t want_total = 0;
  {
    std::lock_guard g(m.m);
    want_total = m.delivered;
    CHECK(m.failed == 0);
  }
  CHECK(want_total == 6000);
  auto at = (*t)->snapshot_offsets();
  auto deadline = std::chrono::steady_clock::now() + 30s;
  auto caught_up = [&] {
    auto pos = (*t)->positions();
    return pos[0] + pos[1] >= 6000;
  };
  while (!caught_up() && std::chrono::steady_clock::now() < deadline) {
    auto ups = (*t)->poll(200ms);
    REQUIRE(ups);
    for (auto& u : *ups) CHECK(u.offset >= at[u.partition]);
  }
  REQUIRE(caught_up());
  check_equal(**t, m.live());
}

TEST_CASE("table: a table over its max_bytes fails with message_too_large and stays failed") {
  test::temp_dir dir;
  auto eng = open_engine(dir.path());
  REQUIRE(eng->create_topic("prices", compacted(*eng)));
  auto p = eng->make_producer();
  model m;
  for (int i = 0; i < 100; ++i) REQUIRE(m.send(*p, "key-" + std::to_string(i), std::string(100, 'v')));
  REQUIRE(p->flush(10s));
  const uint64_t one = 6 + 100 + table::entry_overhead_bytes;  // "key-NN" + value + overhead
  auto small = table::open(*eng, {.topic = "prices", .max_bytes = 50 * one});
  REQUIRE_FALSE(small);
  CHECK(small.code() == errc::message_too_large);
  CHECK(small.err().message.find("max_bytes") != std::string::npos);

  // Room for the snapshot but not for what follows: poll() fails, and keeps failing.
  auto t = table::open(*eng, {.topic = "prices", .max_bytes = 101 * one});
  REQUIRE_MESSAGE(t, (t ? "" : t.err().to_string()));
  CHECK((*t)->size() == 100);
  REQUIRE(m.send(*p, "key-100", std::string(100, 'v')));
  REQUIRE(m.send(*p, "key-101", std::string(100, 'v')));
  REQUIRE(p->flush(10s));
  auto deadline = std::chrono::steady_clock::now() + 30s;
  status last;
  while (std::chrono::steady_clock::now() < deadline) {
    auto ups = (*t)->poll(200ms);
    if (!ups) {
      last = std::move(ups).take_error();
      break;
    }
  }
  CHECK(last.code() == errc::message_too_large);
  CHECK((*t)->poll(10ms).code() == errc::message_too_large);
}

TEST_CASE("table: bad arguments and keyless records of a plain topic") {
  test::temp_dir dir;
  auto eng = open_engine(dir.path());
  CHECK(table::open(*eng, {.topic = "nope"}).code() == errc::unknown_topic);
  CHECK(table::open(*eng, {.topic = ""}).code() == errc::invalid_argument);
  REQUIRE(eng->create_topic("plain", 1));
  CHECK(table::open(*eng, {.topic = "plain", .max_bytes = 0}).code() == errc::invalid_argument);
  auto p = eng->make_producer();
  REQUIRE(p->send({.topic = "plain", .value = as_bytes(std::string("no key"))}));
  REQUIRE(p->send({.topic = "plain", .key = as_bytes(std::string("a")),
                   .value = as_bytes(std::string("1"))}));
  REQUIRE(p->flush(10s));
  auto t = table::open(*eng, {.topic = "plain"});
  REQUIRE(t);
  CHECK((*t)->size() == 1);
  CHECK((*t)->get("a")->value == "1");
  CHECK((*t)->skipped_keyless() == 1);
  // An empty topic opens at once with an empty table.
  REQUIRE(eng->create_topic("empty", 3));
  auto e = table::open(*eng, {.topic = "empty"});
  REQUIRE(e);
  CHECK((*e)->size() == 0);
}

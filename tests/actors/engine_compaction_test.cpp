// Log compaction through the embedded engine on real files: a compacted topic created with
// cleanup_policy = "compact", keyed records with updates and tombstones, one cleaning round
// (engine::run_cleaning, the cleaner actor), then the embedded consumer reads the topic from
// the start across the offset gaps: exactly the latest record per key of the cleaned range,
// at the offsets the producer was told, and everything after it; the same after a restart.
// Keyless records are refused at send().
#include <doctest/doctest.h>

#include <future>
#include <map>
#include <mutex>
#include <thread>
#include <optional>
#include <string>
#include <vector>

#include "actors/engine_harness.hpp"
#include "lkstream/consumer.hpp"
#include "lkstream/engine.hpp"
#include "lkstream/producer.hpp"
#include "test_util.hpp"

using namespace lkstream;
using namespace std::chrono_literals;

namespace {

struct sent_record {
  std::string key;
  std::optional<std::string> value;
  bool operator==(const sent_record&) const = default;
};

// Every record of prices-0 from offset 0 up to `end`, through an assigned consumer.
std::map<int64_t, sent_record> read_all(engine& eng, int64_t end) {
  consumer_options o;
  o.auto_offset_reset = offset_reset::earliest;
  auto c = eng.make_consumer(o);
  REQUIRE_MESSAGE(c, (c ? "" : c.err().to_string()));
  REQUIRE((*c)->assign({{"prices", partition_id{0}}}));
  std::map<int64_t, sent_record> out;
  int64_t last = -1;
  auto deadline = std::chrono::steady_clock::now() + 20s;
  while (last < end - 1 && std::chrono::steady_clock::now() < deadline) {
    auto rs = (*c)->poll(100ms);
    REQUIRE_MESSAGE(rs, (rs ? "" : rs.err().to_string()));
    for (const auto& r : *rs) {
      REQUIRE(r.key);
      sent_record s{std::string(as_string_view(*r.key)), std::nullopt};
      if (r.value) s.value = std::string(as_string_view(*r.value));
      CHECK(r.offset > last);
      out[r.offset] = s;
      last = r.offset;
    }
  }
  CHECK(last == end - 1);
  return out;
}

}  // namespace

TEST_CASE("engine: a compacted topic keeps the latest record per key, read across the gaps") {
  test::temp_dir dir;
  std::map<int64_t, sent_record> sent;
  int64_t end = 0;
  std::map<int64_t, sent_record> after;
  {
    auto eng = test::open_engine(dir.path());
    auto s = eng->configuration().topic_defaults;
    s.partitions = 1;
    s.log.cleanup = storage::cleanup_policy::compact;
    s.log.segment_bytes = 1024;
    s.log.min_cleanable_dirty_ratio = 0.01;
    REQUIRE(eng->create_topic("prices", s));
    auto p = eng->make_producer();
    // A keyless record is refused at once, with a reason.
    auto refused = p->send({.topic = "prices", .value = as_bytes(std::string("x"))});
    CHECK(refused.code() == errc::invalid_record);
    CHECK(refused.err().message.find("needs a key") != std::string::npos);

    std::mutex m;
    for (int round = 0; round < 20; ++round) {
      for (int k = 0; k < 15; ++k) {
        std::string key = "sym-" + std::to_string(k);
        std::optional<std::string> value;
        if (!(round == 10 && k % 5 == 0)) value = "px-" + std::to_string(round) + "-" + std::to_string(k);
        producer_record rec{.topic = "prices", .key = as_bytes(key)};
        if (value) rec.value = as_bytes(*value);
        REQUIRE(p->send(rec, [&, key, value](const delivery_report& d) {
          REQUIRE(d.code == errc::ok);
          std::lock_guard g(m);
          sent[d.offset] = {key, value};
        }));
      }
      REQUIRE(p->flush(10s));  // one batch per round: many small segments
    }
    end = static_cast<int64_t>(sent.size());
    REQUIRE(end == 300);
    auto d = eng->describe_topic("prices");
    REQUIRE(d);
    REQUIRE(d->partitions[0].end_offset == end);

    auto cleaned = eng->run_cleaning();
    REQUIRE_MESSAGE(cleaned, (cleaned ? "" : cleaned.err().to_string()));
    CHECK(*cleaned == 1);
    after = read_all(*eng, end);
  }
  // Expected: every record at or after the active segment's base, and before it only the last
  // record of each key (tombstones of round 10 are younger than delete_retention_ms: kept when
  // they are the latest, which they are not, since round 11 writes every key again).
  CHECK(after.size() < sent.size());
  std::map<std::string, int64_t> last_of;
  for (const auto& [o, r] : sent) last_of[r.key] = o;
  for (const auto& [o, r] : after) {
    REQUIRE(sent.count(o));
    CHECK(sent[o].key == r.key);  // original offsets
    CHECK(sent[o].value == r.value);
  }
  for (const auto& [key, o] : last_of) CHECK(after.count(o));  // the latest of every key
  // Superseded records are gone from the cleaned range: the first round's are all superseded.
  for (int64_t o = 0; o < 15; ++o) CHECK_FALSE(after.count(o));

  // A restart serves the same log (gaps are not damage), and produce goes on after it.
  auto eng = test::open_engine(dir.path());
  CHECK(read_all(*eng, end) == after);
  auto p = eng->make_producer();
  auto f = p->send_future({.topic = "prices", .key = as_bytes(std::string("sym-0")),
                           .value = as_bytes(std::string("px-late"))});
  REQUIRE(p->flush(10s));
  auto r = f.get();
  CHECK(r.code == errc::ok);
  CHECK(r.offset == end);
}

TEST_CASE("engine: appends and fetches of a partition go on while the cleaner cleans it") {
  test::temp_dir dir;
  engine_options o;
  auto cfg = config::defaults();
  cfg.broker.data_dir = dir.path();
  cfg.broker.cleaner_io_max_bytes_per_second = 32 << 10;  // a cleaning of seconds
  o.config = cfg;
  auto eng = test::open_engine(std::move(o));
  auto s = eng->configuration().topic_defaults;
  s.log.cleanup = storage::cleanup_policy::compact;
  s.log.segment_bytes = 2048;
  s.log.min_cleanable_dirty_ratio = 0.01;
  REQUIRE(eng->create_topic("prices", s));
  auto p = eng->make_producer();
  const std::string pad(80, 'x');
  for (int round = 0; round < 30; ++round) {
    for (int k = 0; k < 15; ++k) {
      std::string key = "sym-" + std::to_string(k);
      std::string value = "px-" + std::to_string(round) + pad;
      REQUIRE(p->send({.topic = "prices", .key = as_bytes(key), .value = as_bytes(value)}));
    }
    REQUIRE(p->flush(10s));
  }
  auto cleaning = std::async(std::launch::async, [&] { return eng->run_cleaning(); });
  std::this_thread::sleep_for(50ms);  // let the round start (its first reads are throttled)
  REQUIRE(cleaning.wait_for(0s) == std::future_status::timeout);
  // Appends are acknowledged and fetches answered while the cleaning runs.
  for (int i = 0; i < 50; ++i) {
    std::string key = "late-" + std::to_string(i);
    REQUIRE(p->send({.topic = "prices", .key = as_bytes(key), .value = as_bytes(key)}));
  }
  REQUIRE(p->flush(10s));
  consumer_options co;
  co.auto_offset_reset = offset_reset::earliest;
  auto c = eng->make_consumer(co);
  REQUIRE(c);
  REQUIRE((*c)->assign({{"prices", partition_id{0}}}));
  auto rs = (*c)->poll(5s);
  REQUIRE(rs);
  CHECK(rs->size() > 0);
  CHECK(cleaning.wait_for(0s) == std::future_status::timeout);  // still cleaning meanwhile
  auto cleaned = cleaning.get();
  REQUIRE_MESSAGE(cleaned, (cleaned ? "" : cleaned.err().to_string()));
  CHECK(*cleaned == 1);
  // The appends made during the cleaning are all there after its swap.
  auto d = eng->describe_topic("prices");
  REQUIRE(d);
  CHECK(d->partitions[0].end_offset == 450 + 50);
}

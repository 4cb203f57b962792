// fsync tiers through the public API on real files, with the engine's sync thread (the
// partition actors hand fdatasync to it and keep appending meanwhile).
#include <doctest/doctest.h>

#include <atomic>
#include <algorithm>
#include <map>
#include <mutex>
#include <thread>

#include "lkstream/consumer.hpp"
#include "lkstream/engine.hpp"
#include "lkstream/producer.hpp"
#include "actors/engine_harness.hpp"
#include "test_util.hpp"

using namespace lkstream;
using test::open_engine;
using namespace std::chrono_literals;

namespace {

config::topic_settings durable(storage::fsync_policy p, int32_t partitions) {
  config::topic_settings s;
  s.partitions = partitions;
  s.log.fsync = p;
  s.log.fsync_interval_ms = 2;
  return s;
}

}  // namespace

TEST_CASE("engine: fsync=always acknowledges every record of concurrent producers once, in order, readable after the ack") {
  test::temp_dir dir;
  auto eng = open_engine(dir.path());
  REQUIRE(eng->create_topic("d", durable(storage::fsync_policy::always, 2)));
  constexpr int threads = 4, per_thread = 2000;
  std::mutex m;
  std::map<int32_t, std::vector<int64_t>> acked;  // partition -> offsets in ack order
  std::atomic<int> failures{0};
  {
    std::vector<std::thread> ts;
    for (int t = 0; t < threads; ++t)
      ts.emplace_back([&, t] {
        producer_options po;
        po.linger_ms = 0;
        auto p = eng->make_producer(po);
        for (int i = 0; i < per_thread; ++i) {
          std::string v = std::to_string(t) + ":" + std::to_string(i);
          auto st = p->send({.topic = "d", .value = as_bytes(v), .partition = (t + i) % 2},
                            [&](const delivery_report& r) {
                              if (r.code != errc::ok) {
                                ++failures;
                                return;
                              }
                              std::lock_guard g(m);
                              acked[r.partition].push_back(r.offset);
                            });
          if (!st) ++failures;
        }
        REQUIRE(p->flush(60s));
      });
    for (auto& t : ts) t.join();
  }
  CHECK(failures == 0);
  size_t total = 0;
  for (auto& [part, offs] : acked) {
    total += offs.size();
    auto sorted = offs;
    std::sort(sorted.begin(), sorted.end());
    for (size_t i = 0; i < sorted.size(); ++i) REQUIRE(sorted[i] == static_cast<int64_t>(i));
  }
  CHECK(total == threads * per_thread);
  auto d = eng->describe_topic("d");
  REQUIRE(d);
  int64_t end = 0;
  for (auto& p : d->partitions) end += p.end_offset;
  CHECK(end == threads * per_thread);
  // Everything acknowledged is below the high watermark: a consumer reads all of it.
  consumer_options co;
  co.enable_auto_commit = false;
  auto c = eng->make_consumer(co);
  REQUIRE(c);
  REQUIRE((*c)->assign({{"d", partition_id{0}}, {"d", partition_id{1}}}));
  REQUIRE((*c)->seek_to_beginning());
  size_t read = 0;
  std::vector<record_set> keep;
  auto deadline = std::chrono::steady_clock::now() + 30s;
  while (read < total && std::chrono::steady_clock::now() < deadline) {
    auto rs = (*c)->poll(100ms);
    REQUIRE(rs);
    read += rs->size();
    keep.push_back(std::move(*rs));
  }
  CHECK(read == total);
}

TEST_CASE("engine: fsync=interval keeps acknowledging at once and data survives a reopen") {
  test::temp_dir dir;
  {
    auto eng = open_engine(dir.path());
    REQUIRE(eng->create_topic("i", durable(storage::fsync_policy::interval, 1)));
    producer_options po;
    po.linger_ms = 0;
    auto p = eng->make_producer(po);
    for (int i = 0; i < 5000; ++i) {
      std::string v = "v" + std::to_string(i);
      REQUIRE(p->send({.topic = "i", .value = as_bytes(v)}));
    }
    REQUIRE(p->flush(30s));
  }
  auto eng = open_engine(dir.path());
  auto d = eng->describe_topic("i");
  REQUIRE(d);
  CHECK(d->partitions[0].end_offset == 5000);
}

// The embedded engine through its public API, on real files in a temporary directory.
#include <doctest/doctest.h>

#include <atomic>
#include <set>
#include <thread>

#include "lkstream/consumer.hpp"
#include "lkstream/engine.hpp"
#include "lkstream/model/partitioner.hpp"
#include "lkstream/producer.hpp"
#include "actors/engine_harness.hpp"
#include "test_util.hpp"

using namespace lkstream;
using test::open_engine;
using namespace std::chrono_literals;

namespace {

std::vector<consumed_record> drain(consumer& c, size_t want, std::chrono::milliseconds max_wait,
                                   std::vector<record_set>& keep) {
  std::vector<consumed_record> out;
  auto deadline = std::chrono::steady_clock::now() + max_wait;
  while (out.size() < want && std::chrono::steady_clock::now() < deadline) {
    auto rs = c.poll(100ms);
    REQUIRE_MESSAGE(rs, (rs ? "" : rs.err().to_string()));
    for (auto& r : *rs) out.push_back(r);
    keep.push_back(std::move(*rs));
  }
  return out;
}

}  // namespace

TEST_CASE("engine: topics can be created, listed, described and deleted") {
  test::temp_dir dir;
  auto eng = open_engine(dir.path());
  REQUIRE(eng->create_topic("orders", 3));
  REQUIRE(eng->create_topic("ticks", 1));
  CHECK(eng->create_topic("orders", 3).code() == errc::topic_exists);
  CHECK(eng->create_topic("bad name", 1).code() == errc::invalid_argument);
  CHECK(eng->list_topics() == std::vector<std::string>{"orders", "ticks"});
  auto d = eng->describe_topic("orders");
  REQUIRE(d);
  CHECK(d->partitions.size() == 3);
  CHECK(d->partitions[2].end_offset == 0);
  CHECK(std::filesystem::exists(dir.sub("orders-2")));
  REQUIRE(eng->delete_topic("orders"));
  CHECK(!std::filesystem::exists(dir.sub("orders-0")));
  CHECK(eng->list_topics() == std::vector<std::string>{"ticks"});
  CHECK(eng->describe_topic("orders").code() == errc::unknown_topic);
  CHECK(eng->delete_topic("orders").code() == errc::unknown_topic);
  REQUIRE(eng->add_partitions("ticks", 2));
  CHECK(eng->describe_topic("ticks")->partitions.size() == 2);
  CHECK(eng->add_partitions("ticks", 1).code() == errc::invalid_argument);
}

TEST_CASE("engine: topics and offsets survive a restart") {
  test::temp_dir dir;
  {
    auto eng = open_engine(dir.path());
    REQUIRE(eng->create_topic("t", 2));
    auto p = eng->make_producer();
    for (int i = 0; i < 100; ++i) {
      std::string v = "v" + std::to_string(i);
      REQUIRE(p->send({.topic = "t", .value = as_bytes(v), .partition = i % 2}));
    }
    REQUIRE(p->flush(10s));
  }
  auto eng = open_engine(dir.path());
  auto d = eng->describe_topic("t");
  REQUIRE(d);
  CHECK(d->partitions[0].end_offset == 50);
  CHECK(d->partitions[1].end_offset == 50);
}

TEST_CASE("engine: a second open of the same data directory is refused with the holder's pid") {
  test::temp_dir dir;
  auto eng = open_engine(dir.path());
  engine_options o;
  o.data_dir = dir.path();
  auto second = engine::open(o);
  REQUIRE(!second);
  CHECK(second.code() == errc::data_dir_locked);
  CHECK(second.err().message.find(std::to_string(::getpid())) != std::string::npos);
}

TEST_CASE("engine: produced records are consumed back with keys, values, headers, timestamps") {
  test::temp_dir dir;
  auto eng = open_engine(dir.path());
  REQUIRE(eng->create_topic("events", 3));
  auto p = eng->make_producer();
  std::atomic<int> acked{0};
  std::set<std::pair<int32_t, int64_t>> offsets;
  std::mutex m;
  constexpr int n = 3000;
  for (int i = 0; i < n; ++i) {
    std::string k = "key-" + std::to_string(i % 17), v = "value-" + std::to_string(i);
    std::string trace = "t" + std::to_string(i);
    record_header hs[] = {{"trace", as_bytes(trace)}};
    REQUIRE(p->send({.topic = "events", .key = as_bytes(k), .value = as_bytes(v), .headers = hs,
                     .timestamp = 1000 + i},
                    [&](const delivery_report& r) {
                      CHECK(r.code == errc::ok);
                      std::lock_guard<std::mutex> g(m);
                      offsets.insert({r.partition, r.offset});
                      acked++;
                    }));
  }
  REQUIRE(p->flush(10s));
  CHECK(acked == n);
  CHECK(offsets.size() == n);  // every (partition, offset) distinct

  auto c = eng->make_consumer({.auto_offset_reset = offset_reset::earliest});
  REQUIRE(c);
  REQUIRE((*c)->assign({{"events", partition_id{0}}, {"events", partition_id{1}}, {"events", partition_id{2}}}));
  std::vector<record_set> keep;
  auto recs = drain(**c, n, 10s, keep);
  REQUIRE(recs.size() == n);
  std::map<int32_t, int64_t> next;
  for (auto& r : recs) {
    std::string key(as_string_view(*r.key));
    // Kafka's default partitioner decides the partition.
    CHECK(r.partition == model::partition_for_key(*r.key, 3).value());
    CHECK(r.offset == next[r.partition]++);  // contiguous per partition
    std::string v(as_string_view(*r.value));
    int i = std::stoi(v.substr(6));
    CHECK(key == "key-" + std::to_string(i % 17));
    CHECK(r.timestamp == 1000 + i);
    REQUIRE(r.headers.size() == 1);
    CHECK(r.headers[0].key == "trace");
    CHECK(as_string_view(*r.headers[0].value) == "t" + std::to_string(i));
  }
}

TEST_CASE("engine: a long-polling consumer is woken by a new append") {
  test::temp_dir dir;
  auto eng = open_engine(dir.path());
  REQUIRE(eng->create_topic("live", 1));
  auto c = eng->make_consumer({});
  REQUIRE(c);
  REQUIRE((*c)->assign({{"live", partition_id{0}}}));
  auto empty = (*c)->poll(50ms);
  REQUIRE(empty);
  CHECK(empty->empty());
  auto p = eng->make_producer({.linger_ms = 0});
  std::thread later([&] {
    std::this_thread::sleep_for(50ms);
    (void)p->send({.topic = "live", .value = as_bytes("hello")});
  });
  auto t0 = std::chrono::steady_clock::now();
  auto rs = (*c)->poll(30s);
  later.join();
  REQUIRE(rs);
  REQUIRE(rs->size() == 1);
  CHECK(as_string_view(*(*rs)[0].value) == "hello");
  // Woken by the append, not by the poll's timeout (far above this bound, for loaded machines).
  CHECK(std::chrono::steady_clock::now() - t0 < 10s);
}

TEST_CASE("engine: producer rejects unknown topics, bad partitions and oversized records") {
  test::temp_dir dir;
  auto eng = open_engine(dir.path());
  REQUIRE(eng->create_topic("small", 1));
  auto p = eng->make_producer();
  CHECK(p->send({.topic = "nope", .value = as_bytes("x")}).code() == errc::unknown_topic);
  CHECK(p->send({.topic = "small", .value = as_bytes("x"), .partition = 5}).code() ==
        errc::invalid_argument);
  std::string huge(2 << 20, 'x');
  CHECK(p->send({.topic = "small", .value = as_bytes(huge)}).code() == errc::message_too_large);
  auto auto_p = eng->make_producer({.auto_create_topics = true});
  auto f = auto_p->send_future({.topic = "created.on.demand", .value = as_bytes("x")});
  REQUIRE(auto_p->flush(5s));
  auto r = f.get();
  CHECK(r.code == errc::ok);
  CHECK(r.offset == 0);
}

TEST_CASE("engine: seek to beginning, end, offset and timestamp") {
  test::temp_dir dir;
  auto eng = open_engine(dir.path());
  REQUIRE(eng->create_topic("s", 1));
  auto p = eng->make_producer();
  for (int i = 0; i < 10; ++i) {
    std::string v = std::to_string(i);
    REQUIRE(p->send({.topic = "s", .value = as_bytes(v), .timestamp = 100 * i}));
  }
  REQUIRE(p->flush(5s));
  auto c = std::move(*eng->make_consumer({.auto_offset_reset = offset_reset::latest}));
  topic_partition tp{"s", partition_id{0}};
  REQUIRE(c->assign({tp}));
  CHECK(*c->position(tp) == 10);
  REQUIRE(c->seek(tp, 7));
  std::vector<record_set> keep;
  auto recs = drain(*c, 3, 5s, keep);
  REQUIRE(recs.size() == 3);
  CHECK(recs[0].offset == 7);
  REQUIRE(c->seek_to_timestamp(tp, 450));
  CHECK(*c->position(tp) == 5);
  REQUIRE(c->seek_to_beginning());
  CHECK(*c->position(tp) == 0);
  REQUIRE(c->seek_to_end());
  CHECK(*c->position(tp) == 10);
  auto lag = c->lag();
  REQUIRE(lag.size() == 1);
  CHECK(lag[0].end_offset == 10);
  CHECK(lag[0].lag() == 0);
}

TEST_CASE("engine: a LogAppendTime topic stamps records with the broker's clock") {
  test::temp_dir dir;
  engine_options o;
  o.data_dir = dir.path();
  o.log = [](std::string_view) {};
  o.clock = [] { return timestamp_ms{777777}; };
  auto eng = std::move(*engine::open(o));
  auto s = eng->configuration().topic_defaults;
  s.log_append_time = true;
  REQUIRE(eng->create_topic("lat", s));
  auto p = eng->make_producer();
  auto f = p->send_future({.topic = "lat", .value = as_bytes("x"), .timestamp = 5});
  REQUIRE(p->flush(5s));
  CHECK(f.get().timestamp == 777777);
  auto c = std::move(*eng->make_consumer({.auto_offset_reset = offset_reset::earliest}));
  REQUIRE(c->assign({{"lat", partition_id{0}}}));
  std::vector<record_set> keep;
  auto recs = drain(*c, 1, 5s, keep);
  REQUIRE(recs.size() == 1);
  CHECK(recs[0].timestamp == 777777);
}

// The engine's admin operations behind Kafka's CreatePartitions, DeleteRecords, DeleteGroups
// and AlterConfigs, through the public API with real producers and consumers: new partitions
// reach running producers and group members, a moved log start holds across a restart and for
// consumers, a deleted group is gone, and changed topic settings persist.
#include <doctest/doctest.h>

#include <set>

#include "lkstream/consumer.hpp"
#include "lkstream/engine.hpp"
#include "lkstream/producer.hpp"
#include "actors/engine_harness.hpp"
#include "test_util.hpp"

using namespace lkstream;
using test::open_engine;
using namespace std::chrono_literals;

namespace {

/// Polls `c` until it holds `partitions` partitions and has read `records` records (or fails).
std::multiset<int32_t> consume(consumer& c, size_t partitions, size_t records) {
  std::multiset<int32_t> seen;
  auto deadline = std::chrono::steady_clock::now() + 60s;
  while (std::chrono::steady_clock::now() < deadline) {
    auto rs = c.poll(20ms);
    REQUIRE_MESSAGE(rs, rs.err().to_string());
    for (const auto& r : *rs) seen.insert(r.partition);
    if (c.assignment().size() == partitions && seen.size() >= records) return seen;
  }
  FAIL("consumer holds " << c.assignment().size() << " partitions and read " << seen.size()
                         << " records; wanted " << partitions << " and " << records);
  return seen;
}

}  // namespace

TEST_CASE("engine: added partitions reach a running producer and the group's members") {
  test::temp_dir dir;
  auto eng = open_engine(dir.path());
  REQUIRE(eng->create_topic("orders", 1));
  auto member = std::move(*eng->make_consumer(test::group_member("billing")));
  REQUIRE(member->subscribe({"orders"}));
  auto prod = eng->make_producer();
  REQUIRE(prod->send({.topic = "orders", .value = as_bytes("before")}));
  REQUIRE(prod->flush(10s));
  consume(*member, 1, 1);

  REQUIRE(eng->add_partitions("orders", 3));
  CHECK(eng->describe_topic("orders")->partitions.size() == 3);
  // The producer made before the change writes to the new partitions.
  for (int32_t p = 0; p < 3; ++p)
    REQUIRE(prod->send({.topic = "orders", .value = as_bytes("after"), .partition = p}));
  REQUIRE(prod->flush(10s));
  // The group's leader notices the new count and rebalances: its member takes all three and
  // reads the new partitions (partition 0 again too: nothing was committed).
  std::multiset<int32_t> seen;
  auto deadline = std::chrono::steady_clock::now() + 60s;
  while ((seen.count(1) == 0 || seen.count(2) == 0) && std::chrono::steady_clock::now() < deadline)
    for (auto p : consume(*member, 3, 0)) seen.insert(p);
  CHECK(member->assignment().size() == 3);
  CHECK(seen.count(1) == 1);
  CHECK(seen.count(2) == 1);
  CHECK(eng->add_partitions("orders", 2).code() == errc::invalid_argument);  // never shrinks
}

TEST_CASE("engine: delete_records moves the log start durably and consumers start there") {
  test::temp_dir dir;
  {
    auto eng = open_engine(dir.path());
    REQUIRE(eng->create_topic("events", 1));
    auto prod = eng->make_producer();
    for (int i = 0; i < 10; ++i)
      REQUIRE(prod->send({.topic = "events", .value = as_bytes(std::to_string(i))}));
    REQUIRE(prod->flush(10s));
    auto start = eng->delete_records("events", 0, 6);
    REQUIRE_MESSAGE(start, start.err().to_string());
    CHECK(*start == 6);
    CHECK(*eng->delete_records("events", 0, 2) == 6);  // never backwards
    CHECK(eng->delete_records("events", 0, 11).code() == errc::offset_out_of_range);
    CHECK(eng->delete_records("events", 1, 0).code() == errc::unknown_topic);
    CHECK(eng->delete_records("nope", 0, 0).code() == errc::unknown_topic);
  }
  auto eng = open_engine(dir.path());
  CHECK(eng->describe_topic("events")->partitions[0].log_start == 6);
  auto c = std::move(*eng->make_consumer(test::group_member("readers")));
  REQUIRE(c->subscribe({"events"}));
  std::vector<int64_t> offsets;
  auto deadline = std::chrono::steady_clock::now() + 30s;
  while (offsets.size() < 4 && std::chrono::steady_clock::now() < deadline) {
    auto rs = c->poll(20ms);
    REQUIRE(rs);
    for (const auto& r : *rs) offsets.push_back(r.offset);
  }
  CHECK(offsets == std::vector<int64_t>{6, 7, 8, 9});
  // -1: up to the high watermark.
  CHECK(*eng->delete_records("events", 0, -1) == 10);
}

TEST_CASE("engine: delete_group removes an empty group and refuses one with members") {
  test::temp_dir dir;
  auto eng = open_engine(dir.path());
  REQUIRE(eng->create_topic("orders", 1));
  {
    auto c = std::move(*eng->make_consumer(test::group_member("old-app")));
    REQUIRE(c->subscribe({"orders"}));
    consume(*c, 1, 0);
    REQUIRE(c->commit_sync({{{"orders", partition_id{0}}, 0}}));
    CHECK(eng->delete_group("old-app").code() == errc::invalid_argument);  // a member is in
    REQUIRE(c->close());
  }
  REQUIRE(eng->delete_group("old-app"));
  CHECK(eng->describe_group("old-app")->state == "Dead");
  for (auto& g : *eng->list_groups()) CHECK(g.group_id != "old-app");
  CHECK(eng->delete_group("old-app").code() == errc::not_found);
  CHECK(eng->delete_group("never-seen").code() == errc::not_found);
}

TEST_CASE("engine: alter_topic applies and persists new settings, keeping the partitions") {
  test::temp_dir dir;
  {
    auto eng = open_engine(dir.path());
    REQUIRE(eng->create_topic("prices", 2));
    auto s = eng->describe_topic("prices")->settings;
    s.log.retention_ms = 3600000;
    s.log.cleanup = storage::cleanup_policy::compact;
    s.partitions = 7;  // ignored: add_partitions changes the count
    REQUIRE(eng->alter_topic("prices", s));
    CHECK(eng->alter_topic("nope", s).code() == errc::unknown_topic);
  }
  auto eng = open_engine(dir.path());
  auto t = eng->describe_topic("prices");
  REQUIRE(t);
  CHECK(t->settings.log.retention_ms == 3600000);
  CHECK(t->settings.log.cleanup == storage::cleanup_policy::compact);
  CHECK(t->partitions.size() == 2);
}

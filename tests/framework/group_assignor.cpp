// Range and round-robin assignors against Kafka's documented examples and invariants.
#include <doctest/doctest.h>

#include <algorithm>
#include <random>
#include <set>

#include "lkstream/group/assignor.hpp"

using namespace lkstream;
using namespace lkstream::group;

namespace {

topic_partition tp(const std::string& t, int32_t p) { return {t, partition_id{p}}; }

std::vector<topic_partition> tps(std::initializer_list<std::pair<const char*, int32_t>> v) {
  std::vector<topic_partition> out;
  for (auto& [t, p] : v) out.push_back(tp(t, p));
  return out;
}

}  // namespace

TEST_CASE("group: range matches Kafka's javadoc example (2 consumers, 2 topics x 3)") {
  std::vector<assignor_member> m{{"C0", {}, {"t0", "t1"}}, {"C1", {}, {"t0", "t1"}}};
  auto a = range_assign(m, {{"t0", 3}, {"t1", 3}});
  CHECK(a["C0"] == tps({{"t0", 0}, {"t0", 1}, {"t1", 0}, {"t1", 1}}));
  CHECK(a["C1"] == tps({{"t0", 2}, {"t1", 2}}));
}

TEST_CASE("group: roundrobin matches Kafka's javadoc example (2 consumers, 2 topics x 3)") {
  std::vector<assignor_member> m{{"C1", {}, {"t0", "t1"}}, {"C0", {}, {"t0", "t1"}}};
  auto a = round_robin_assign(m, {{"t0", 3}, {"t1", 3}});
  CHECK(a["C0"] == tps({{"t0", 0}, {"t0", 2}, {"t1", 1}}));
  CHECK(a["C1"] == tps({{"t0", 1}, {"t1", 0}, {"t1", 2}}));
}

TEST_CASE("group: roundrobin matches Kafka's javadoc example with differing subscriptions") {
  std::vector<assignor_member> m{
      {"C0", {}, {"t0"}}, {"C1", {}, {"t0", "t1"}}, {"C2", {}, {"t0", "t1", "t2"}}};
  auto a = round_robin_assign(m, {{"t0", 1}, {"t1", 2}, {"t2", 3}});
  CHECK(a["C0"] == tps({{"t0", 0}}));
  CHECK(a["C1"] == tps({{"t1", 0}}));
  CHECK(a["C2"] == tps({{"t1", 1}, {"t2", 0}, {"t2", 1}, {"t2", 2}}));
}

TEST_CASE("group: range and roundrobin match Kafka's mixed-topics unit tests") {
  // RangeAssignorTest/RoundRobinAssignorTest.testMultipleConsumersMixedTopics
  std::vector<assignor_member> m{{"consumer1", {}, {"topic1"}},
                                 {"consumer2", {}, {"topic1", "topic2"}},
                                 {"consumer3", {}, {"topic1"}}};
  partition_counts counts{{"topic1", 3}, {"topic2", 2}};
  for (auto fn : {range_assign, round_robin_assign}) {
    auto a = fn(m, counts);
    CHECK(a["consumer1"] == tps({{"topic1", 0}}));
    CHECK(a["consumer2"] == tps({{"topic1", 1}, {"topic2", 0}, {"topic2", 1}}));
    CHECK(a["consumer3"] == tps({{"topic1", 2}}));
  }
}

TEST_CASE("group: range gives the first members the extra partitions") {
  std::vector<assignor_member> m{{"c", {}, {"t"}}, {"a", {}, {"t"}}, {"b", {}, {"t"}}};
  auto a = range_assign(m, {{"t", 7}});
  CHECK(a["a"] == tps({{"t", 0}, {"t", 1}, {"t", 2}}));
  CHECK(a["b"] == tps({{"t", 3}, {"t", 4}}));
  CHECK(a["c"] == tps({{"t", 5}, {"t", 6}}));
}

TEST_CASE("group: unknown topics are skipped and members without partitions still appear") {
  std::vector<assignor_member> m{{"a", {}, {"known", "missing"}}, {"b", {}, {"known"}}};
  for (auto fn : {range_assign, round_robin_assign}) {
    auto a = fn(m, {{"known", 1}});
    REQUIRE(a.size() == 2);
    CHECK(a["a"] == tps({{"known", 0}}));
    CHECK(a["b"].empty());
  }
}

TEST_CASE("group: static members sort before dynamic ones, by instance id") {
  std::vector<assignor_member> m{{"a-dynamic", {}, {"t"}},
                                 {"z-static", std::string("i1"), {"t"}},
                                 {"y-static", std::string("i0"), {"t"}}};
  auto a = range_assign(m, {{"t", 3}});
  CHECK(a["y-static"] == tps({{"t", 0}}));
  CHECK(a["z-static"] == tps({{"t", 1}}));
  CHECK(a["a-dynamic"] == tps({{"t", 2}}));
}

TEST_CASE("group: assignors are complete, balanced and independent of input order") {
  std::mt19937 rng(7);
  for (int round = 0; round < 200; ++round) {
    size_t n_members = 1 + rng() % 6;
    partition_counts counts;
    std::vector<std::string> topics;
    for (size_t t = 0, n = 1 + rng() % 4; t < n; ++t) {
      topics.push_back("topic" + std::to_string(t));
      counts[topics.back()] = static_cast<int32_t>(rng() % 9);
    }
    std::vector<assignor_member> members;
    for (size_t i = 0; i < n_members; ++i)
      members.push_back({"member-" + std::to_string(rng() % 1000) + "-" + std::to_string(i), {},
                         topics});
    for (auto fn : {range_assign, round_robin_assign}) {
      auto a = fn(members, counts);
      std::set<topic_partition> seen;
      size_t lo = SIZE_MAX, hi = 0;
      for (auto& [id, list] : a) {
        for (auto& x : list) CHECK(seen.insert(x).second);  // never assigned twice
        lo = std::min(lo, list.size());
        hi = std::max(hi, list.size());
      }
      size_t total = 0;
      for (auto& [t, n] : counts) total += static_cast<size_t>(n);
      CHECK(seen.size() == total);
      if (fn == round_robin_assign) CHECK(hi - lo <= 1);  // same subscriptions: fully balanced
      // per topic, range differs by at most one between members
      if (fn == range_assign)
        for (auto& t : topics) {
          size_t tlo = SIZE_MAX, thi = 0;
          for (auto& [id, list] : a) {
            auto c = static_cast<size_t>(std::count_if(
                list.begin(), list.end(), [&](const topic_partition& x) { return x.topic == t; }));
            tlo = std::min(tlo, c);
            thi = std::max(thi, c);
          }
          CHECK(thi - tlo <= 1);
        }
      auto shuffled = members;
      std::shuffle(shuffled.begin(), shuffled.end(), rng);
      CHECK(fn(shuffled, counts) == a);
    }
  }
}

TEST_CASE("group: find_assignor knows range and roundrobin only") {
  CHECK(find_assignor("range") != nullptr);
  CHECK(find_assignor("roundrobin") != nullptr);
  CHECK(find_assignor("cooperative-sticky") == nullptr);
  std::vector<assignor_member> m{{"a", {}, {"t"}}, {"b", {}, {"t"}}};
  CHECK(find_assignor("range")(m, {{"t", 2}}) == range_assign(m, {{"t", 2}}));
}

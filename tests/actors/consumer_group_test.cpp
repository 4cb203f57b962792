// Embedded consumers in consumer groups: assignment, rebalance, durable commits.
#include <doctest/doctest.h>

#include <future>
#include <set>
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

void produce(engine& eng, const std::string& topic, int n, int start = 0) {
  auto p = eng.make_producer();
  for (int i = start; i < start + n; ++i) {
    std::string k = "k" + std::to_string(i), v = std::to_string(i);
    REQUIRE(p->send({.topic = topic, .key = as_bytes(k), .value = as_bytes(v)}));
  }
  REQUIRE(p->flush(10s));
}

// Polls until `pred` holds or the deadline passes; collects values.
template <class Pred>
bool poll_until(consumer& c, std::set<int>& seen, Pred pred, std::chrono::milliseconds max = 15s) {
  auto deadline = std::chrono::steady_clock::now() + max;
  while (std::chrono::steady_clock::now() < deadline) {
    auto rs = c.poll(20ms);
    REQUIRE(rs);
    for (auto& r : *rs) seen.insert(std::stoi(std::string(as_string_view(*r.value))));
    if (pred()) return true;
  }
  return false;
}

// Commits like an application would: a commit refused because the group is rebalancing is
// retried after polling (which completes the rebalance).
status commit_retrying(consumer& c) {
  auto deadline = std::chrono::steady_clock::now() + 10s;
  for (;;) {
    auto st = c.commit_sync();
    if (st || std::chrono::steady_clock::now() > deadline ||
        (st.code() != errc::rebalance_in_progress && st.code() != errc::illegal_generation))
      return st;
    (void)c.poll(10ms);
  }
}

// Two partitions assigned and every one read to its end: a commit now covers all of them.
bool owns_two_caught_up(consumer& c) {
  auto lags = c.lag();
  if (c.assignment().size() != 2 || lags.size() != 2) return false;
  for (auto& l : lags)
    if (l.lag() != 0) return false;
  return true;
}

}  // namespace

TEST_CASE("consumer_group: two members split the partitions, the survivor takes over") {
  test::temp_dir dir;
  auto eng = open_engine(dir.path());
  REQUIRE(eng->create_topic("g", 4));
  produce(*eng, "g", 400);
  auto a = std::move(*eng->make_consumer(test::group_member("grp")));
  auto b = std::move(*eng->make_consumer(test::group_member("grp")));
  REQUIRE(a->subscribe({"g"}));
  REQUIRE(b->subscribe({"g"}));
  std::set<int> seen_a, seen_b;
  // Both polled in turn until the group is stable with two members of two partitions each,
  // each read to the end of its partitions (a member that joined second may still be behind
  // on partitions the first one already read before the rebalance).
  auto deadline = std::chrono::steady_clock::now() + 20s;
  while (std::chrono::steady_clock::now() < deadline &&
         !(owns_two_caught_up(*a) && owns_two_caught_up(*b) &&
           seen_a.size() + seen_b.size() >= 400)) {
    for (auto* c : {a.get(), b.get()}) {
      auto rs = c->poll(10ms);
      REQUIRE(rs);
      for (auto& r : *rs) (c == a.get() ? seen_a : seen_b).insert(std::stoi(std::string(as_string_view(*r.value))));
    }
  }
  REQUIRE(owns_two_caught_up(*a));
  REQUIRE(owns_two_caught_up(*b));
  std::set<topic_partition> all;
  for (auto& tp : a->assignment()) all.insert(tp);
  for (auto& tp : b->assignment()) all.insert(tp);
  CHECK(all.size() == 4);
  std::set<int> seen = seen_a;
  seen.insert(seen_b.begin(), seen_b.end());
  CHECK(seen.size() == 400);
  auto ca = commit_retrying(*a);
  REQUIRE_MESSAGE(ca, (ca ? "" : ca.err().to_string()));
  auto cb = commit_retrying(*b);
  REQUIRE_MESSAGE(cb, (cb ? "" : cb.err().to_string()));

  // b leaves: a gets all four partitions and sees records produced afterwards.
  REQUIRE(b->close());
  produce(*eng, "g", 100, 400);
  std::set<int> later;
  CHECK(poll_until(*a, later, [&] { return a->assignment().size() == 4 && later.size() >= 100; }));
  for (int i = 400; i < 500; ++i) CHECK(later.count(i) == 1);
  for (int v : later) CHECK(v >= 400);  // nothing committed was delivered again
}

TEST_CASE("consumer_group: a restarted consumer resumes from the committed offset") {
  test::temp_dir dir;
  {
    auto eng = open_engine(dir.path());
    REQUIRE(eng->create_topic("r", 2));
    produce(*eng, "r", 200);
    auto c = std::move(*eng->make_consumer(test::group_member("resume")));
    REQUIRE(c->subscribe({"r"}));
    std::set<int> seen;
    REQUIRE(poll_until(*c, seen, [&] { return seen.size() >= 200; }));
    REQUIRE(c->commit_sync());
    CHECK(*c->committed({"r", partition_id{0}}) + *c->committed({"r", partition_id{1}}) == 200);
  }
  // A new engine on the same directory: offsets are durable.
  auto eng = open_engine(dir.path());
  produce(*eng, "r", 50, 200);
  auto c = std::move(*eng->make_consumer(test::group_member("resume")));
  REQUIRE(c->subscribe({"r"}));
  std::set<int> seen;
  CHECK(poll_until(*c, seen, [&] { return seen.size() >= 50; }));
  CHECK(seen.size() == 50);
  CHECK(*seen.begin() == 200);
}

TEST_CASE("consumer_group: commit_async reports completion and offsets of deleted topics go") {
  test::temp_dir dir;
  auto eng = open_engine(dir.path());
  REQUIRE(eng->create_topic("d", 1));
  produce(*eng, "d", 10);
  auto c = std::move(*eng->make_consumer(test::group_member("async")));
  REQUIRE(c->assign({{"d", partition_id{0}}}));
  std::set<int> seen;
  REQUIRE(poll_until(*c, seen, [&] { return seen.size() >= 10; }));
  std::promise<status> done;
  c->commit_async([&](const status& st) { done.set_value(st); });
  auto fut = done.get_future();
  REQUIRE(fut.wait_for(5s) == std::future_status::ready);
  CHECK(fut.get());
  CHECK(*c->committed({"d", partition_id{0}}) == 10);
  REQUIRE(c->close());
  REQUIRE(eng->delete_topic("d"));
  REQUIRE(eng->create_topic("d", 1));
  auto c2 = std::move(*eng->make_consumer(test::group_member("async")));
  // The deletion reached the group manager before this request (its mailbox is FIFO).
  CHECK(*c2->committed({"d", partition_id{0}}) == -1);
}

TEST_CASE("consumer_group: subscribe without group id and bad strategy are refused") {
  test::temp_dir dir;
  auto eng = open_engine(dir.path());
  auto c = std::move(*eng->make_consumer({}));
  CHECK(c->subscribe({"x"}).code() == errc::invalid_argument);
  auto o = test::group_member("g");
  o.assignment_strategy = "sticky-ish";
  auto c2 = std::move(*eng->make_consumer(o));
  CHECK(c2->subscribe({"x"}).code() == errc::invalid_argument);
}

TEST_CASE("consumer_group: one long poll reads the partitions the group assigns while it waits") {
  test::temp_dir dir;
  auto eng = open_engine(dir.path());
  REQUIRE(eng->create_topic("w", 2));
  produce(*eng, "w", 20);
  auto c = std::move(*eng->make_consumer(test::group_member("wait")));
  REQUIRE(c->subscribe({"w"}));
  // The member joins in the background; the assignment arrives while this poll waits, and the
  // poll gives the new partitions their positions and returns their records, not an empty set
  // at its timeout.
  const auto t0 = std::chrono::steady_clock::now();
  auto rs = c->poll(30s);
  REQUIRE(rs);
  CHECK(rs->size() > 0);
  CHECK(std::chrono::steady_clock::now() - t0 < 20s);
}

TEST_CASE("consumer_group: a member closed after its engine, or during a rebalance, returns") {
  test::temp_dir dir;
  auto eng = open_engine(dir.path());
  REQUIRE(eng->create_topic("e", 2));
  produce(*eng, "e", 10);
  auto a = std::move(*eng->make_consumer(test::group_member("close")));
  REQUIRE(a->subscribe({"e"}));
  std::set<int> seen;
  REQUIRE(poll_until(*a, seen, [&] { return seen.size() >= 10; }));
  // b joins: the group rebalances; b closes at once, while its join may still be parked.
  auto b = std::move(*eng->make_consumer(test::group_member("close")));
  REQUIRE(b->subscribe({"e"}));
  auto closed_b = std::async(std::launch::async, [&] { return b->close(); });
  CHECK(closed_b.wait_for(15s) == std::future_status::ready);
  // The engine closes under a: a's member stops with the engine; a's close returns.
  REQUIRE(eng->close());
  auto closed_a = std::async(std::launch::async, [&] { return a->close(); });
  CHECK(closed_a.wait_for(15s) == std::future_status::ready);
  CHECK(a->poll(10ms).code() == errc::closed);
}

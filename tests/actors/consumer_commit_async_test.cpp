// consumer::commit_async: issue order, coalescing, refusals, close() flushing, restart.
#include <doctest/doctest.h>

#include <condition_variable>
#include <future>
#include <mutex>
#include <stdexcept>
#include <vector>

#include "lkstream/consumer.hpp"
#include "lkstream/engine.hpp"
#include "lkstream/producer.hpp"
#include "actors/engine_harness.hpp"
#include "test_util.hpp"

using namespace lkstream;
using test::open_engine;
using namespace std::chrono_literals;

namespace {

void produce(engine& eng, const std::string& topic, int n) {
  auto p = eng.make_producer();
  for (int i = 0; i < n; ++i) {
    std::string v = std::to_string(i);
    REQUIRE(p->send({.topic = topic, .value = as_bytes(v)}));
  }
  REQUIRE(p->flush(10s));
}

/// A subscribed member that owns every partition of `topic` (it polls until assigned).
std::unique_ptr<consumer> member_of(engine& eng, const std::string& group,
                                    const std::string& topic, size_t partitions) {
  auto c = std::move(*eng.make_consumer(test::group_member(group)));
  REQUIRE(c->subscribe({topic}));
  auto deadline = std::chrono::steady_clock::now() + 30s;
  while (c->assignment().size() < partitions && std::chrono::steady_clock::now() < deadline)
    REQUIRE(c->poll(20ms));
  REQUIRE(c->assignment().size() == partitions);
  return c;
}

/// Callback outcomes in the order the callbacks ran.
struct outcomes {
  std::mutex m;
  std::condition_variable cv;
  std::vector<std::pair<int64_t, status>> seen;

  std::function<void(const status&)> record(int64_t tag) {
    return [this, tag](const status& st) {
      std::lock_guard<std::mutex> g(m);
      seen.emplace_back(tag, st);
      cv.notify_all();
    };
  }
  bool wait_for_count(size_t n, std::chrono::seconds max = 30s) {
    std::unique_lock<std::mutex> g(m);
    return cv.wait_for(g, max, [&] { return seen.size() >= n; });
  }
};

std::string text(const status& st) { return st ? std::string("ok") : st.err().to_string(); }

const topic_partition p0{"t", partition_id{0}};
const topic_partition p1{"t", partition_id{1}};

}  // namespace

TEST_CASE("consumer: a burst of 1,000 async commits completes in issue order, the last wins") {
  test::temp_dir dir;
  auto eng = open_engine(dir.path());
  REQUIRE(eng->create_topic("t", 2));
  auto c = member_of(*eng, "burst", "t", 2);
  outcomes out;
  for (int64_t i = 1; i <= 1000; ++i)
    c->commit_async({{p0, i}, {p1, 2 * i}}, out.record(i));
  REQUIRE(out.wait_for_count(1000));
  std::lock_guard<std::mutex> g(out.m);
  REQUIRE(out.seen.size() == 1000);
  for (int64_t i = 0; i < 1000; ++i) {
    CHECK(out.seen[static_cast<size_t>(i)].first == i + 1);
    CHECK_MESSAGE(out.seen[static_cast<size_t>(i)].second,
                  text(out.seen[static_cast<size_t>(i)].second));
  }
  CHECK(*c->committed(p0) == 1000);
  CHECK(*c->committed(p1) == 2000);
}

TEST_CASE("consumer: a commit_sync issued after async commits is never overwritten by them") {
  test::temp_dir dir;
  auto eng = open_engine(dir.path());
  REQUIRE(eng->create_topic("t", 2));
  auto c = member_of(*eng, "mixed", "t", 2);
  outcomes out;
  for (int64_t i = 1; i <= 200; ++i) c->commit_async({{p0, 10'000 + i}}, out.record(i));
  REQUIRE(c->commit_sync({{p0, 5}}));
  // Every earlier async callback ran before commit_sync returned.
  {
    std::lock_guard<std::mutex> g(out.m);
    CHECK(out.seen.size() == 200);
  }
  CHECK(*c->committed(p0) == 5);
}

TEST_CASE("consumer: async commits of unknown, unassigned or invalid partitions are refused") {
  test::temp_dir dir;
  auto eng = open_engine(dir.path());
  REQUIRE(eng->create_topic("t", 2));
  REQUIRE(eng->create_topic("other", 1));
  auto c = std::move(*eng->make_consumer(test::group_member("refusals")));
  REQUIRE(c->assign({p0}));
  auto outcome = [&](const std::map<topic_partition, int64_t>& offsets) {
    std::promise<status> p;
    auto f = p.get_future();
    c->commit_async(offsets, [&](const status& st) { p.set_value(st); });
    REQUIRE(f.wait_for(30s) == std::future_status::ready);
    return f.get();
  };
  auto st = outcome({{{"nope", partition_id{0}}, 1}});
  CHECK(st.code() == errc::unknown_topic);
  CHECK(text(st).find("unknown topic nope") != std::string::npos);
  st = outcome({{{"t", partition_id{7}}, 1}});
  CHECK(st.code() == errc::unknown_topic);
  CHECK(text(st).find("t-7") != std::string::npos);
  st = outcome({{p1, 3}});
  CHECK(st.code() == errc::invalid_argument);
  CHECK(text(st).find("t-1: the partition is not assigned") != std::string::npos);
  st = outcome({{{"other", partition_id{0}}, 3}});
  CHECK(st.code() == errc::invalid_argument);
  st = outcome({{p0, -4}});
  CHECK(st.code() == errc::invalid_argument);
  CHECK(text(st).find("negative offset") != std::string::npos);
  // One bad partition refuses the whole commit: nothing was written.
  st = outcome({{p0, 9}, {p1, 9}});
  CHECK(st.code() == errc::invalid_argument);
  CHECK(*c->committed(p0) == -1);
  CHECK(outcome({{p0, 9}}));
  CHECK(*c->committed(p0) == 9);

  REQUIRE(c->close());
  st = outcome({{p0, 10}});
  CHECK(st.code() == errc::closed);
  CHECK(text(st).find("consumer is closed") != std::string::npos);
  std::promise<status> positions_done;
  c->commit_async([&](const status& s) { positions_done.set_value(s); });
  CHECK(positions_done.get_future().get().code() == errc::closed);

  auto no_group = std::move(*eng->make_consumer(consumer_options{}));
  REQUIRE(no_group->assign({p0}));
  std::promise<status> ng;
  no_group->commit_async({{p0, 1}}, [&](const status& s) { ng.set_value(s); });
  st = ng.get_future().get();
  CHECK(st.code() == errc::invalid_argument);
  CHECK(text(st).find("group_id") != std::string::npos);
}

TEST_CASE("consumer: commit_sync refuses unknown, unassigned or invalid partitions like commit_async") {
  test::temp_dir dir;
  auto eng = open_engine(dir.path());
  REQUIRE(eng->create_topic("t", 2));
  auto c = std::move(*eng->make_consumer(test::group_member("sync-refusals")));
  REQUIRE(c->assign({p0}));
  auto st = c->commit_sync({{{"nope", partition_id{0}}, 1}});
  CHECK(st.code() == errc::unknown_topic);
  st = c->commit_sync({{p1, 3}});
  CHECK(st.code() == errc::invalid_argument);
  CHECK(text(st).find("t-1: the partition is not assigned") != std::string::npos);
  st = c->commit_sync({{p0, -1}});
  CHECK(st.code() == errc::invalid_argument);
  st = c->commit_sync({{p0, 5}, {p1, 5}});  // one bad partition: nothing written
  CHECK(st.code() == errc::invalid_argument);
  CHECK(*c->committed(p0) == -1);
  CHECK(c->commit_sync({{p0, 5}}));
  CHECK(*c->committed(p0) == 5);
  REQUIRE(c->close());
  st = c->commit_sync({{p0, 6}});
  CHECK(st.code() == errc::closed);
  CHECK(c->commit_sync().code() == errc::closed);
}

TEST_CASE("consumer: a refusal issued behind pending commits is delivered in its turn") {
  test::temp_dir dir;
  auto eng = open_engine(dir.path());
  REQUIRE(eng->create_topic("t", 2));
  auto c = std::move(*eng->make_consumer(test::group_member("turns")));
  REQUIRE(c->assign({p0}));
  outcomes out;
  for (int64_t i = 1; i <= 100; ++i) {
    c->commit_async({{p0, i}}, out.record(i));
    if (i % 10 == 0) c->commit_async({{p1, i}}, out.record(-i));  // not assigned: refused
  }
  REQUIRE(out.wait_for_count(110));
  std::lock_guard<std::mutex> g(out.m);
  int64_t last_ok = 0;
  for (size_t k = 0; k < out.seen.size(); ++k) {
    auto& [tag, st] = out.seen[k];
    if (tag > 0) {
      CHECK(tag == last_ok + 1);
      CHECK(st);
      last_ok = tag;
    } else {
      CHECK(-tag == last_ok);  // right after the commit it was issued after
      CHECK(st.code() == errc::invalid_argument);
    }
  }
  CHECK(last_ok == 100);
  CHECK(*c->committed(p0) == 100);
}

TEST_CASE("consumer: close() writes pending async commits before it leaves the group") {
  test::temp_dir dir;
  auto eng = open_engine(dir.path());
  REQUIRE(eng->create_topic("t", 2));
  outcomes out;
  {
    auto c = member_of(*eng, "flush", "t", 2);
    for (int64_t i = 1; i <= 300; ++i) c->commit_async({{p0, i}, {p1, i + 1}}, out.record(i));
    REQUIRE(c->close());
    std::lock_guard<std::mutex> g(out.m);
    CHECK(out.seen.size() == 300);  // every callback ran before close() returned
    for (auto& [tag, st] : out.seen) CHECK_MESSAGE(st, text(st));
  }
  auto reader = std::move(*eng->make_consumer(test::group_member("flush")));
  CHECK(*reader->committed(p0) == 300);
  CHECK(*reader->committed(p1) == 301);
}

TEST_CASE("consumer: a restarted consumer resumes from the last async commit of positions") {
  test::temp_dir dir;
  {
    auto eng = open_engine(dir.path());
    REQUIRE(eng->create_topic("t", 1));
    auto c = member_of(*eng, "resume-async", "t", 1);
    produce(*eng, "t", 100);  // after the member's polls that waited for its assignment
    int64_t read = 0;
    auto deadline = std::chrono::steady_clock::now() + 30s;
    outcomes out;
    int64_t commits = 0;
    while (read < 100 && std::chrono::steady_clock::now() < deadline) {
      auto rs = c->poll(20ms);
      REQUIRE(rs);
      read += static_cast<int64_t>(rs->size());
      if (!rs->empty()) c->commit_async(out.record(++commits));  // positions after each poll
    }
    REQUIRE(read == 100);
    REQUIRE(out.wait_for_count(static_cast<size_t>(commits)));
    // The engine (and the consumer) go away without a commit_sync.
  }
  auto eng = open_engine(dir.path());
  auto c = member_of(*eng, "resume-async", "t", 1);
  CHECK(*c->committed(p0) == 100);
  CHECK(*c->position(p0) == 100);
}

TEST_CASE("consumer: a commit callback that throws does not stall the commits after it") {
  test::temp_dir dir;
  auto eng = open_engine(dir.path());
  REQUIRE(eng->create_topic("t", 2));
  auto c = std::move(*eng->make_consumer(test::group_member("throwing")));
  REQUIRE(c->assign({p0}));
  outcomes out;
  for (int64_t i = 1; i <= 50; ++i) {
    c->commit_async({{p0, i}}, [](const status&) { throw std::runtime_error("callback bug"); });
    c->commit_async({{p0, 100 + i}}, out.record(i));
  }
  REQUIRE(out.wait_for_count(50));
  {
    std::lock_guard<std::mutex> g(out.m);
    for (size_t k = 0; k < out.seen.size(); ++k) CHECK(out.seen[k].first == int64_t(k + 1));
  }
  CHECK(*c->committed(p0) == 150);
  CHECK(c->close());
}

// The embedded transactional API: producer init/begin/send_offsets/commit/abort through the
// engine's transaction coordinator, and the consumer's isolation levels.
#include <doctest/doctest.h>

#include <map>
#include <set>
#include <string>
#include <vector>

#include "actors/engine_harness.hpp"
#include "lkstream/consumer.hpp"
#include "lkstream/engine.hpp"
#include "lkstream/producer.hpp"
#include "test_util.hpp"

using namespace lkstream;
using test::open_engine;
using namespace std::chrono_literals;

namespace {

std::string text(const status& st) { return st ? std::string("ok") : st.err().to_string(); }

std::unique_ptr<producer> transactional(engine& eng, const std::string& id) {
  producer_options o;
  o.transactional_id = id;
  o.linger_ms = 0;
  return eng.make_producer(o);
}

status send(producer& p, const std::string& topic, const std::string& value, int32_t partition = -1) {
  return p.send({.topic = topic, .value = as_bytes(value), .partition = partition});
}

std::unique_ptr<consumer> reader(engine& eng, isolation_level iso,
                                 const std::vector<topic_partition>& tps) {
  consumer_options o;
  o.auto_offset_reset = offset_reset::earliest;
  o.enable_auto_commit = false;
  o.isolation = iso;
  auto c = eng.make_consumer(o);
  REQUIRE(c);
  REQUIRE((*c)->assign(tps));
  return std::move(*c);
}

// Polls until every assigned partition's position reached its end offset (the LSO for
// read_committed: what lag() reports) and returns the values read.
std::multiset<std::string> read_to_end(consumer& c) {
  std::multiset<std::string> out;
  const auto deadline = std::chrono::steady_clock::now() + 60s;
  while (std::chrono::steady_clock::now() < deadline) {
    auto rs = c.poll(50ms);
    REQUIRE_MESSAGE(rs, (rs ? "" : rs.err().to_string()));
    for (auto& r : *rs) out.insert(r.value ? std::string(as_string_view(*r.value)) : "<null>");
    bool at_end = true;
    for (auto& l : c.lag()) at_end = at_end && l.end_offset >= 0 && l.position >= l.end_offset;
    if (at_end && rs->empty()) return out;
  }
  FAIL("the consumer did not reach the end offsets within 60 s");
  return out;
}

std::multiset<std::string> values(const std::string& prefix, int n) {
  std::multiset<std::string> out;
  for (int i = 0; i < n; ++i) out.insert(prefix + std::to_string(i));
  return out;
}

const topic_partition t0{"t", partition_id{0}};
const topic_partition t1{"t", partition_id{1}};

}  // namespace

TEST_CASE("transactions: read_committed sees committed records only, read_uncommitted all") {
  test::temp_dir dir;
  auto eng = open_engine(dir.path());
  REQUIRE(eng->create_topic("t", 2));
  auto p = transactional(*eng, "app");
  REQUIRE(p->init_transactions(30s));
  REQUIRE(p->begin_transaction());
  for (int i = 0; i < 10; ++i) REQUIRE(send(*p, "t", "a" + std::to_string(i), i % 2));
  auto st = p->commit_transaction(30s);
  REQUIRE_MESSAGE(st, text(st));
  REQUIRE(p->begin_transaction());
  for (int i = 0; i < 5; ++i) REQUIRE(send(*p, "t", "aborted" + std::to_string(i), i % 2));
  st = p->abort_transaction(30s);
  REQUIRE_MESSAGE(st, text(st));
  REQUIRE(p->begin_transaction());
  for (int i = 0; i < 3; ++i) REQUIRE(send(*p, "t", "b" + std::to_string(i), i % 2));
  REQUIRE(p->commit_transaction(30s));

  auto expected = values("a", 10);
  for (auto& v : values("b", 3)) expected.insert(v);
  auto committed = reader(*eng, isolation_level::read_committed, {t0, t1});
  CHECK(read_to_end(*committed) == expected);
  auto all = expected;
  for (auto& v : values("aborted", 5)) all.insert(v);
  auto uncommitted = reader(*eng, isolation_level::read_uncommitted, {t0, t1});
  CHECK(read_to_end(*uncommitted) == all);
}

TEST_CASE("transactions: an open transaction holds read_committed readers at the LSO") {
  test::temp_dir dir;
  auto eng = open_engine(dir.path());
  REQUIRE(eng->create_topic("t", 1));
  {
    auto plain = eng->make_producer();
    REQUIRE(send(*plain, "t", "plain0"));
    REQUIRE(send(*plain, "t", "plain1"));
    REQUIRE(plain->flush(30s));
  }
  auto p = transactional(*eng, "open");
  REQUIRE(p->init_transactions(30s));
  REQUIRE(p->begin_transaction());
  for (int i = 0; i < 3; ++i) REQUIRE(send(*p, "t", "open" + std::to_string(i)));
  REQUIRE(p->flush(30s));  // in the log, not committed

  auto rc = reader(*eng, isolation_level::read_committed, {t0});
  auto ru = reader(*eng, isolation_level::read_uncommitted, {t0});
  CHECK(rc->lag().at(0).end_offset == 2);  // the LSO: the transaction's first offset
  CHECK(ru->lag().at(0).end_offset == 5);  // the high watermark
  CHECK(read_to_end(*rc) == values("plain", 2));
  // Nothing past the LSO while the transaction is open, however long the reader waits.
  auto more = rc->poll(300ms);
  REQUIRE(more);
  CHECK(more->empty());
  REQUIRE(rc->seek_to_end());
  CHECK(*rc->position(t0) == 2);
  REQUIRE(rc->seek(t0, 2));

  REQUIRE(p->commit_transaction(30s));
  CHECK(read_to_end(*rc) == values("open", 3));
  CHECK(rc->lag().at(0).end_offset == 6);  // the three records and the commit marker
}

TEST_CASE("transactions: a second producer with the same transactional id fences the first") {
  test::temp_dir dir;
  auto eng = open_engine(dir.path());
  REQUIRE(eng->create_topic("t", 2));
  auto zombie = transactional(*eng, "shared-id");
  REQUIRE(zombie->init_transactions(30s));
  REQUIRE(zombie->begin_transaction());
  REQUIRE(send(*zombie, "t", "zombie0", 0));
  REQUIRE(zombie->flush(30s));

  auto fresh = transactional(*eng, "shared-id");
  auto st = fresh->init_transactions(30s);  // aborts the zombie's open transaction
  REQUIRE_MESSAGE(st, text(st));

  // A batch to a partition the zombie had added goes there with the old epoch and is refused
  // (the abort marker moved the partition to a newer one): its commit ends as fenced.
  REQUIRE(send(*zombie, "t", "zombie1", 0));
  st = zombie->commit_transaction(30s);
  CHECK_MESSAGE(st.code() == errc::producer_fenced, text(st));
  CHECK(send(*zombie, "t", "zombie2", 1).code() == errc::producer_fenced);
  CHECK(zombie->begin_transaction().code() == errc::producer_fenced);
  CHECK(zombie->init_transactions(5s).code() == errc::producer_fenced);

  // A zombie's first record to a partition is refused by the coordinator.
  auto idle = transactional(*eng, "shared-id");
  REQUIRE(idle->init_transactions(30s));
  REQUIRE(idle->begin_transaction());
  auto newest = transactional(*eng, "shared-id");
  REQUIRE(newest->init_transactions(30s));
  CHECK(send(*idle, "t", "idle0", 1).code() == errc::producer_fenced);
  CHECK(idle->abort_transaction(5s).code() == errc::producer_fenced);
  fresh = std::move(newest);  // `fresh` itself is fenced by `newest` now
  REQUIRE(fresh->begin_transaction());
  REQUIRE(send(*fresh, "t", "fresh0", 0));
  REQUIRE(send(*fresh, "t", "fresh1", 1));
  st = fresh->commit_transaction(30s);
  REQUIRE_MESSAGE(st, text(st));
  auto rc = reader(*eng, isolation_level::read_committed, {t0, t1});
  CHECK(read_to_end(*rc) == values("fresh", 2));
}

TEST_CASE("transactions: offsets sent to a transaction reach the group only when it commits") {
  test::temp_dir dir;
  auto eng = open_engine(dir.path());
  REQUIRE(eng->create_topic("in", 1));
  REQUIRE(eng->create_topic("out", 1));
  const topic_partition in0{"in", partition_id{0}};
  {
    auto plain = eng->make_producer();
    for (int i = 0; i < 10; ++i) REQUIRE(send(*plain, "in", "x" + std::to_string(i)));
    REQUIRE(plain->flush(30s));
  }
  auto opts = test::group_member("ctp");
  opts.isolation = isolation_level::read_committed;
  auto c = std::move(*eng->make_consumer(opts));
  REQUIRE(c->subscribe({"in"}));
  std::multiset<std::string> got;
  const auto deadline = std::chrono::steady_clock::now() + 60s;
  while (got.size() < 10 && std::chrono::steady_clock::now() < deadline) {
    auto rs = c->poll(50ms);
    REQUIRE(rs);
    for (auto& r : *rs) got.insert(std::string(as_string_view(*r.value)));
  }
  REQUIRE(got == values("x", 10));
  const auto group = c->group_metadata();
  CHECK(group.group_id == "ctp");
  CHECK(group.generation_id >= 1);
  CHECK(!group.member_id.empty());

  auto p = transactional(*eng, "ctp-app");
  REQUIRE(p->init_transactions(30s));
  REQUIRE(p->begin_transaction());
  REQUIRE(send(*p, "out", "y"));
  auto st = p->send_offsets_to_transaction({{in0, 10}}, group, 30s);
  REQUIRE_MESSAGE(st, text(st));
  CHECK(*c->committed(in0) == -1);  // pending in the transaction
  REQUIRE(p->abort_transaction(30s));
  CHECK(*c->committed(in0) == -1);  // dropped with the abort

  REQUIRE(p->begin_transaction());
  REQUIRE(send(*p, "out", "y"));
  // A stale generation is refused by the group (KIP-447), nothing else changes.
  auto stale = group;
  stale.generation_id += 7;
  CHECK(p->send_offsets_to_transaction({{in0, 10}}, stale, 30s).code() ==
        errc::illegal_generation);
  REQUIRE(p->send_offsets_to_transaction({{in0, 10}}, group, 30s));
  CHECK(p->send_offsets_to_transaction({{{"nope", partition_id{0}}, 1}}, group, 30s).code() ==
        errc::unknown_topic);
  st = p->commit_transaction(30s);
  REQUIRE_MESSAGE(st, text(st));
  CHECK(*c->committed(in0) == 10);
  auto out = reader(*eng, isolation_level::read_committed, {{"out", partition_id{0}}});
  CHECK(read_to_end(*out) == std::multiset<std::string>{"y"});
}

TEST_CASE("transactions: calls out of order are invalid_txn_state and change nothing") {
  test::temp_dir dir;
  auto eng = open_engine(dir.path());
  REQUIRE(eng->create_topic("t", 1));
  auto plain = eng->make_producer();
  CHECK(plain->init_transactions(5s).code() == errc::invalid_txn_state);
  CHECK(plain->begin_transaction().code() == errc::invalid_txn_state);
  CHECK(plain->commit_transaction(5s).code() == errc::invalid_txn_state);

  auto p = transactional(*eng, "order");
  CHECK(send(*p, "t", "early").code() == errc::invalid_txn_state);
  CHECK(p->begin_transaction().code() == errc::invalid_txn_state);
  REQUIRE(p->init_transactions(30s));
  CHECK(send(*p, "t", "outside").code() == errc::invalid_txn_state);
  CHECK(p->commit_transaction(5s).code() == errc::invalid_txn_state);
  CHECK(p->abort_transaction(5s).code() == errc::invalid_txn_state);
  REQUIRE(p->begin_transaction());
  CHECK(p->begin_transaction().code() == errc::invalid_txn_state);
  CHECK(p->init_transactions(5s).code() == errc::invalid_txn_state);
  // An empty transaction commits without the coordinator.
  REQUIRE(p->commit_transaction(5s));
  REQUIRE(p->begin_transaction());
  REQUIRE(send(*p, "t", "inside"));
  REQUIRE(p->commit_transaction(30s));
  auto rc = reader(*eng, isolation_level::read_committed, {t0});
  CHECK(read_to_end(*rc) == std::multiset<std::string>{"inside"});
}

TEST_CASE("transactions: a commit that times out is typed timeout and can be retried") {
  test::temp_dir dir;
  auto eng = open_engine(dir.path());
  REQUIRE(eng->create_topic("t", 1));
  auto p = transactional(*eng, "slow");
  CHECK(p->init_transactions(0ms).code() == errc::timeout);  // no time at all to ask
  REQUIRE(p->init_transactions(30s));
  REQUIRE(p->begin_transaction());
  REQUIRE(send(*p, "t", "late"));
  auto st = p->commit_transaction(0ms);
  CHECK_MESSAGE(st.code() == errc::timeout, text(st));
  st = p->commit_transaction(30s);  // the same call again, in time
  REQUIRE_MESSAGE(st, text(st));
  auto rc = reader(*eng, isolation_level::read_committed, {t0});
  CHECK(read_to_end(*rc) == std::multiset<std::string>{"late"});
}

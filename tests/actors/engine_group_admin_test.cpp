// engine's group-admin API (list/describe groups, offsets and lag, delete offsets) with real
// consumers in a group.
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

void produce(engine& eng, const std::string& topic, int32_t partition, int n) {
  auto p = eng.make_producer();
  for (int i = 0; i < n; ++i) {
    std::string v = std::to_string(i);
    REQUIRE(p->send({.topic = topic, .value = as_bytes(v), .partition = partition}));
  }
  REQUIRE(p->flush(10s));
}

/// Polls both members until the group is Stable with every partition assigned once.
void settle(engine& eng, const std::string& group, std::vector<consumer*> members,
            size_t partitions) {
  auto deadline = std::chrono::steady_clock::now() + 60s;
  while (std::chrono::steady_clock::now() < deadline) {
    size_t assigned = 0;
    for (auto* c : members) {
      REQUIRE(c->poll(10ms));
      assigned += c->assignment().size();
    }
    auto d = eng.describe_group(group);
    REQUIRE(d);
    size_t described = 0;
    for (auto& m : d->members) described += m.assignment.size();
    if (assigned == partitions && d->state == "Stable" && d->members.size() == members.size() &&
        described == partitions)
      return;
  }
  FAIL("group " << group << " did not settle");
}

}  // namespace

TEST_CASE("engine: list and describe groups show members, protocol and assignments") {
  test::temp_dir dir;
  auto eng = open_engine(dir.path());
  REQUIRE(eng->create_topic("orders", 4));
  auto a = std::move(*eng->make_consumer(test::group_member("billing", "client-a")));
  auto b = std::move(*eng->make_consumer(test::group_member("billing", "client-b")));
  REQUIRE(a->subscribe({"orders"}));
  REQUIRE(b->subscribe({"orders"}));
  settle(*eng, "billing", {a.get(), b.get()}, 4);

  auto d = eng->describe_group("billing");
  REQUIRE(d);
  CHECK(d->group_id == "billing");
  CHECK(d->state == "Stable");
  CHECK(d->protocol_type == "consumer");
  CHECK(d->protocol == "range");
  REQUIRE(d->members.size() == 2);
  std::set<std::string> clients;
  std::set<topic_partition> all;
  for (auto& m : d->members) {
    clients.insert(m.client_id);
    CHECK(m.client_host == "embedded");
    CHECK(m.assignment.size() == 2);
    for (auto& tp : m.assignment) CHECK(all.insert(tp).second);  // each partition once
  }
  CHECK(clients == std::set<std::string>{"client-a", "client-b"});
  // Each member's described assignment is what the consumer itself holds.
  for (auto& m : d->members) {
    auto& c = m.client_id == "client-a" ? a : b;
    auto own = c->assignment();
    CHECK(std::set<topic_partition>(own.begin(), own.end()) ==
          std::set<topic_partition>(m.assignment.begin(), m.assignment.end()));
  }

  // A second group, empty but with offsets: listed too.
  auto lone = std::move(*eng->make_consumer(test::group_member("audit", "client-c")));
  REQUIRE(lone->assign({{"orders", partition_id{0}}}));
  REQUIRE(lone->commit_sync({{{"orders", partition_id{0}}, 0}}));
  auto groups = eng->list_groups();
  REQUIRE(groups);
  REQUIRE(groups->size() == 2);
  CHECK((*groups)[0].group_id == "audit");
  CHECK((*groups)[0].members.empty());
  CHECK((*groups)[0].state == "Empty");
  CHECK((*groups)[1].group_id == "billing");
  CHECK((*groups)[1].members.size() == 2);

  auto unknown = eng->describe_group("nobody");
  REQUIRE(unknown);
  CHECK(unknown->state == "Dead");
  CHECK(unknown->members.empty());
  CHECK(eng->describe_group("").code() == errc::invalid_argument);
}

TEST_CASE("engine: group offsets report committed offsets and lag per partition") {
  test::temp_dir dir;
  auto eng = open_engine(dir.path());
  REQUIRE(eng->create_topic("ticks", 2));
  REQUIRE(eng->create_topic("other", 1));
  produce(*eng, "ticks", 0, 30);
  produce(*eng, "ticks", 1, 20);
  auto c = std::move(*eng->make_consumer(test::group_member("lagging", "c")));
  REQUIRE(c->subscribe({"ticks"}));
  auto deadline = std::chrono::steady_clock::now() + 30s;
  while (c->assignment().size() < 2 && std::chrono::steady_clock::now() < deadline)
    REQUIRE(c->poll(10ms));
  // Before any commit: the assigned topic shows with nothing committed, all of it as lag.
  auto before = eng->group_offsets("lagging");
  REQUIRE(before);
  REQUIRE(before->size() == 2);
  CHECK((*before)[0].committed == -1);
  CHECK((*before)[0].lag() == 30);
  CHECK((*before)[1].lag() == 20);

  REQUIRE(c->commit_sync({{{"ticks", partition_id{0}}, 25}, {{"ticks", partition_id{1}}, 20}}));
  auto after = eng->group_offsets("lagging");
  REQUIRE(after);
  REQUIRE(after->size() == 2);
  CHECK((*after)[0].tp == topic_partition{"ticks", partition_id{0}});
  CHECK((*after)[0].committed == 25);
  CHECK((*after)[0].end_offset == 30);
  CHECK((*after)[0].lag() == 5);
  CHECK((*after)[1].committed == 20);
  CHECK((*after)[1].lag() == 0);

  auto one_topic = eng->group_offsets("lagging", "other");  // no commits there: all lag
  REQUIRE(one_topic);
  REQUIRE(one_topic->size() == 1);
  CHECK((*one_topic)[0].committed == -1);
  CHECK(eng->group_offsets("lagging", "missing").code() == errc::unknown_topic);
  auto none = eng->group_offsets("never-seen");
  REQUIRE(none);
  CHECK(none->empty());
}

TEST_CASE("engine: a group's offsets are deleted only once it has no members") {
  test::temp_dir dir;
  {
    auto eng = open_engine(dir.path());
    REQUIRE(eng->create_topic("jobs", 2));
    produce(*eng, "jobs", 0, 10);
    auto c = std::move(*eng->make_consumer(test::group_member("workers", "w")));
    REQUIRE(c->subscribe({"jobs"}));
    auto deadline = std::chrono::steady_clock::now() + 30s;
    while (c->assignment().size() < 2 && std::chrono::steady_clock::now() < deadline)
      REQUIRE(c->poll(10ms));
    REQUIRE(c->commit_sync({{{"jobs", partition_id{0}}, 7}, {{"jobs", partition_id{1}}, 0}}));

    auto refused = eng->delete_group_offsets("workers");
    CHECK(refused.code() == errc::invalid_argument);
    CHECK(refused.err().to_string().find("1 member") != std::string::npos);
    CHECK((*eng->group_offsets("workers"))[0].committed == 7);  // untouched

    REQUIRE(c->close());
    auto removed = eng->delete_group_offsets("workers");
    REQUIRE_MESSAGE(removed, (removed ? "" : removed.err().to_string()));
    CHECK(*removed == 2);
    CHECK(eng->delete_group_offsets("no-such-group").code() == errc::not_found);
  }
  // Durable: after a restart nothing is committed and a new member starts from the reset policy.
  auto eng = open_engine(dir.path());
  auto offsets = eng->group_offsets("workers", "jobs");
  REQUIRE(offsets);
  for (auto& o : *offsets) CHECK(o.committed == -1);
  auto c = std::move(*eng->make_consumer(test::group_member("workers", "w2")));
  REQUIRE(c->assign({{"jobs", partition_id{0}}}));
  CHECK(*c->committed({"jobs", partition_id{0}}) == -1);
  CHECK(*c->position({"jobs", partition_id{0}}) == 0);
  REQUIRE(c->close());
  REQUIRE(eng->close());
  CHECK(eng->list_groups().code() == errc::closed);
}

// source_tracker: which source polls are complete and which offsets may be committed.
#include <doctest/doctest.h>

#include "pipeline/source_tracker.hpp"

using lkstream::partition_id;
using lkstream::topic_partition;
using lkstream::actors::source_tracker;

namespace {
const topic_partition p0{"t", partition_id{0}};
const topic_partition p1{"t", partition_id{1}};
}  // namespace

TEST_CASE("pipeline: offsets become committable only for the completed prefix of polls") {
  auto tr = std::make_shared<source_tracker>();
  auto a = tr->open({{p0, 10}});
  auto b = tr->open({{p0, 20}, {p1, 5}});
  auto c = tr->open({{p0, 30}});
  CHECK(tr->in_flight() == 3);
  b.reset();  // done out of order: nothing before it is done yet
  CHECK(tr->take_committable().empty());
  a.reset();  // now a and b form the prefix
  auto first = tr->take_committable();
  CHECK(first == std::map<topic_partition, int64_t>{{p0, 20}, {p1, 5}});
  CHECK(tr->take_committable().empty());  // taken once
  CHECK(tr->in_flight() == 1);
  c.reset();
  CHECK(tr->take_committable() == std::map<topic_partition, int64_t>{{p0, 30}});
  CHECK(tr->max_in_flight_seen() == 3);
}

TEST_CASE("pipeline: a failed ticket stops every later commit") {
  auto tr = std::make_shared<source_tracker>();
  auto a = tr->open({{p0, 10}});
  auto b = tr->open({{p0, 20}});
  b->fail();
  a.reset();
  b.reset();
  CHECK(tr->failed());
  CHECK(tr->take_committable().empty());
}

TEST_CASE("pipeline: completions after abandon() are not committed") {
  auto tr = std::make_shared<source_tracker>();
  auto a = tr->open({{p0, 10}});
  tr->abandon();
  a.reset();  // destroyed by a stopping stage, not processed
  CHECK(tr->take_committable().empty());
}

TEST_CASE("pipeline: wait_below returns once a ticket completes") {
  auto tr = std::make_shared<source_tracker>();
  auto a = tr->open({{p0, 1}});
  CHECK_FALSE(tr->wait_below(1, std::chrono::milliseconds(1)));
  a.reset();
  CHECK(tr->wait_below(1, std::chrono::milliseconds(1)));
}

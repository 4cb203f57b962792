// Requests of one connection take effect in the order they were sent (issue 22), written back
// to back before any answer is read: commits, group membership, topic creation and deletion.
// Each race is run many times; before the fix, relay actors let a later request overtake an
// earlier one in a few percent of rounds.
#include "kafka_listener_helpers.hpp"

#include <thread>

using namespace lkstream;
using namespace lkstream::kafka_test;
using namespace lkstream::kafka_test::listener;
using namespace std::chrono_literals;
using kafka::error_code;

namespace {

constexpr int16_t commit_v = 7, fetch_offsets_v = 5, join_v = 5, sync_v = 3, heartbeat_v = 3,
                  leave_v = 3, create_v = 4, delete_v = 3, metadata_v = 8, produce_v = 7;

kafka::offset_commit_request commit_of(const std::string& group, const std::string& topic,
                                       int64_t offset, int32_t generation = -1,
                                       const std::string& member = {}) {
  kafka::offset_commit_request rq;
  rq.group_id = group;
  rq.generation_id = generation;
  rq.member_id = member;
  rq.topics.push_back({topic, {{0, offset, -1, std::nullopt}}});
  return rq;
}

kafka::offset_fetch_request fetch_offsets_of(const std::string& group, const std::string& topic) {
  kafka::offset_fetch_request rq;
  rq.group_id = group;
  rq.topics->push_back({topic, {0}});
  return rq;
}

error_code commit_error(const kafka::offset_commit_response& r) {
  REQUIRE(r.topics.size() == 1);
  REQUIRE(r.topics[0].partitions.size() == 1);
  return r.topics[0].partitions[0].error;
}

int64_t committed(const kafka::offset_fetch_response& r) {
  REQUIRE(r.topics.size() == 1);
  REQUIRE(r.topics[0].partitions.size() == 1);
  REQUIRE(r.topics[0].partitions[0].error == error_code::none);
  return r.topics[0].partitions[0].committed_offset;
}

kafka::create_topics_request create_of(const std::string& topic, int32_t partitions) {
  kafka::create_topics_request rq;
  rq.topics.push_back({topic, partitions, 1, {}, {}});
  return rq;
}

kafka::metadata_request metadata_of(const std::string& topic, bool auto_create) {
  kafka::metadata_request rq;
  rq.topics.emplace();
  rq.topics->push_back({topic});
  rq.allow_auto_topic_creation = auto_create;
  return rq;
}

kafka::produce_partition_response produced(const kafka::produce_response& r) {
  REQUIRE(r.responses.size() == 1);
  REQUIRE(r.responses[0].partitions.size() == 1);
  return r.responses[0].partitions[0];
}

/// A member that joined `group` alone: {generation, member id}.
std::pair<int32_t, std::string> join_alone(raw_client& c, const std::string& group) {
  kafka::join_group_request jg;
  jg.group_id = group;
  jg.session_timeout_ms = 30000;
  jg.rebalance_timeout_ms = 30000;
  jg.protocol_type = "consumer";
  jg.protocols.push_back({"range", bytes{}});
  auto id = c.send(jg, join_v);
  auto first = c.receive<kafka::join_group_response>(join_v, id);
  REQUIRE(first.error == error_code::member_id_required);  // v4+: join again with this id
  jg.member_id = first.member_id;
  id = c.send(jg, join_v);
  auto joined = c.receive<kafka::join_group_response>(join_v, id, 30s);
  REQUIRE(joined.error == error_code::none);
  REQUIRE(joined.leader == joined.member_id);
  return {joined.generation_id, joined.member_id};
}

}  // namespace

TEST_CASE("kafka order: the last of 10,000 pipelined commits wins, and an OffsetFetch behind them reads it") {
  broker b;
  raw_client c(b.port());
  REQUIRE(metadata(c, {"order-commits"}).topics.at(0).error == error_code::none);
  for (int round = 0; round < 10; ++round) {
    CAPTURE(round);
    const std::string group = "g-" + std::to_string(round);
    std::vector<int32_t> ids;
    // Offsets go down in even rounds and up in odd ones: the last one is never the largest
    // of an even round, so "largest wins" cannot pass for "last wins".
    for (int i = 0; i < 10000; ++i) {
      const int64_t offset = round % 2 == 0 ? 20000 - i : i;
      ids.push_back(c.send(commit_of(group, "order-commits", offset), commit_v));
    }
    const int64_t last = round % 2 == 0 ? 20000 - 9999 : 9999;
    const auto fetch_id = c.send(fetch_offsets_of(group, "order-commits"), fetch_offsets_v);
    for (auto id : ids) {
      auto r = c.receive<kafka::offset_commit_response>(commit_v, id);
      REQUIRE(commit_error(r) == error_code::none);
    }
    CHECK(committed(c.receive<kafka::offset_fetch_response>(fetch_offsets_v, fetch_id)) == last);
  }
  // What was acknowledged last is what a restarted broker holds.
  b.restart();
  raw_client again(b.port());
  for (int round = 0; round < 10; ++round) {
    auto id = again.send(fetch_offsets_of("g-" + std::to_string(round), "order-commits"),
                         fetch_offsets_v);
    CHECK(committed(again.receive<kafka::offset_fetch_response>(fetch_offsets_v, id)) ==
          (round % 2 == 0 ? 20000 - 9999 : 9999));
  }
}

TEST_CASE("kafka order: SyncGroup, commits, Heartbeat, OffsetFetch and LeaveGroup pipelined take effect in send order") {
  broker b;
  raw_client c(b.port());
  REQUIRE(metadata(c, {"order-group"}).topics.at(0).error == error_code::none);
  for (int round = 0; round < 30; ++round) {
    CAPTURE(round);
    const std::string group = "member-" + std::to_string(round);
    auto [generation, member] = join_alone(c, group);
    // The Java client's coordinator connection: the leader's SyncGroup, then whatever the
    // application and the heartbeat thread send, written before any answer arrived.
    kafka::sync_group_request sg{group, generation, member, std::nullopt, {{member, bytes{}}}};
    const auto sync_id = c.send(sg, sync_v);
    const auto commit_id = c.send(commit_of(group, "order-group", 42, generation, member), commit_v);
    const auto hb_id =
        c.send(kafka::heartbeat_request{group, generation, member, std::nullopt}, heartbeat_v);
    const auto fetch_id = c.send(fetch_offsets_of(group, "order-group"), fetch_offsets_v);
    kafka::leave_group_request lg;
    lg.group_id = group;
    lg.members.push_back({member, std::nullopt});
    const auto leave_id = c.send(lg, leave_v);
    // After the leave the member is gone: its commit must be refused, the 42 kept.
    const auto late_id = c.send(commit_of(group, "order-group", 43, generation, member), commit_v);
    const auto fetch2_id = c.send(fetch_offsets_of(group, "order-group"), fetch_offsets_v);

    CHECK(c.receive<kafka::sync_group_response>(sync_v, sync_id).error == error_code::none);
    CHECK(commit_error(c.receive<kafka::offset_commit_response>(commit_v, commit_id)) ==
          error_code::none);
    CHECK(c.receive<kafka::heartbeat_response>(heartbeat_v, hb_id).error == error_code::none);
    CHECK(committed(c.receive<kafka::offset_fetch_response>(fetch_offsets_v, fetch_id)) == 42);
    auto left = c.receive<kafka::leave_group_response>(leave_v, leave_id);
    CHECK(left.error == error_code::none);
    REQUIRE(left.members.size() == 1);
    CHECK(left.members[0].error == error_code::none);
    CHECK(commit_error(c.receive<kafka::offset_commit_response>(commit_v, late_id)) ==
          error_code::unknown_member_id);
    CHECK(committed(c.receive<kafka::offset_fetch_response>(fetch_offsets_v, fetch2_id)) == 42);
  }
}

TEST_CASE("kafka order: CreateTopics, Metadata and Produce pipelined see the new topic") {
  broker b;
  raw_client c(b.port());
  const auto batch = make_batch(3);
  for (int round = 0; round < 30; ++round) {
    CAPTURE(round);
    const std::string topic = "fresh-" + std::to_string(round);
    const auto create_id = c.send(create_of(topic, 2), create_v);
    const auto md_id = c.send(metadata_of(topic, false), metadata_v);
    const auto produce_id = c.send(produce_one(topic, 1, batch), produce_v);
    auto created = c.receive<kafka::create_topics_response>(create_v, create_id);
    REQUIRE(created.topics.size() == 1);
    CHECK(created.topics[0].error == error_code::none);
    auto md = c.receive<kafka::metadata_response>(metadata_v, md_id);
    REQUIRE(md.topics.size() == 1);
    CHECK(md.topics[0].error == error_code::none);
    CHECK(md.topics[0].partitions.size() == 2);
    auto p = produced(c.receive<kafka::produce_response>(produce_v, produce_id));
    CHECK(p.error == error_code::none);
    CHECK(p.base_offset == 0);
  }
}

TEST_CASE("kafka order: a Metadata that auto-creates a topic is seen by the Produce pipelined behind it") {
  broker b;
  raw_client c(b.port());
  const auto batch = make_batch(2);
  for (int round = 0; round < 30; ++round) {
    CAPTURE(round);
    const std::string topic = "auto-" + std::to_string(round);
    const auto md_id = c.send(metadata_of(topic, true), metadata_v);
    const auto produce_id = c.send(produce_one(topic, 0, batch), produce_v);
    auto md = c.receive<kafka::metadata_response>(metadata_v, md_id);
    REQUIRE(md.topics.size() == 1);
    CHECK(md.topics[0].error == error_code::none);
    CHECK(produced(c.receive<kafka::produce_response>(produce_v, produce_id)).error ==
          error_code::none);
  }
}

TEST_CASE("kafka order: DeleteTopics then CreateTopics of the same name pipelined make a new, empty topic") {
  broker b;
  raw_client c(b.port());
  const auto batch = make_batch(5);
  REQUIRE(metadata(c, {"reborn"}).topics.at(0).error == error_code::none);
  for (int round = 0; round < 20; ++round) {
    CAPTURE(round);
    REQUIRE(produce(c, "reborn", 0, batch).error == error_code::none);
    kafka::delete_topics_request del;
    del.topic_names = {"reborn"};
    const auto delete_id = c.send(del, delete_v);
    const auto create_id = c.send(create_of("reborn", 1), create_v);
    const auto produce_id = c.send(produce_one("reborn", 0, batch), produce_v);
    auto deleted = c.receive<kafka::delete_topics_response>(delete_v, delete_id);
    REQUIRE(deleted.responses.size() == 1);
    CHECK(deleted.responses[0].error == error_code::none);
    auto created = c.receive<kafka::create_topics_response>(create_v, create_id);
    REQUIRE(created.topics.size() == 1);
    CHECK(created.topics[0].error == error_code::none);
    auto p = produced(c.receive<kafka::produce_response>(produce_v, produce_id));
    CHECK(p.error == error_code::none);
    CHECK(p.base_offset == 0);  // the old records went with the old topic
  }
}

TEST_CASE("kafka order: a Produce behind a parked Fetch runs at once, a CreateTopics waits for it") {
  broker b;
  raw_client setup(b.port());
  REQUIRE(metadata(setup, {"quiet"}).topics.at(0).error == error_code::none);
  REQUIRE(metadata(setup, {"busy"}).topics.at(0).error == error_code::none);

  raw_client c(b.port());
  kafka::fetch_request parked;
  parked.max_wait_ms = 30000;
  parked.min_bytes = 1;
  parked.max_bytes = 1 << 20;
  parked.topics.push_back({"quiet", {{0, -1, 0, -1, 1 << 20}}});
  const auto fetch_id = c.send(parked, 11);
  const auto produce_id = c.send(produce_one("busy", 0, make_batch(4)), produce_v);
  const auto create_id = c.send(create_of("after-fetch", 1), create_v);

  // Concurrent: the Produce lands while the Fetch is still parked.
  auto deadline = std::chrono::steady_clock::now() + 20s;
  int64_t busy_end = 0;
  while (busy_end < 4 && std::chrono::steady_clock::now() < deadline) {
    auto info = b.eng().describe_topic("busy");
    REQUIRE(info);
    busy_end = info->partitions.at(0).high_watermark;
    if (busy_end < 4) std::this_thread::sleep_for(10ms);
  }
  CHECK(busy_end == 4);
  // Exclusive: the topic is not created while the Fetch ahead of it is unanswered.
  std::this_thread::sleep_for(200ms);
  CHECK_FALSE(b.eng().describe_topic("after-fetch").has_value());

  REQUIRE(produce(setup, "quiet", 0, make_batch(1)).error == error_code::none);  // wakes the Fetch
  auto f = c.receive<kafka::fetch_response>(11, fetch_id, 20s);
  CHECK(f.responses.at(0).partitions.at(0).error == error_code::none);
  CHECK(produced(c.receive<kafka::produce_response>(produce_v, produce_id)).base_offset == 0);
  auto created = c.receive<kafka::create_topics_response>(create_v, create_id);
  REQUIRE(created.topics.size() == 1);
  CHECK(created.topics[0].error == error_code::none);
  CHECK(b.eng().describe_topic("after-fetch").has_value());
}

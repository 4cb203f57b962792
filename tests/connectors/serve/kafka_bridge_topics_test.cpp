// Topic sync and permanent errors of the out-bridge against one real Apache Kafka 4.4 broker
// (started once for the group) and a real `lkstream serve` running one connector per case:
//
//   source   target on Kafka                                  expected outcome
//   t_new    missing (issue 16's configuration)              created with 3 partitions and
//                                                             the source's configs; mirrored
//   t_auto   auto-created by Kafka with 1 partition (issue    failed: names topic and counts,
//            16's outcome, which used to loop forever)        never restarted
//   t_issue  missing, topic_sync = false, Kafka allowed to    failed: names topic and counts
//            create topics: it makes one with 1 partition     (the exact sequence)
//   t_gone   missing, topic_sync = false                      failed: does not exist
//   t_more   pre-created with 5 partitions                    mirrored to partitions 0..2
//   t_hash   pre-created with 1 partition, "hash"             mirrored, each source
//                                                             partition's order kept
//   t_grow   missing; the source grows 3 -> 4 (restart)       created, then grown to 4
//
// and one connector that selects its topics (topic_prefix "sel.", topic_regex "rx[0-9]+")
// and names targets "mirror.{topic}": a topic created while it runs is mirrored too.
#include <doctest/doctest.h>

#include <chrono>
#include <map>
#include <thread>

#include "apache_kafka.hpp"
#include "child_process.hpp"
#include "kafka_records.hpp"
#include "lkstream_server.hpp"

using namespace lkstream::testing;
using namespace std::chrono_literals;

namespace {

constexpr int n = 3000;
constexpr auto patience = 300s;

struct out_connector {
  std::string source;
  std::string target;
  std::string extra;  // more [connector.config] lines
};

// Selects topics by prefix and regex instead of listing them.
const std::string selecting_connector =
    "[[connector]]\nname = \"to-selected\"\nplugin = \"kafka_bridge\"\n"
    "topic_prefix = \"sel.\"\ntopic_regex = \"rx[0-9]+\"\n[connector.config]\n"
    "direction = \"out\"\ntopic_name = \"mirror.{topic}\"\nflush_timeout = \"60s\"\n";

const std::vector<out_connector> connectors{
    {"t_new", "k_new", ""},
    {"t_auto", "k_auto", ""},
    {"t_issue", "k_issue", "topic_sync = false\n\"allow.auto.create.topics\" = \"true\"\n"},
    {"t_gone", "k_gone", "topic_sync = false\n"},
    {"t_more", "k_more", ""},
    {"t_hash", "k_hash", "partitioning = \"hash\"\n"},
    {"t_grow", "k_grow", ""},
};

std::string config(const temp_dir& dir, const std::string& kafka, int grow_partitions) {
  std::string t = "[broker]\ndata_dir = \"" + (dir / "data") + "\"\n";
  for (auto& c : connectors) {
    t += "[[topic]]\nname = \"" + c.source + "\"\npartitions = " +
         std::to_string(c.source == "t_grow" ? grow_partitions : 3) + "\n";
    if (c.source == "t_new")
      t += "retention_ms = \"3d\"\nretention_bytes = \"1GiB\"\nmax_message_bytes = \"2MiB\"\n"
           "cleanup_policy = \"compact,delete\"\n";
  }
  t += "[[topic]]\nname = \"sel.a\"\npartitions = 2\n[[topic]]\nname = \"rx1\"\n"
       "[[topic]]\nname = \"rxa\"\n";
  t += selecting_connector + "\"bootstrap.servers\" = \"" + kafka + "\"\n";
  for (auto& c : connectors)
    t += "[[connector]]\nname = \"to-" + c.target + "\"\nplugin = \"kafka_bridge\"\ntopics = [\"" +
         c.source + "\"]\n[connector.config]\ndirection = \"out\"\ntopic_map = \"" + c.source +
         ":" + c.target + "\"\n\"bootstrap.servers\" = \"" + kafka +
         "\"\nflush_timeout = \"60s\"\n" + c.extra;
  const std::string path = dir / "lkstream.toml";
  REQUIRE(write_file(path, t));
  return path;
}

bool failed(const nlohmann::json& j) {
  return j.value("state", "") == "failed";
}

// A failed connector: its reason contains every part of `expected`, and it was never restarted.
void check_failed(lkstream_server& server, const std::string& name,
                  const std::vector<std::string>& expected) {
  auto st = wait_cli_status(server, name, failed);
  INFO(name << ": " << st.dump());
  REQUIRE(st.value("state", "") == "failed");
  const std::string reason = st.value("last_error", "");
  for (auto& e : expected) CHECK_MESSAGE(reason.find(e) != std::string::npos, "missing: " << e);
  CHECK(reason.find("what to do") != std::string::npos);
  CHECK(st.value("restarts", -1) == 0);
}

}  // namespace

TEST_CASE(
    "kafka bridge topics: missing targets are created like their source and grow with it, a "
    "target with fewer partitions fails for good naming topic and counts (also when Kafka "
    "auto-created it, issue 16), one with more partitions or a hash mapping is mirrored") {
  temp_dir dir{"bridge-topics"};
  apache_kafka kafka{dir / "kafka"};
  REQUIRE_MESSAGE(kafka.start(), kafka.error());
  const std::string kb = kafka.bootstrap();
  // Kafka creates k_auto by itself (num.partitions = 1) when a producer writes to it.
  REQUIRE(produce_numbered(kb, "k_auto", 1, 0, 1) == "");
  REQUIRE(topic_partitions(kb, "k_auto") == 1);
  REQUIRE(create_topic(kb, "k_more", 5) == "");
  REQUIRE(create_topic(kb, "k_hash", 1) == "");

  const std::string cfg = config(dir, kb, 3);
  {
    lkstream_server server(cfg);
    REQUIRE_MESSAGE(server.start(), server.error());
    for (auto& c : connectors)
      REQUIRE_MESSAGE(produce_numbered(server.bootstrap(), c.source, 3, 0, n) == "", c.source);

    // Permanent errors: failed at once with the reason and what to do, never restarted.
    check_failed(server, "to-k_auto", {"\"k_auto\" has 1 partition", "3 of LKSTREAM topic",
                                       "partitioning = \"hash\""});
    check_failed(server, "to-k_issue", {"\"k_issue\" has 1 partition", "3 of LKSTREAM topic"});
    check_failed(server, "to-k_gone", {"\"k_gone\"", "does not exist", "topic_sync = true"});
    auto human = run_lkstream({"connector", "status", "to-k_auto", "--bootstrap",
                               server.bootstrap()});
    CHECK(human.exit_code == 0);
    CHECK(human.out.find(": failed") != std::string::npos);
    CHECK(human.out.find("not restarted: the error is permanent") != std::string::npos);
    CHECK(human.out.find("what to do") != std::string::npos);

    // The created target is like its source.
    auto got = read_topic(kb, "k_new", 3, n, patience, 1s, [&] { server.drain(); });
    auto c = check_numbered(got, n, 3);
    INFO("k_new: " << got.size() << " records");
    CHECK(c.complete_and_ordered());
    CHECK(c.duplicates == 0);
    CHECK(topic_partitions(kb, "k_new") == 3);
    auto configs = topic_configs(kb, "k_new");
    CHECK(configs["retention.ms"] == std::to_string(3LL * 24 * 3600 * 1000));
    CHECK(configs["retention.bytes"] == std::to_string(1LL << 30));
    CHECK(configs["max.message.bytes"] == std::to_string(2 << 20));
    CHECK((configs["cleanup.policy"] == "compact,delete" ||
           configs["cleanup.policy"] == "delete,compact"));

    // More partitions on the target: partition p still goes to p.
    got = read_topic(kb, "k_more", 5, n, patience, 1s, [&] { server.drain(); });
    c = check_numbered(got, n, 3);
    CHECK(c.complete_and_ordered());

    // hash onto one partition: all there, each source partition in its order.
    got = read_topic(kb, "k_hash", 1, n, patience, 1s, [&] { server.drain(); });
    CHECK(got.size() == static_cast<size_t>(n));
    std::map<int, int> last_of_source;  // source partition -> last number seen
    bool ordered = true;
    for (auto& r : got) {
      const int i = std::stoi(r.value.value_or("v-1").substr(1));
      CHECK(r.partition == 0);
      auto [it, fresh] = last_of_source.try_emplace(i % 3, i);
      if (!fresh) {
        ordered = ordered && i > it->second;
        it->second = i;
      }
    }
    CHECK(ordered);

    // Selection: sel.a and rx1 from the start, sel.b once it is created; rxa never.
    REQUIRE(create_topic(server.bootstrap(), "sel.b", 4) == "");
    for (auto& [topic, parts] : std::vector<std::pair<std::string, int>>{
             {"sel.a", 2}, {"sel.b", 4}, {"rx1", 1}, {"rxa", 1}}) {
      REQUIRE(produce_numbered(server.bootstrap(), topic, parts, 0, 500) == "");
      if (topic == "rxa") continue;
      got = read_topic(kb, "mirror." + topic, parts, 500, patience, 1s, [&] { server.drain(); });
      INFO("mirror." << topic);
      CHECK(check_numbered(got, 500, parts).complete_and_ordered());
      CHECK(topic_partitions(kb, "mirror." + topic) == parts);
    }
    CHECK(topic_partitions(kb, "mirror.rxa") == 0);
    auto sel = wait_cli_status(server, "to-selected", [](const nlohmann::json& j) {
      return j.value("records", 0) >= 1500;
    });
    INFO(sel.dump());
    CHECK(sel.value("state", "") == "running");
    CHECK(sel.value("records", 0) == 1500);

    got = read_topic(kb, "k_grow", 3, n, patience, 1s, [&] { server.drain(); });
    CHECK(check_numbered(got, n, 3).complete_and_ordered());
    // Still failed, still not restarted, after everything else was mirrored.
    for (const char* name : {"to-k_auto", "to-k_issue", "to-k_gone"}) {
      auto st = cli_status(server.bootstrap(), name);
      INFO(name << ": " << st.dump());
      CHECK(st.value("state", "") == "failed");
      CHECK(st.value("restarts", -1) == 0);
    }
    CHECK_MESSAGE(server.stop(), server.error());
  }

  // The source grows to 4 partitions: the target the bridge created grows with it.
  lkstream_server server(config(dir, kb, 4));
  REQUIRE_MESSAGE(server.start(), server.error());
  REQUIRE(produce_numbered(server.bootstrap(), "t_grow", 4, n, n + 400) == "");
  auto got = read_topic(kb, "k_grow", 4, n + 400, patience, 1s, [&] { server.drain(); });
  CHECK(topic_partitions(kb, "k_grow") == 4);
  std::map<int, int> partition_of;
  for (auto& r : got) partition_of[std::stoi(r.value.value_or("v-1").substr(1))] = r.partition;
  CHECK(partition_of.size() == static_cast<size_t>(n + 400));
  int misplaced = 0;
  for (auto& [i, p] : partition_of) misplaced += p != (i < n ? i % 3 : i % 4);
  CHECK(misplaced == 0);
  auto st = cli_status(server.bootstrap(), "to-k_grow");
  INFO(st.dump());
  CHECK(st.value("state", "") == "running");
  CHECK_MESSAGE(server.stop(), server.error());
}

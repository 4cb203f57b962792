// Moving a live system from LKSTREAM to Apache Kafka 4.4 (one broker for the group) with the
// out-bridge and `lkstream migrate groups`, as docs/migration.md describes it:
//
// - "orders" is mirrored with offset_mode = "preserve" into an empty topic: every Kafka offset
//   equals its LKSTREAM offset, also across a SIGKILL of serve in the middle of mirroring
//   (records an earlier instance wrote are skipped, not written twice).
// - "events" is mirrored with offset_mode = "map" into a topic that already holds 10 foreign
//   records per partition, so Kafka offsets are LKSTREAM offsets + 10.
// - A consumer group reads part of both topics on LKSTREAM and stops; producers go on; serve
//   is killed during a first `migrate groups` pass and restarted; the group is migrated; the
//   same group started against Kafka (auto.offset.reset = error: it must find committed
//   offsets) reads the rest: every record processed, no foreign record; none twice for the
//   preserved topic, at most what the bridge resent after the kills for the mapped one.
// - `migrate groups --every 1s` carries a second group's commits continuously, pass after
//   pass, until it is stopped.
#include <doctest/doctest.h>

#include <sys/wait.h>

#include <csignal>
#include <chrono>
#include <future>
#include <map>
#include <set>
#include <thread>

#include "apache_kafka.hpp"
#include "child_process.hpp"
#include "kafka_records.hpp"
#include "lkstream_server.hpp"

using namespace lkstream::testing;
using namespace std::chrono_literals;

namespace {

constexpr int first_wave = 20000;   // produced before the consumers stop
constexpr int second_wave = 10000;  // produced while the group is migrated
constexpr int total = first_wave + second_wave;
constexpr int foreign = 10;          // records per partition already in Kafka's "events"
constexpr auto patience = 300s;

std::string config(const temp_dir& dir, const std::string& kafka) {
  std::string t = "[broker]\ndata_dir = \"" + (dir / "data") +
                  "\"\n[[topic]]\nname = \"orders\"\npartitions = 3\n"
                  "[[topic]]\nname = \"events\"\npartitions = 3\n";
  for (auto [name, mode] : {std::pair{"orders", "preserve"}, std::pair{"events", "map"}})
    t += std::string("[[connector]]\nname = \"to-kafka-") + name +
         "\"\nplugin = \"kafka_bridge\"\ntopics = [\"" + name +
         "\"]\n[connector.config]\ndirection = \"out\"\noffset_mode = \"" + mode +
         "\"\n\"bootstrap.servers\" = \"" + kafka + "\"\nflush_timeout = \"60s\"\n"
         "\"linger.ms\" = 20\n";
  const std::string path = dir / "lkstream.toml";
  REQUIRE(write_file(path, t));
  return path;
}

int number_of(const read_record& r) {
  if (!r.value || r.value->size() < 2 || (*r.value)[0] != 'v') return -1;
  return std::stoi(r.value->substr(1));
}

int64_t kafka_records(const std::string& bootstrap, const std::string& topic) {
  return end_offsets_sum(bootstrap, topic, 3);
}

}  // namespace

TEST_CASE(
    "kafka bridge migration: a consumer group moves from LKSTREAM to Kafka with every record "
    "processed once, preserved offsets stay equal across a SIGKILL, mapped offsets translate") {
  temp_dir dir{"bridge-migration"};
  apache_kafka kafka{dir / "kafka"};
  REQUIRE_MESSAGE(kafka.start(), kafka.error());
  const std::string kb = kafka.bootstrap();
  REQUIRE(create_topic(kb, "events", 3) == "");
  // 10 foreign records per partition: numbered records of another range (>= 1,000,000).
  REQUIRE(produce_numbered(kb, "events", 3, 1000000, 1000000 + foreign * 3) == "");

  const std::string cfg = config(dir, kb);
  auto server = std::make_unique<lkstream_server>(cfg);
  REQUIRE_MESSAGE(server->start(), server->error());
  for (const char* t : {"orders", "events"})
    REQUIRE(produce_numbered(server->bootstrap(), t, 3, 0, first_wave) == "");

  // SIGKILL in the middle of mirroring, then a restart.
  const auto until = after(patience);
  while (kafka_records(kb, "orders") < first_wave / 3 && std::chrono::steady_clock::now() < until) {
    server->drain();
    std::this_thread::sleep_for(20ms);
  }
  server->kill();
  MESSAGE("serve killed with " << kafka_records(kb, "orders") << " of " << first_wave
                               << " orders in Kafka");
  server = std::make_unique<lkstream_server>(cfg);
  REQUIRE_MESSAGE(server->start(), server->error());

  // The application's consumer group reads part of both topics on LKSTREAM and stops.
  // Most of the first wave, so that every partition has a commit (a partition without one
  // is not migrated: the consumers' auto.offset.reset decides there, as on LKSTREAM).
  const size_t read_before = 2 * first_wave - 3000;
  auto before = consume_in_group(server->bootstrap(), "app", {"orders", "events"}, read_before,
                                 patience, "earliest", [&] { server->drain(); });
  REQUIRE(before.size() >= read_before);

  // Producers go on; the first migration pass runs while serve is killed under it.
  for (const char* t : {"orders", "events"})
    REQUIRE(produce_numbered(server->bootstrap(), t, 3, first_wave, total) == "");
  auto killed_pass = std::async(std::launch::async, [&] {
    return run_lkstream({"migrate", "groups", "--to", kb, "--group", "app", "--bootstrap",
                         server->bootstrap()});
  });
  std::this_thread::sleep_for(200ms);
  server->kill();
  auto first_pass = killed_pass.get();
  MESSAGE("migrate pass under SIGKILL: exit " << first_pass.exit_code << ": " << first_pass.err);
  server = std::make_unique<lkstream_server>(cfg);
  REQUIRE_MESSAGE(server->start(), server->error());

  // Cut-over: wait until the mirror caught up (lag 0 over all 3 partitions: right after a
  // restart the sink has no assignment yet and shows lag 0 over none), then migrate.
  for (const char* name : {"to-kafka-orders", "to-kafka-events"}) {
    auto caught_up = [](const nlohmann::json& j) {
      return j.value("lag", -1) == 0 && j.contains("partitions") && j["partitions"].size() == 3;
    };
    auto st = wait_cli_status(*server, name, caught_up, patience);
    INFO(name << ": " << st.dump());
    REQUIRE(caught_up(st));
  }
  REQUIRE(kafka_records(kb, "orders") == total);
  auto migrated = run_lkstream({"migrate", "groups", "--to", kb, "--group", "app", "--bootstrap",
                                server->bootstrap(), "--json"});
  INFO("migrate: " << migrated.out << migrated.err);
  REQUIRE(migrated.exit_code == 0);

  // The same group against Kafka: it must resume from the migrated offsets.
  const size_t rest = static_cast<size_t>(2 * total) - before.size();
  // Records the map mode repeats count toward `rest`: read on until none came for 5 s.
  auto after_move = consume_in_group(kb, "app", {"orders", "events"}, rest, patience, "error",
                                     [&] { server->drain(); }, 5000ms);

  // Every numbered record of both topics processed exactly once, no foreign record.
  std::map<std::string, std::vector<int>> seen{{"orders", std::vector<int>(total, 0)},
                                               {"events", std::vector<int>(total, 0)}};
  int foreign_seen = 0, unexpected = 0;
  for (auto* batch : {&before, &after_move})
    for (auto& r : *batch) {
      const int i = number_of(r);
      if (i >= 1000000) ++foreign_seen;
      else if (i < 0 || i >= total || !seen.count(r.topic)) ++unexpected;
      else ++seen[r.topic][static_cast<size_t>(i)];
    }
  for (auto& [topic, counts] : seen) {
    int missing = 0, twice = 0;
    for (int c : counts) {
      missing += c == 0;
      twice += c > 1;
    }
    INFO(topic << ": " << missing << " missing, " << twice << " processed twice");
    CHECK(missing == 0);
    // preserve: never twice. map: what the bridge resent after each of the two kills (at most
    // one sink batch, 500 records, per restart) may lie after the group's position.
    if (topic == "orders") CHECK(twice == 0);
    else CHECK(twice <= 2 * 500);
    MESSAGE(topic << ": processed twice: " << twice);
  }
  CHECK(foreign_seen == 0);
  CHECK(unexpected == 0);

  // Preserved offsets: every "orders" record sits at its LKSTREAM offset (record i was
  // produced in order to partition i % 3, so its offset is i / 3), none twice.
  auto orders = read_topic(kb, "orders", 3, total, patience, 1s, [&] { server->drain(); });
  auto c = check_numbered(orders, total, 3);
  CHECK(c.complete_and_ordered());
  CHECK(c.duplicates == 0);
  int misplaced = 0;
  for (auto& r : orders) misplaced += number_of(r) >= 0 && r.offset != number_of(r) / 3;
  CHECK(misplaced == 0);

  // Continuous migration (`migrate groups --every`), same Kafka: a second group "audit" reads
  // "orders" on LKSTREAM in two steps while one `--every 1s` process runs. Its first passes
  // fail (the group has no commits yet) without ending the loop; each step's commits then
  // reach Kafka without another invocation (preserved offsets: Kafka's commits equal
  // LKSTREAM's); the process runs until it is stopped.
  child_process every({LKSTREAM_APP, "migrate", "groups", "--to", kb, "--group", "audit",
                       "--every", "1s", "--json", "--bootstrap", server->bootstrap()});
  REQUIRE_MESSAGE(every.started(), every.error());
  int passes = 0;
  auto drain_every = [&] {
    server->drain();
    while (auto line = every.read_line(after(0ms))) passes += !line->empty() && (*line)[0] == '[';
  };
  // The first pass, before the group has any commit.
  for (const auto until = after(patience); passes == 0 && std::chrono::steady_clock::now() < until;) {
    server->drain();
    if (auto line = every.read_line(after(500ms))) passes += !line->empty() && (*line)[0] == '[';
  }
  REQUIRE_MESSAGE(passes == 1, every.stderr_text());
  std::vector<int64_t> previous;
  for (int step = 0; step < 2; ++step) {
    auto got = consume_in_group(server->bootstrap(), "audit", {"orders"}, 3000, patience,
                                "earliest", drain_every);
    REQUIRE(got.size() >= 3000);
    const auto want = committed_offsets(server->bootstrap(), "audit", "orders", 3);
    CHECK(want != previous);  // the step moved the group on
    previous = want;
    std::vector<int64_t> on_kafka;
    for (const auto until = after(patience); std::chrono::steady_clock::now() < until;) {
      drain_every();
      on_kafka = committed_offsets(kb, "audit", "orders", 3);
      if (on_kafka == want) break;
      std::this_thread::sleep_for(200ms);
    }
    INFO("step " << step << ": LKSTREAM " << nlohmann::json(want).dump() << ", Kafka "
                 << nlohmann::json(on_kafka).dump() << "; migrate stderr: "
                 << every.stderr_text());
    CHECK(on_kafka == want);
  }
  drain_every();
  CHECK(passes >= 3);  // the one before the commits, at least one per step
  CHECK(every.stderr_text().find("has no committed offsets") != std::string::npos);
  every.send_signal(SIGTERM);  // still running: --every ends only when interrupted
  auto ended = every.wait(after(60s));
  REQUIRE(ended);
  CHECK(WIFSIGNALED(*ended));
  CHECK_MESSAGE(server->stop(), server->error());
}

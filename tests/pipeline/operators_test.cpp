// Stateless operators, sinks, offsets and dead letters of pipelines, on a real engine.
#include <doctest/doctest.h>

#include <algorithm>
#include <condition_variable>
#include <mutex>
#include <nlohmann/json.hpp>

#include "lkstream/storage/memory_file_system.hpp"
#include "pipeline_test_support.hpp"

using namespace lkstream;
using namespace lkstream::pipeline_test;

namespace {

std::vector<input_record> numbered(int from, int to) {
  std::vector<input_record> v;
  for (int i = from; i < to; ++i) v.push_back({std::nullopt, std::to_string(i), 1000 + i});
  return v;
}

struct reading {
  std::string device;
  double value = 0;
  NLOHMANN_DEFINE_TYPE_INTRUSIVE(reading, device, value)
};

}  // namespace

TEST_CASE(
    "pipeline: from -> map -> filter -> to writes the surviving records in order and "
    "commits the source offsets") {
  test::temp_dir dir;
  auto rt = open_runtime(dir.path());
  produce(rt->get_engine(), "in", numbered(0, 2000));
  pipeline_options po;
  po.stop_at_end = true;
  po.max_batch_records = 64;
  rt->pipeline("slice", po)
      .from<int>("in")
      .map([](const int& i) { return i * 3; })
      .filter([](const int& i) { return i % 2 == 0; })
      .to("out");
  run_to_end(*rt);
  auto out = read_all(rt->get_engine(), "out");
  std::vector<std::string> expected;
  for (int i = 0; i < 2000; ++i)
    if (i * 3 % 2 == 0) expected.push_back(std::to_string(i * 3));
  CHECK(values(out) == expected);
  // Event time is kept: the output timestamp is the input record's.
  REQUIRE(out.size() > 2);
  CHECK(out[1].ts == 1000 + 2);
  auto st = rt->status("slice");
  REQUIRE(st);
  CHECK(st->state == pipeline_state::finished);
  CHECK(st->records_in == 2000);
  CHECK(st->records_out == expected.size());
  CHECK(st->dead_letters == 0);
  CHECK(st->committed[{"in", partition_id{0}}] == 2000);
}

TEST_CASE("pipeline: a restarted pipeline resumes after its committed offsets") {
  test::temp_dir dir;
  auto compose = [](runtime& rt) {
    pipeline_options po;
    po.stop_at_end = true;
    rt.pipeline("resume", po)
        .from("in")
        .map([](const std::string& s) { return s + "!"; })
        .to("out");
  };
  {
    auto rt = open_runtime(dir.path());
    produce(rt->get_engine(), "in", numbered(0, 300));
    compose(*rt);
    run_to_end(*rt);
  }
  {
    auto rt = open_runtime(dir.path());
    produce(rt->get_engine(), "in", numbered(300, 500));
    compose(*rt);
    run_to_end(*rt);
    auto out = values(read_all(rt->get_engine(), "out"));
    REQUIRE(out.size() == 500);  // nothing read twice after a clean stop
    for (int i = 0; i < 500; ++i) CHECK(out[static_cast<size_t>(i)] == std::to_string(i) + "!");
  }
}

TEST_CASE("pipeline: flat_map, peek, key_by, branch and merge") {
  test::temp_dir dir;
  auto rt = open_runtime(dir.path());
  produce(rt->get_engine(), "words",
          {{std::nullopt, "a bb ccc", 10}, {std::nullopt, "dddd e", 20}});
  pipeline_options po;
  po.stop_at_end = true;
  auto peeked = std::make_shared<std::atomic<int>>(0);
  auto words = rt->pipeline("ops", po)
                   .from("words")
                   .flat_map([](const std::string& line) {
                     std::vector<std::string> w;
                     size_t start = 0;
                     while (start <= line.size()) {
                       auto sp = line.find(' ', start);
                       if (sp == std::string::npos) sp = line.size();
                       w.push_back(line.substr(start, sp - start));
                       start = sp + 1;
                     }
                     return w;
                   })
                   .peek([peeked](const std::string&) { ++*peeked; })
                   .key_by([](const std::string& w) { return w.size(); });
  auto parts = words.branch({[](const std::string& w) { return w.size() <= 2; },
                             [](const std::string& w) { return w.size() == 3; }});
  REQUIRE(parts.size() == 2);
  parts[0].to("short");
  parts[1].map([](const std::string& w) { return w + w; }).merge(parts[0]).to("merged");
  run_to_end(*rt);
  CHECK(*peeked == 5);
  auto shorts = read_all(rt->get_engine(), "short");
  CHECK(values(shorts) == std::vector<std::string>{"a", "bb", "e"});
  REQUIRE(shorts.size() == 3);
  CHECK(shorts[1].key == std::optional<std::string>("2"));  // key_by keys the records
  CHECK(shorts[2].ts == 20);
  auto merged = values(read_all(rt->get_engine(), "merged"));
  std::sort(merged.begin(), merged.end());
  CHECK(merged == std::vector<std::string>{"a", "bb", "cccccc", "e"});  // "dddd": no branch
}

TEST_CASE(
    "pipeline: an exception in user code dead-letters the record with its error and "
    "origin offset, and the rest go on") {
  test::temp_dir dir;
  auto rt = open_runtime(dir.path());
  produce(rt->get_engine(), "in", numbered(0, 100));
  pipeline_options po;
  po.stop_at_end = true;
  po.max_batch_records = 16;
  rt->pipeline("dlq", po)
      .from<int>("in")
      .map([](const int& i) {
        if (i % 10 == 7) throw std::runtime_error("seven-ish: " + std::to_string(i));
        return i;
      })
      .to("out");
  run_to_end(*rt);
  auto st = rt->status("dlq");
  REQUIRE(st);
  CHECK(st->dead_letters == 10);
  CHECK(st->records_out == 90);
  CHECK(read_all(rt->get_engine(), "out").size() == 90);
  auto dead = read_all(rt->get_engine(), "pipeline.dlq.dlq");
  REQUIRE(dead.size() == 10);
  for (size_t k = 0; k < dead.size(); ++k) {
    auto j = nlohmann::json::parse(dead[k].value);
    const int i = static_cast<int>(k) * 10 + 7;
    CHECK(j["pipeline"] == "dlq");
    CHECK(j["stage"] == "map");
    CHECK(j["error"] == "seven-ish: " + std::to_string(i));
    CHECK(j["topic"] == "in");
    CHECK(j["partition"] == 0);
    CHECK(j["offset"] == i);
    CHECK(j["timestamp"] == 1000 + i);
  }
  CHECK(st->committed[{"in", partition_id{0}}] == 100);
}

TEST_CASE(
    "pipeline: json serde decodes structs and malformed input goes to the configured "
    "dead-letter topic with the original value") {
  test::temp_dir dir;
  auto rt = open_runtime(dir.path());
  produce(rt->get_engine(), "readings",
          {{std::nullopt, R"({"device":"d1","value":1.5})", 1},
           {std::nullopt, R"({"device":"d2","value":"oops"})", 2},
           {std::nullopt, "not json", 3},
           {std::nullopt, R"({"device":"d1","value":4})", 4}});
  pipeline_options po;
  po.stop_at_end = true;
  po.dead_letter_topic = "bad-readings";
  rt->pipeline("json", po)
      .from<reading>("readings", json_serde<reading>())
      .map([](const reading& r) {
        return reading{r.device, r.value * 2};
      })
      .to("doubled");
  run_to_end(*rt);
  auto out = read_all(rt->get_engine(), "doubled");
  REQUIRE(out.size() == 2);
  CHECK(nlohmann::json::parse(out[0].value) == nlohmann::json{{"device", "d1"}, {"value", 3.0}});
  CHECK(nlohmann::json::parse(out[1].value) == nlohmann::json{{"device", "d1"}, {"value", 8.0}});
  auto dead = read_all(rt->get_engine(), "bad-readings");
  REQUIRE(dead.size() == 2);
  auto j1 = nlohmann::json::parse(dead[0].value);
  CHECK(j1["stage"] == "from(readings)");
  CHECK(j1["offset"] == 1);
  CHECK(j1["value"] == R"({"device":"d2","value":"oops"})");
  CHECK(std::string(j1["error"]).find("number") != std::string::npos);
  auto j2 = nlohmann::json::parse(dead[1].value);
  CHECK(j2["offset"] == 2);
  CHECK(j2["value"] == "not json");
  CHECK(rt->status("json")->dead_letters == 2);
}

TEST_CASE("pipeline: a stalled for_each sink stops the source at max_in_flight_batches") {
  test::temp_dir dir;
  auto rt = open_runtime(dir.path());
  produce(rt->get_engine(), "in", numbered(0, 5000));
  struct gate {
    std::mutex m;
    std::condition_variable cv;
    bool open = false;
    std::vector<std::string> seen;
  };
  auto g = std::make_shared<gate>();
  pipeline_options po;
  po.stop_at_end = true;
  po.max_batch_records = 10;
  po.max_in_flight_batches = 4;
  rt->pipeline("stall", po)
      .from("in")
      .map([](const std::string& s) { return s; })
      .for_each([g](const std::string& s) {
        std::unique_lock<std::mutex> lk(g->m);
        g->cv.wait(lk, [&] { return g->open; });
        g->seen.push_back(s);
      });
  REQUIRE(rt->start());
  auto st = rt->wait_for(
      "stall", [](const pipeline_status& s) { return s.batches_in_flight >= 4; }, 60s);
  REQUIRE(st);
  REQUIRE(st->batches_in_flight == 4);
  // Give the source every chance to overrun the bound: it must stay put while the sink stalls.
  auto later = rt->wait_for(
      "stall", [](const pipeline_status& s) { return s.records_in > 40; }, 500ms);
  REQUIRE(later);
  CHECK(later->records_in <= 40);
  CHECK(later->max_batches_in_flight <= 4);
  CHECK(later->committed.empty());
  {
    std::lock_guard<std::mutex> lk(g->m);
    g->open = true;
  }
  g->cv.notify_all();
  run_to_end(*rt);
  auto done = rt->status("stall");
  CHECK(done->max_batches_in_flight <= 4);
  CHECK(done->records_out == 5000);
  std::lock_guard<std::mutex> lk(g->m);
  REQUIRE(g->seen.size() == 5000);
  for (int i = 0; i < 5000; ++i) CHECK(g->seen[static_cast<size_t>(i)] == std::to_string(i));
}

TEST_CASE("pipeline: composition errors are reported by start() with every problem") {
  test::temp_dir dir;
  auto rt = open_runtime(dir.path());
  auto p = rt->pipeline("bad name!");
  p.from_connector("nope").to_connector("missing");
  auto st = rt->start();
  REQUIRE_FALSE(st);
  auto msg = st.err().message;
  CHECK(msg.find("no [[connector]] named \"nope\"") != std::string::npos);
  CHECK(msg.find("no [[connector]] named \"missing\"") != std::string::npos);
  CHECK(msg.find("[A-Za-z0-9._-]") != std::string::npos);
}

TEST_CASE("pipeline: a failed sink append fails the pipeline and commits nothing after it") {
  auto fs = std::make_shared<storage::memory_file_system>();
  runtime_options ro;
  ro.engine.config = test_config("/mem/data");
  ro.engine.fs = fs;
  auto rt = runtime::open(std::move(ro));
  REQUIRE_MESSAGE(rt, (rt ? "" : rt.err().to_string()));
  produce((*rt)->get_engine(), "in", numbered(0, 100));
  REQUIRE((*rt)->get_engine().create_topic("out", 1));
  fs->fail_next_append(errc::no_space, "out-0/");  // the sink's first append: disk full
  pipeline_options po;
  po.stop_at_end = true;
  (*rt)->pipeline("doomed", po).from("in").to("out");
  auto st = (*rt)->run();
  REQUIRE_FALSE(st);
  CHECK(st.err().message.find("doomed") != std::string::npos);
  auto s = (*rt)->status("doomed");
  REQUIRE(s);
  CHECK(s->state == pipeline_state::failed);
  CHECK(s->last_error.find("append to out failed") != std::string::npos);
  CHECK(s->committed.empty());  // the records are read again by the next run
  CHECK(s->records_out == 0);
}

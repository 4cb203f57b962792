// Stateful keyed operators: event-time windows (tumbling, sliding, lateness), aggregate /
// reduce / count, scan, keyed parallelism, and state restored from the changelog.
#include <doctest/doctest.h>

#include <map>
#include <nlohmann/json.hpp>

#include "pipeline_test_support.hpp"

using namespace lkstream;
using namespace lkstream::pipeline_test;

namespace {

struct win {
  std::string key;
  int64_t start;
  int64_t end;
  double value;
  friend auto operator<=>(const win&, const win&) = default;
};

std::vector<win> windows_of(engine& eng, const std::string& topic) {
  std::vector<win> out;
  for (auto& r : read_all(eng, topic)) {
    auto j = nlohmann::json::parse(r.value);
    out.push_back({j["key"], j["start"], j["end"], j["value"]});
    CHECK(r.key == std::optional<std::string>(std::string(j["key"])));
    CHECK(r.ts == int64_t(j["end"]) - 1);
  }
  std::sort(out.begin(), out.end());
  return out;
}

struct keyed_int {
  std::string key;
  int64_t v = 0;
};

keyed_int parse_kv(const std::string& s) {
  auto c = s.find(',');
  if (c == std::string::npos) throw std::invalid_argument("no comma in \"" + s + "\"");
  return {s.substr(0, c), std::stoll(s.substr(c + 1))};
}

struct sum_agg {
  int64_t init() const { return 0; }
  void add(int64_t& acc, const keyed_int& r) const { acc += r.v; }
  double result(const int64_t& acc) const { return static_cast<double>(acc); }
};

}  // namespace

TEST_CASE(
    "pipeline: tumbling windows count per key, take out-of-order records within the "
    "allowed lateness and drop later ones") {
  test::temp_dir dir;
  auto rt = open_runtime(dir.path());
  // One record per batch, so the watermark moves record by record.
  produce(rt->get_engine(), "events",
          {{"a", "a,1", 100},
           {"b", "b,1", 200},
           {"a", "a,1", 1100},
           {"a", "a,1", 900},   // out of order, window [0,1000) still open (lateness 500)
           {"b", "b,1", 1600},  // watermark 1600 >= 1000 + 500: [0,1000) fires
           {"a", "a,1", 950},   // late: its window fired
           {"a", "a,1", 2600}});
  pipeline_options po;
  po.stop_at_end = true;
  po.max_batch_records = 1;
  rt->pipeline("tumble", po)
      .from("events")
      .map(parse_kv)
      .key_by([](const keyed_int& r) { return r.key; })
      .window(tumbling(std::chrono::seconds(1)).allowed_lateness(std::chrono::milliseconds(500)))
      .count()
      .to("counts");
  run_to_end(*rt);
  CHECK(windows_of(rt->get_engine(), "counts") == std::vector<win>{{"a", 0, 1000, 2},
                                                                   {"a", 1000, 2000, 1},
                                                                   {"a", 2000, 3000, 1},
                                                                   {"b", 0, 1000, 1},
                                                                   {"b", 1000, 2000, 1}});
  auto st = rt->status("tumble");
  CHECK(st->late_records == 1);
  CHECK(st->checkpoints > 0);
}

TEST_CASE("pipeline: sliding windows aggregate every window a record falls into") {
  test::temp_dir dir;
  auto rt = open_runtime(dir.path());
  produce(rt->get_engine(), "events",
          {{"k", "k,1", 500}, {"k", "k,10", 1500}, {"k", "k,100", 2500}});
  pipeline_options po;
  po.stop_at_end = true;
  rt->pipeline("slide", po)
      .from("events")
      .map(parse_kv)
      .key_by([](const keyed_int& r) { return r.key; })
      .window(sliding(std::chrono::seconds(2), std::chrono::seconds(1)))
      .aggregate(sum_agg{})
      .to("sums");
  run_to_end(*rt);
  CHECK(windows_of(rt->get_engine(), "sums") == std::vector<win>{{"k", -1000, 1000, 1},
                                                                 {"k", 0, 2000, 11},
                                                                 {"k", 1000, 3000, 110},
                                                                 {"k", 2000, 4000, 100}});
}

TEST_CASE("pipeline: window reduce folds the records of each window") {
  test::temp_dir dir;
  auto rt = open_runtime(dir.path());
  produce(rt->get_engine(), "events",
          {{"x", "x,5", 10}, {"x", "x,9", 20}, {"x", "x,2", 30}, {"y", "y,4", 1010}});
  pipeline_options po;
  po.stop_at_end = true;
  std::vector<std::pair<std::string, int64_t>> maxima;
  std::mutex m;
  rt->pipeline("reduce", po)
      .from("events")
      .map([](const std::string& s) { return parse_kv(s).v; })
      .key_by([](const int64_t& v) { return v % 2 == 0 ? "even" : "odd"; })
      .window(tumbling(std::chrono::seconds(10)))
      .reduce([](const int64_t& a, const int64_t& b) { return std::max(a, b); })
      .for_each([&](const window_result<int64_t>& w) {
        std::lock_guard<std::mutex> g(m);
        maxima.emplace_back(w.key, w.value);
      });
  run_to_end(*rt);
  std::sort(maxima.begin(), maxima.end());
  CHECK(maxima == std::vector<std::pair<std::string, int64_t>>{{"even", 4}, {"odd", 9}});
}

TEST_CASE("pipeline: keyed parallelism spreads keys over instances and keeps per-key order") {
  test::temp_dir dir;
  auto rt = open_runtime(dir.path());
  constexpr int keys = 40;
  constexpr int per_key = 50;
  std::vector<input_record> in;
  for (int i = 0; i < per_key; ++i)
    for (int k = 0; k < keys; ++k)
      in.push_back({std::nullopt, "key" + std::to_string(k) + "," + std::to_string(i + 1), i});
  produce(rt->get_engine(), "seq", in);
  pipeline_options po;
  po.stop_at_end = true;
  po.max_batch_records = 37;
  // scan checks the order itself: a sequence gap throws (a dead letter would show it).
  rt->pipeline("order", po)
      .from("seq")
      .map(parse_kv)
      .key_by([](const keyed_int& r) { return r.key; })
      .parallelism(4)
      .scan(int64_t{0},
            [](const int64_t& last, const keyed_int& r) {
              if (r.v != last + 1) throw std::logic_error("out of order");
              return r.v;
            })
      .to("seq.out");
  run_to_end(*rt);
  auto st = rt->status("order");
  CHECK(st->dead_letters == 0);
  std::map<std::string, std::vector<int64_t>> per;
  for (auto& r : read_all(rt->get_engine(), "seq.out")) per[*r.key].push_back(std::stoll(r.value));
  REQUIRE(per.size() == keys);
  for (auto& [k, v] : per) {
    REQUIRE(v.size() == per_key);
    for (int i = 0; i < per_key; ++i) CHECK(v[static_cast<size_t>(i)] == i + 1);
  }
  // Four instances, one changelog partition each.
  auto cl = rt->get_engine().describe_topic("pipeline.order.changelog");
  REQUIRE(cl);
  CHECK(cl->partitions.size() == 4);
}

TEST_CASE(
    "pipeline: window state survives a restart through the changelog and no record is "
    "counted twice") {
  test::temp_dir dir;
  auto compose = [](runtime& rt) {
    pipeline_options po;
    po.stop_at_end = true;
    rt.pipeline("resume", po)
        .from("events")
        .map(parse_kv)
        .key_by([](const keyed_int& r) { return r.key; })
        .window(tumbling(std::chrono::seconds(10)))
        .aggregate(sum_agg{})
        .to("sums");
  };
  {
    // The first run ends at the end of the input: every open window fires...
    auto rt = open_runtime(dir.path());
    produce(rt->get_engine(), "events", {{"a", "a,1", 100}, {"a", "a,2", 200}});
    compose(*rt);
    run_to_end(*rt);
    CHECK(windows_of(rt->get_engine(), "sums") == std::vector<win>{{"a", 0, 10000, 3}});
  }
  {
    // ... so a second run must neither re-emit it nor count its records again.
    auto rt = open_runtime(dir.path());
    produce(rt->get_engine(), "events", {{"a", "a,5", 10100}});
    compose(*rt);
    run_to_end(*rt);
    CHECK(windows_of(rt->get_engine(), "sums") ==
          std::vector<win>{{"a", 0, 10000, 3}, {"a", 10000, 20000, 5}});
  }
  {
    // A different parallelism cannot reuse the state: refused with a clear error.
    auto rt = open_runtime(dir.path());
    pipeline_options po;
    po.stop_at_end = true;
    po.parallelism = 3;
    rt->pipeline("resume", po)
        .from("events")
        .map(parse_kv)
        .key_by([](const keyed_int& r) { return r.key; })
        .window(tumbling(std::chrono::seconds(10)))
        .aggregate(sum_agg{})
        .to("sums");
    auto st = rt->start();
    REQUIRE_FALSE(st);
    CHECK(st.err().message.find("changelog") != std::string::npos);
  }
}

// broker.max_open_files through the public engine: many partitions written and read hold no
// more segment and index descriptors than the budget, and nothing is lost on the way (issue 23,
// item 1).
#include <doctest/doctest.h>

#include <chrono>
#include <string>

#include "actors/engine_harness.hpp"
#include "lkstream/consumer.hpp"
#include "lkstream/process/open_files.hpp"
#include "lkstream/producer.hpp"
#include "test_util.hpp"

using namespace lkstream;
using namespace std::chrono_literals;

namespace {

std::unique_ptr<engine> open_budgeted(const std::string& dir, int64_t max_open_files) {
  engine_options o;
  auto cfg = config::defaults();
  cfg.broker.data_dir = dir;
  cfg.broker.max_open_files = max_open_files;
  cfg.topic_defaults.log.segment_bytes = 4096;  // several segments per partition
  o.config = cfg;
  return test::open_engine(std::move(o));
}

// Reads every partition of topics t0..t(n-1) from the start; returns the records seen.
int read_everything(engine& eng, int topics, int expected) {
  auto c = eng.make_consumer({.auto_offset_reset = offset_reset::earliest});
  REQUIRE(c);
  std::vector<topic_partition> all;
  for (int t = 0; t < topics; ++t) all.push_back({"t" + std::to_string(t), partition_id{0}});
  REQUIRE((*c)->assign(all));
  int seen = 0;
  const auto deadline = std::chrono::steady_clock::now() + 60s;
  while (seen < expected && std::chrono::steady_clock::now() < deadline) {
    auto rs = (*c)->poll(100ms);
    REQUIRE(rs);
    seen += static_cast<int>(rs->size());
  }
  return seen;
}

}  // namespace

TEST_CASE("engine: 60 partitions written and read hold at most broker.max_open_files = 16 "
          "descriptors, before and after a restart") {
  test::temp_dir dir;
  constexpr int topics = 60, per_topic = 40;
  const std::string value(300, 'v');
  uint64_t baseline = 0;
  {
    auto eng = open_budgeted(dir.path(), 16);
    baseline = process::count_open_files();
    for (int t = 0; t < topics; ++t) REQUIRE(eng->create_topic("t" + std::to_string(t), 1));
    auto prod = eng->make_producer({.linger_ms = 0});
    for (int i = 0; i < per_topic; ++i)
      for (int t = 0; t < topics; ++t)
        REQUIRE(prod->send({.topic = "t" + std::to_string(t), .value = as_bytes(value)}));
    REQUIRE(prod->flush(60s));
    const auto after_writes = eng->storage_files();
    CHECK(after_writes.max_open_files == 16);
    CHECK(after_writes.open_files <= 16);
    CHECK(after_writes.evictions > 0);
    CHECK(process::count_open_files() <= baseline + 16);
    CHECK(read_everything(*eng, topics, topics * per_topic) == topics * per_topic);
    CHECK(eng->storage_files().open_files <= 16);
    CHECK(eng->describe_topic("t0")->partitions[0].segments > 1);
    REQUIRE(eng->close());
  }
  auto eng = open_budgeted(dir.path(), 16);  // recovery opens every segment, within the budget
  CHECK(eng->storage_files().open_files <= 16);
  CHECK(read_everything(*eng, topics, topics * per_topic) == topics * per_topic);
  CHECK(eng->storage_files().open_files <= 16);
}

// A pipeline whose source is a compacted topic: after the engine's cleaner compacted it, the
// pipeline reads across the offset gaps to the end (stop_at_end), writes exactly the records
// the topic still holds, in offset order, and commits the source's end offset.
#include <doctest/doctest.h>

#include <map>

#include "pipeline_test_support.hpp"

using namespace lkstream;
using namespace lkstream::pipeline_test;

TEST_CASE("pipeline: a compacted source is read across its offset gaps to the end") {
  test::temp_dir dir;
  auto rt = open_runtime(dir.path());
  auto& eng = rt->get_engine();
  auto s = eng.configuration().topic_defaults;
  s.log.cleanup = storage::cleanup_policy::compact;
  s.log.segment_bytes = 1024;
  s.log.min_cleanable_dirty_ratio = 0.01;
  REQUIRE(eng.create_topic("in", s));
  for (int round = 0; round < 20; ++round) {  // one batch per round: many segments
    std::vector<input_record> recs;
    for (int k = 0; k < 10; ++k)
      recs.push_back({"sym-" + std::to_string(k),
                      "px-" + std::to_string(round) + "-" + std::to_string(k), 1000 + round});
    produce(eng, "in", recs, 0);
  }
  auto cleaned = eng.run_cleaning();
  REQUIRE_MESSAGE(cleaned, (cleaned ? "" : cleaned.err().to_string()));
  REQUIRE(*cleaned == 1);
  const auto compacted = read_all(eng, "in");
  REQUIRE(compacted.size() < 200);
  REQUIRE(compacted.front().offset >= 10);  // round 0 is superseded: a gap at the start

  pipeline_options po;
  po.stop_at_end = true;
  po.max_batch_records = 7;
  rt->pipeline("copy", po).from("in").map([](const std::string& v) { return v; }).to("out");
  run_to_end(*rt);
  const auto out = read_all(eng, "out");
  CHECK(values(out) == values(compacted));
  auto st = rt->status("copy");
  REQUIRE(st);
  CHECK(st->records_in == compacted.size());
  CHECK(st->committed[{"in", partition_id{0}}] == 200);
}

#pragma once
// Helpers of the pipeline tests: a runtime on a fresh data directory, producing test input and
// reading a whole topic back through the public embedded API.

#include <doctest/doctest.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "lkstream/consumer.hpp"
#include "lkstream/engine.hpp"
#include "lkstream/pipeline.hpp"
#include "lkstream/producer.hpp"
#include "test_util.hpp"

namespace lkstream::pipeline_test {

using namespace std::chrono_literals;

struct input_record {
  std::optional<std::string> key;
  std::string value;
  timestamp_ms ts = -1;
};

struct output_record {
  std::optional<std::string> key;
  std::string value;
  timestamp_ms ts = 0;
  int32_t partition = 0;
  int64_t offset = 0;
};

/// A TOML configuration with the data dir and fast (non-fsync) topic defaults.
inline config::config test_config(const std::string& data_dir, int32_t partitions = 1) {
  auto text = "[broker]\ndata_dir = \"" + data_dir +
              "\"\nworker_threads = 2\n[topic_defaults]\nfsync = \"never\"\npartitions = " +
              std::to_string(partitions) + "\n";
  auto cfg = config::parse(text, "pipeline-test.toml");
  REQUIRE_MESSAGE(cfg, (cfg ? "" : cfg.err().to_string()));
  return *cfg;
}

inline std::unique_ptr<runtime> open_runtime(const std::string& data_dir, int32_t partitions = 1) {
  runtime_options ro;
  ro.engine.config = test_config(data_dir, partitions);
  auto rt = runtime::open(std::move(ro));
  REQUIRE_MESSAGE(rt, (rt ? "" : rt.err().to_string()));
  return std::move(*rt);
}

inline void produce(engine& eng, const std::string& topic, const std::vector<input_record>& recs,
                    int32_t partition = -1) {
  if (!eng.describe_topic(topic))
    REQUIRE(eng.create_topic(topic, eng.configuration().topic_defaults));
  auto prod = eng.make_producer();
  for (auto& r : recs) {
    producer_record pr;
    pr.topic = topic;
    if (r.key) pr.key = as_bytes(*r.key);
    pr.value = as_bytes(r.value);
    pr.timestamp = r.ts;
    pr.partition = partition;
    REQUIRE(prod->send(pr));
  }
  REQUIRE(prod->flush(std::chrono::milliseconds(30000)));
}

/// Every record of every partition of `topic` (partition order, then offset order).
inline std::vector<output_record> read_all(engine& eng, const std::string& topic) {
  std::vector<output_record> out;
  auto info = eng.describe_topic(topic);
  if (!info) return out;
  for (auto& p : info->partitions) {
    if (p.end_offset == p.log_start) continue;
    auto cons = eng.make_consumer({});
    REQUIRE(cons);
    topic_partition tp{topic, partition_id{p.partition}};
    REQUIRE((*cons)->assign({tp}));
    REQUIRE((*cons)->seek(tp, p.log_start));
    const auto deadline = std::chrono::steady_clock::now() + 30s;
    int64_t next = p.log_start;
    while (next < p.end_offset && std::chrono::steady_clock::now() < deadline) {
      auto rs = (*cons)->poll(200ms);
      REQUIRE(rs);
      for (auto& r : *rs) {
        output_record o;
        if (r.key) o.key = std::string(as_string_view(*r.key));
        o.value = r.value ? std::string(as_string_view(*r.value)) : std::string();
        o.ts = r.timestamp;
        o.partition = r.partition;
        o.offset = r.offset;
        out.push_back(std::move(o));
        next = r.offset + 1;
      }
    }
    REQUIRE_MESSAGE(next >= p.end_offset, "could not read " << topic << " to its end");
  }
  return out;
}

inline std::vector<std::string> values(const std::vector<output_record>& recs) {
  std::vector<std::string> v;
  for (auto& r : recs) v.push_back(r.value);
  return v;
}

/// Runs every composed pipeline of a runtime to its end (they must use stop_at_end).
inline void run_to_end(runtime& rt) {
  auto st = rt.run();
  REQUIRE_MESSAGE(st, (st ? "" : st.err().to_string()));
}

}  // namespace lkstream::pipeline_test

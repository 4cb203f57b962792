#pragma once
// Request helpers shared by the raw-socket listener tests (kafka_listener_test.cpp,
// kafka_bad_input_test.cpp): one request, its decoded answer, on a raw_client.
#include "kafka_test_support.hpp"

namespace lkstream::kafka_test::listener {

using kafka::error_code;

// The healthy-connection probe: ApiVersions v3 answered with this broker's table.
inline void check_answers(raw_client& c) {
  auto id = c.send(kafka::api_versions_request{"probe", "1.0"}, 3);
  auto r = c.receive<kafka::api_versions_response>(3, id);
  CHECK(r.error == error_code::none);
  CHECK(r.api_keys.size() == kafka::supported_apis.size());
}

inline void check_serving(broker& b) {
  raw_client c(b.port());
  check_answers(c);
}

inline kafka::metadata_response metadata(raw_client& c, std::vector<std::string> topics,
                                         int16_t v = 4) {
  kafka::metadata_request rq;
  rq.topics.emplace();
  for (auto& t : topics) rq.topics->push_back({t});
  auto id = c.send(rq, v);
  return c.receive<kafka::metadata_response>(v, id);
}

inline kafka::produce_partition_response produce(raw_client& c, const std::string& topic,
                                                 int32_t p, const bytes& batch) {
  auto id = c.send(produce_one(topic, p, batch), 7);
  auto r = c.receive<kafka::produce_response>(7, id);
  REQUIRE(r.responses.size() == 1);
  REQUIRE(r.responses[0].partitions.size() == 1);
  return r.responses[0].partitions[0];
}

inline kafka::fetch_partition_response fetch(raw_client& c, const std::string& topic,
                                             int64_t offset, int32_t max_bytes,
                                             int32_t max_wait_ms = 0,
                                             int32_t partition_max_bytes = 1 << 20) {
  kafka::fetch_request rq;
  rq.max_wait_ms = max_wait_ms;
  rq.min_bytes = 1;
  rq.max_bytes = max_bytes;
  rq.topics.push_back({topic, {{0, -1, offset, -1, partition_max_bytes}}});
  auto id = c.send(rq, 11);
  auto r = c.receive<kafka::fetch_response>(11, id, std::chrono::seconds(20));
  REQUIRE(r.responses.size() == 1);
  REQUIRE(r.responses[0].partitions.size() == 1);
  return std::move(r.responses[0].partitions[0]);
}

inline std::vector<model::batch_header> batches_in(const kafka::fetch_partition_response& p) {
  std::vector<model::batch_header> out;
  for (auto& chunk : p.records) {
    bytes_view rest = chunk.data;
    while (!rest.empty()) {
      auto h = model::validate_batch(rest.first(model::read_header(rest)->size_bytes()));
      REQUIRE_MESSAGE(h, (h ? "" : h.err().message));
      out.push_back(*h);
      rest = rest.subspan(h->size_bytes());
    }
  }
  return out;
}


}  // namespace lkstream::kafka_test::listener

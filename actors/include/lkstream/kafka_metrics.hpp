#pragma once
// What the Kafka listeners of this process served, per Kafka API, for a metrics endpoint
// (GET /metrics of lkstream::http_server). Counted by the listeners' io threads with relaxed
// atomic adds into fixed arrays: no lock and no allocation per request.
//
// Scope: process-wide, the sum over every kafka_listener the process runs (`lkstream serve`
// runs one). Counters only grow; a snapshot reads them one by one, not as one consistent cut.

#include <cstdint>
#include <string>
#include <vector>

#include "lkstream/metrics/histogram.hpp"

namespace lkstream {

struct api_request_stats {
  int16_t api_key = 0;
  std::string name;         // Kafka's name of the API: "Produce", "Fetch", ...
  uint64_t requests = 0;    // requests decoded and handed to their handler
  uint64_t responses = 0;   // responses encoded (acks=0 Produce has none)
  uint64_t bytes_in = 0;    // request frames, size prefix included
  uint64_t bytes_out = 0;   // response frames, size prefix included
  /// Decoded request -> encoded response (a Fetch parked for data counts its wait).
  metrics::latency_histogram::snapshot latency;
};

/// Every API that has had at least one request, by api key. Any thread.
std::vector<api_request_stats> kafka_request_stats();

}  // namespace lkstream

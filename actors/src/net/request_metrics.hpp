#pragma once
// request_metrics: the counters behind lkstream/kafka_metrics.hpp, bumped by connection.cpp on
// the io thread: a request when it is decoded, a response when it is encoded. Fixed arrays
// indexed by api key, relaxed atomics: no lock, no allocation per request.
//
// Latency needs the time a request was decoded when its response is encoded. Rather than a
// field in each pending request, a small direct-mapped table per io thread keeps the start
// times, keyed by (connection id, request sequence): no allocation and nothing added to the
// connection's layout. A request whose slot was taken by another before it completed (more
// than `start_slots` requests in flight on one io thread, or a hash collision) is counted
// without a latency sample: the histogram's count may be below the response count, never
// wrong.

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>

#include "lkstream/kafka/api_key.hpp"
#include "lkstream/metrics/histogram.hpp"

namespace lkstream::net {

struct request_metrics {
  static constexpr size_t api_slots = 128;  // api keys 0..127 (Kafka's highest today is ~90)

  struct per_api {
    std::atomic<uint64_t> requests{0};
    std::atomic<uint64_t> responses{0};
    std::atomic<uint64_t> bytes_in{0};
    std::atomic<uint64_t> bytes_out{0};
    metrics::latency_histogram latency;
  };
  std::array<per_api, api_slots> apis;

  /// The process's counters.
  static request_metrics& instance() noexcept;

  /// A request of `key`, `frame_bytes` after the size prefix, decoded now: request `seq` of
  /// connection `connection_id`.
  void on_request(kafka::api_key key, size_t frame_bytes, uint64_t connection_id,
                  uint64_t seq) noexcept;
  /// Its response, `bytes` long (size prefix included; 0: none).
  void on_response(kafka::api_key key, size_t bytes, uint64_t connection_id,
                   uint64_t seq) noexcept;
};

}  // namespace lkstream::net

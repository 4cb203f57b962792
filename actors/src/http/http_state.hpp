#pragma once
// What the HTTP handlers share (http_server.cpp builds it, metrics_page.cpp and api_v1.cpp
// read it): the borrowed engine, Kafka listener and connector host, readiness, and the
// server's own request counters. Handlers run on cpp-httplib's worker threads.

#include <array>
#include <atomic>
#include <cstdint>
#include <string>

#include "lkstream/connector_host.hpp"
#include "lkstream/engine.hpp"
#include "lkstream/http_server.hpp"
#include "lkstream/kafka_listener.hpp"
#include "lkstream/kafka_metrics.hpp"

namespace lkstream::http {

struct http_state {
  engine& eng;
  kafka_listener* listener;
  connector_host* connectors;
  http_server_options opts;
  std::string bound_address;
  int64_t started_ms = 0;  // wall clock at start
  std::atomic<bool> ready{false};
  /// Responses by status class: [0] 1xx .. [4] 5xx (lkstream_http_responses_total).
  std::array<std::atomic<uint64_t>, 5> responses{};
};

/// GET /metrics: the Prometheus text exposition of everything the engine, the listener, the
/// connector host and the process report (docs/operations.md lists the metrics).
std::string render_metrics(http_state& st);

}  // namespace lkstream::http

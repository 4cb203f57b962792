#pragma once
// The HTTP listener of an engine (`serve --http-listen`, default 127.0.0.1:9644): Prometheus
// metrics, health probes, a JSON API and the built-in web console. docs/http-api.md lists the
// endpoints, docs/operations.md the metrics.
//
//   auto http = lkstream::http_server::start(eng, {.listen = "127.0.0.1:9644",
//                                                  .listener = kafka.get()});
//   if (!http) { std::cerr << http.err().to_string() << '\n'; return 1; }
//   ...
//   (*http)->stop();          // before the listener, the connector host and the engine go
//
//   GET  /metrics                     Prometheus text format 0.0.4
//   GET  /health/live                 200 while the process serves HTTP
//   GET  /health/ready                200 once ready (set_ready), 503 before and while stopping
//   GET  /api/v1/...                  JSON (topics, partitions, groups with lag, connectors,
//                                     broker configuration, records)
//   POST/DELETE /api/v1/...           create/delete a topic, reset a group's offsets
//   GET  /, /console/...              the web console (assets built into the binary)
//
// Threading: cpp-httplib (Debian's libcpp-httplib) runs its own accept thread and a small pool
// of worker threads; handlers read the engine through its public API (blocking requests to
// its actors, never on an actor thread) and relaxed counters of the Kafka listener. Nothing
// here runs on the actors' threads or on the Kafka io thread.
//
// Lifetime: borrows the engine, the Kafka listener and the connector host given in the
// options; stop() (or destroy) the server before any of them. An engine closed while the
// server runs stops it first (a close hook), as the Kafka listener does.
//
// Security: no TLS and no authentication yet (the security issue adds them). start() logs
// that once; bind it to a loopback address. Write requests need `Content-Type:
// application/json`, which a cross-site form cannot send without a CORS preflight (that this
// server never grants), so a web page elsewhere cannot make a browser change the broker.
//
// Bad input: request lines and header sections over 8 KiB, bodies over max_body_bytes,
// unknown paths and bad query parameters get a 4xx with a JSON or text reason; a client that
// sends nothing for read_timeout_ms is disconnected. None of it touches the Kafka listener.

#include <cstdint>
#include <memory>
#include <string>

#include "lkstream/base/result.hpp"

namespace lkstream {

class engine;
class kafka_listener;
class connector_host;

struct http_server_options {
  std::string listen = "127.0.0.1:9644";  // HOST:PORT; port 0 picks a free port
  kafka_listener* listener = nullptr;     // connections, per-API requests; null = none
  connector_host* connectors = nullptr;   // connector status; null = none
  bool ready_at_start = true;             // false: /health/ready answers 503 until set_ready
  uint32_t worker_threads = 8;            // connections served at once (keep-alive included)
  uint64_t max_body_bytes = 1 << 20;      // larger request bodies: 413
  int64_t read_timeout_ms = 5000;         // a client silent this long is disconnected
  uint32_t max_records = 500;             // most records one record-browsing request returns
  std::string version;                    // shown by /api/v1/broker ("" = the library's)
};

class http_server {
 public:
  /// Binds and starts serving. Errors: invalid_argument for an address that does not parse,
  /// io_error naming the address when it cannot bind, closed when the engine is closed.
  static result<std::unique_ptr<http_server>> start(engine& eng, http_server_options opts);

  ~http_server();  // stop()
  http_server(const http_server&) = delete;
  http_server& operator=(const http_server&) = delete;

  /// "HOST:PORT" actually bound (the real port when listen asked for port 0).
  std::string bound_address() const;
  uint16_t bound_port() const;

  /// What /health/ready answers: 200 when true, 503 when false. Any thread.
  void set_ready(bool ready);

  /// Stops accepting, finishes the requests being served and joins the server's threads.
  /// Idempotent; any thread but the server's own.
  void stop();

  struct impl;

 private:
  explicit http_server(std::unique_ptr<impl> i);
  std::unique_ptr<impl> impl_;
};

}  // namespace lkstream

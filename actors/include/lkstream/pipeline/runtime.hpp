#pragma once
// runtime: an engine plus the pipelines composed on it, and (optionally) the configured
// connectors and the Kafka listener: a program that links lkstream and uses a runtime is an
// `lkstream serve` with its own pipelines.
//
//   auto rt = lkstream::runtime::open({.engine = {.config_file = "lkstream.toml"}});
//   if (!rt) { std::cerr << rt.err().to_string() << "\n"; return 1; }
//   (*rt)->pipeline("vwap").from<tick>("ticks").key_by(...).window(...).aggregate(...)
//       .to("vwap.1s");
//   return (*rt)->run() ? 0 : 1;   // until stop(), or until bounded pipelines finish
//
// Threading: pipeline() and start() from one thread before/while running; status(),
// wait_for() and stop() from any thread. Lifetime: stop() (or the destructor) stops pipelines,
// then connectors and listener, then closes an owned engine. An attached engine must outlive
// the runtime.
// Errors: start() reports graph misuse (unknown connector, fan-out of a move-only type),
// missing topics, and changelog state that does not fit the graph; nothing is started then.

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "lkstream/base/result.hpp"
#include "lkstream/engine.hpp"
#include "lkstream/pipeline/options.hpp"
#include "lkstream/pipeline/pipeline_builder.hpp"

namespace lkstream {

class connector_host;

struct runtime_options {
  engine_options engine;
  /// Run the configuration's [[connector]] entries (connector host) while started.
  bool start_connectors = true;
  /// Serve the Kafka protocol on broker.listen while started (like `lkstream serve`).
  bool serve_kafka = false;
};

class runtime {
 public:
  struct impl;

  /// Opens an engine (owned by the runtime) from the options.
  static result<std::unique_ptr<runtime>> open(runtime_options opts);
  /// A runtime over an engine the caller owns (e.g. next to a connector host or listener it
  /// runs itself); connectors/listener are then the caller's business.
  static std::unique_ptr<runtime> attach(engine& eng);

  ~runtime();
  runtime(const runtime&) = delete;
  runtime& operator=(const runtime&) = delete;

  engine& get_engine();
  /// The connector host the runtime started (open() with start_connectors and at least one
  /// [[connector]]), after start(); nullptr otherwise.
  connector_host* connectors();
  /// HOST:PORT the Kafka listener is bound to (serve_kafka, after start()); empty otherwise.
  std::string kafka_address() const;

  /// Starts composing pipeline `name` ([A-Za-z0-9._-]+, unique in the runtime).
  pipeline_builder pipeline(std::string name, pipeline_options opts = {});

  /// Starts every composed pipeline not yet started (and connectors/listener on first call).
  lkstream::status start();
  /// start(), then blocks until every pipeline finished or failed, or stop() was called.
  /// An error if any pipeline failed (naming it and its first error).
  lkstream::status run();
  /// Stops every pipeline (in-flight batches drain for drain_timeout, offsets of what completed
  /// are committed), then connectors and listener. Idempotent.
  lkstream::status stop();

  std::vector<pipeline_status> status() const;
  result<pipeline_status> status(std::string_view name) const;
  /// Waits until done(status) holds for pipeline `name` or the timeout passed; returns the last
  /// snapshot either way.
  result<pipeline_status> wait_for(std::string_view name,
                                   const std::function<bool(const pipeline_status&)>& done,
                                   std::chrono::milliseconds timeout) const;

 private:
  explicit runtime(std::unique_ptr<impl> i);
  std::unique_ptr<impl> impl_;
};

}  // namespace lkstream

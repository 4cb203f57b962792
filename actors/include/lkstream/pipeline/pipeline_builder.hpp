#pragma once
// pipeline_builder: the start of a pipeline, returned by runtime::pipeline(name). Sources:
//
//   auto p = rt.pipeline("vwap");
//   auto raw = p.from("ticks");                          // stream<std::string>
//   auto ticks = p.from<tick>("ticks", json_serde<tick>());  // decoded; malformed -> DLQ
//   auto lines = p.from_connector("stdin");              // the topic a source connector fills
//
// A pipeline reads its source topics in consumer group "pipeline.<name>" and commits a source
// offset only after everything derived from the records before it is durably written (sink
// appends, dead letters, state checkpoints): at-least-once, resuming where it left off after a
// crash or restart. Dead letters (records whose decode or user function threw) go to
// options.dead_letter_topic ("pipeline.<name>.dlq") as JSON:
//   {"pipeline":..., "stage":"map", "error":"<exception text>", "topic":..., "partition":...,
//    "offset":..., "timestamp":..., "value":"<original value, for decode failures>"}
// Window and scan state is checkpointed to "pipeline.<name>.changelog" (see docs/pipelines.md).
//
// The builder only records the graph; runtime::start() validates it and starts the actors.

#include <memory>
#include <string>

#include "lkstream/pipeline/stream.hpp"

namespace lkstream {

class pipeline_builder {
 public:
  explicit pipeline_builder(std::shared_ptr<pipeline_detail::graph> g) : g_(std::move(g)) {}

  const std::string& name() const { return g_->name; }

  /// Reads `topic` (every partition), decoding values with `s`.
  template <class T = std::string>
  stream<T> from(std::string topic, serde<T> s = default_serde<T>()) {
    const auto source = static_cast<int32_t>(g_->sources.size());
    g_->sources.push_back(topic);
    pipeline_detail::node n;
    n.label = "from(" + topic + ")";
    n.make = [s] { return std::make_unique<pipeline_detail::decode_logic<T>>(s); };
    n.source = source;
    n.copyable = std::is_copy_constructible_v<T>;
    g_->nodes.push_back(std::move(n));
    return stream<T>(g_, g_->nodes.size() - 1, 0);
  }

  /// Reads the topic a source [[connector]] named `name` writes (it must write exactly one).
  template <class T = std::string>
  stream<T> from_connector(const std::string& name, serde<T> s = default_serde<T>()) {
    auto it = g_->connector_topics.find(name);
    std::string topic;
    if (it == g_->connector_topics.end())
      g_->errors.push_back("no [[connector]] named \"" + name + "\" in the configuration");
    else if (it->second.size() != 1)
      g_->errors.push_back("connector \"" + name + "\" writes " +
                           std::to_string(it->second.size()) +
                           " topics; from_connector() needs exactly one");
    else
      topic = it->second.front();
    return from<T>(topic.empty() ? std::string("<unresolved connector " + name + ">") : topic,
                   std::move(s));
  }

 private:
  std::shared_ptr<pipeline_detail::graph> g_;
};

}  // namespace lkstream

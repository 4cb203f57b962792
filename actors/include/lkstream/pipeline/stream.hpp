#pragma once
// stream<T>: a typed stream of records inside a pipeline; every operator call adds a stage
// (one CAF actor per instance when the pipeline starts) and returns the stream it produces.
//
//   auto ticks = rt.pipeline("vwap").from<tick>("ticks", lkstream::json_serde<tick>());
//   ticks.filter([](const tick& t) { return t.size > 0; })
//       .key_by([](const tick& t) { return t.symbol; })
//       .window(lkstream::tumbling(1s).allowed_lateness(200ms))
//       .aggregate(vwap_agg{})
//       .to("vwap.1s");
//
// Records keep their key (from the source record, or key_by) and event timestamp (the source
// record's timestamp) through every operator. User functions take `const T&` and may throw:
// the record then goes to the dead-letter topic (see pipeline_builder.hpp) and the rest go on.
// A stream may feed several stages (fan-out; T must then be copyable).
//
// Threading: composing is single-threaded and must finish before runtime::start(). User
// functions run on stage actors: one call at a time per stage instance, so a function object
// may keep private state, but state shared between stages or instances needs its own lock.

#include <functional>
#include <memory>
#include <ranges>
#include <string>
#include <type_traits>
#include <vector>

#include "lkstream/pipeline/stateful.hpp"

namespace lkstream {

template <class T>
class stream;
template <class T>
class keyed_stream;
template <class T>
class windowed_stream;

template <class T>
class stream {
 public:
  using value_type = T;
  stream(std::shared_ptr<pipeline_detail::graph> g, size_t node, size_t port = 0)
      : g_(std::move(g)), node_(node), port_(port) {}

  /// f(const T&) -> U.
  template <class F>
  auto map(F f) const {
    using U = std::decay_t<std::invoke_result_t<F&, const T&>>;
    return add<U>("map", [f] { return std::make_unique<pipeline_detail::map_logic<T, U, F>>(f); });
  }

  /// Keeps the records for which f(const T&) is true.
  template <class F>
  stream<T> filter(F f) const {
    return add<T>("filter",
                  [f] { return std::make_unique<pipeline_detail::filter_logic<T, F>>(f); });
  }

  /// f(const T&) -> a range of U (e.g. std::vector<U>): zero or more records per record.
  template <class F>
  auto flat_map(F f) const {
    using R = std::invoke_result_t<F&, const T&>;
    using U = std::decay_t<std::ranges::range_value_t<std::remove_cvref_t<R>>>;
    return add<U>("flat_map",
                  [f] { return std::make_unique<pipeline_detail::flat_map_logic<T, U, F>>(f); });
  }

  /// f(const T&) -> key (std::string, string_view, const char* or an integer).
  template <class F>
  keyed_stream<T> key_by(F f) const {
    auto s =
        add<T>("key_by", [f] { return std::make_unique<pipeline_detail::key_by_logic<T, F>>(f); });
    return keyed_stream<T>(s);
  }

  /// Calls f(const T&) for every record passing by (logging, metrics).
  template <class F>
  stream<T> peek(F f) const {
    return add<T>("peek", [f] { return std::make_unique<pipeline_detail::peek_logic<T, F>>(f); });
  }

  /// One stream per predicate: a record goes to the first whose predicate holds, or nowhere.
  std::vector<stream<T>> branch(std::vector<std::function<bool(const T&)>> preds) const {
    const size_t n = preds.size();
    auto s = add<T>("branch", [preds = std::move(preds)] {
      return std::make_unique<pipeline_detail::branch_logic<T>>(preds);
    });
    g_->nodes[s.node_].ports = n;
    std::vector<stream<T>> out;
    for (size_t i = 0; i < n; ++i) out.emplace_back(g_, s.node_, i);
    if (n == 0) g_->errors.push_back("branch() needs at least one predicate");
    return out;
  }

  /// The records of both streams (of the same pipeline), interleaved by arrival.
  stream<T> merge(const stream<T>& other) const {
    auto s = add<T>("merge", [] { return std::make_unique<pipeline_detail::pass_logic>(); });
    if (other.g_ != g_)
      g_->errors.push_back("merge() of streams from different pipelines");
    else
      g_->nodes[s.node_].inputs.emplace_back(other.node_, other.port_);
    return s;
  }

  /// Appends every record to `topic` (key: the record's key; timestamp: its event time). The
  /// source offsets are committed only once these appends are durable. The topic is created
  /// with the topic defaults when missing (if broker.auto_create_topics).
  void to(std::string topic, serde<T> s = default_serde<T>()) const {
    auto idx = add_node("to(" + topic + ")", [topic, s] {
      return std::make_unique<pipeline_detail::topic_sink_logic<T>>(topic, s);
    });
    g_->nodes[idx].topics_written.push_back(std::move(topic));
  }

  /// Calls f(const T&) for every record, on a dedicated thread (f may block; a slow f slows
  /// the whole pipeline down through backpressure). Offsets are committed after f returned.
  template <class F>
  void for_each(F f) const {
    auto idx = add_node("for_each",
                        [f] { return std::make_unique<pipeline_detail::for_each_logic<T, F>>(f); });
    g_->nodes[idx].blocking = true;
  }

  /// Writes to the topic a sink [[connector]] named `name` reads (which must read exactly one).
  /// The connector itself runs in the runtime's connector host.
  void to_connector(const std::string& name, serde<T> s = default_serde<T>()) const {
    auto topic = connector_topic(name);
    if (!topic.empty()) to(topic, std::move(s));
  }

 protected:
  template <class U, class Make>
  stream<U> add(std::string label, Make make) const {
    auto idx = add_node(std::move(label), std::move(make));
    g_->nodes[idx].copyable = std::is_copy_constructible_v<U>;
    return stream<U>(g_, idx, 0);
  }

  template <class Make>
  size_t add_node(std::string label, Make make) const {
    pipeline_detail::node n;
    n.label = std::move(label);
    n.make = std::move(make);
    n.inputs.emplace_back(node_, port_);
    g_->nodes.push_back(std::move(n));
    return g_->nodes.size() - 1;
  }

  std::string connector_topic(const std::string& name) const {
    auto it = g_->connector_topics.find(name);
    if (it == g_->connector_topics.end()) {
      g_->errors.push_back("no [[connector]] named \"" + name + "\" in the configuration");
      return {};
    }
    if (it->second.size() != 1) {
      g_->errors.push_back("connector \"" + name + "\" reads " + std::to_string(it->second.size()) +
                           " topics; to_connector() needs exactly one");
      return {};
    }
    return it->second.front();
  }

  std::shared_ptr<pipeline_detail::graph> g_;
  size_t node_;
  size_t port_;

  template <class>
  friend class stream;
  template <class>
  friend class keyed_stream;
  template <class>
  friend class windowed_stream;
};

/// A stream after key_by: the stateful operators below run as `parallelism` instances, each
/// owning the keys that hash to it; the records of one key stay in order.
template <class T>
class keyed_stream : public stream<T> {
 public:
  explicit keyed_stream(const stream<T>& s, size_t parallelism = 0)
      : stream<T>(s), parallelism_(parallelism) {}

  /// Instances of the next stateful operator (default: pipeline_options::parallelism).
  keyed_stream<T> parallelism(size_t n) const { return keyed_stream<T>(*this, n); }

  windowed_stream<T> window(window_spec spec) const {
    if (spec.size_ms <= 0 || spec.slide_ms <= 0 || spec.slide_ms > spec.size_ms ||
        spec.allowed_lateness_ms < 0)
      this->g_->errors.push_back(
          "window(): size and slide must be > 0, slide <= size, allowed lateness >= 0");
    return windowed_stream<T>(*this, spec);
  }

  /// Per-key running state: state = f(const S& state, const T& record), starting from init;
  /// emits the new state after every record (same key and timestamp).
  template <class S, class F>
  stream<S> scan(S init, F f) const {
    auto s = this->template add<S>("scan", [init, f] {
      return std::make_unique<pipeline_detail::scan_logic<T, S, F>>(init, f);
    });
    mark_stateful(s.node_);
    return s;
  }

 protected:
  void mark_stateful(size_t idx) const {
    auto& n = this->g_->nodes[idx];
    n.stateful = n.keyed = true;
    n.parallelism = parallelism_;
  }
  size_t parallelism_;

  template <class>
  friend class windowed_stream;
};

template <class T>
class windowed_stream {
 public:
  windowed_stream(keyed_stream<T> k, window_spec spec) : k_(std::move(k)), spec_(spec) {}

  /// agg: init() -> Acc; add(Acc&, const T&); result(const Acc&) -> R. Acc is checkpointed
  /// (trivially copyable, std::string, std::optional or JSON-convertible).
  template <class A>
  auto aggregate(A agg) const {
    using L = pipeline_detail::window_logic<T, A>;
    using R = typename L::out_t;
    auto spec = spec_;
    auto s = k_.template add<R>("window", [spec, agg] { return std::make_unique<L>(spec, agg); });
    k_.mark_stateful(s.node_);
    return s;
  }

  /// f(const T& a, const T& b) -> T, folded over each window's records.
  template <class F>
  stream<window_result<T>> reduce(F f) const {
    return aggregate(pipeline_detail::reduce_agg<T, F>{std::move(f)});
  }

  stream<window_result<int64_t>> count() const {
    return aggregate(pipeline_detail::count_agg<T>{});
  }

 private:
  keyed_stream<T> k_;
  window_spec spec_;
};

}  // namespace lkstream

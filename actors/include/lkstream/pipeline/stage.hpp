#pragma once
// The contract between the typed builder (templates, compiled in the user's program) and the
// stage actors (actors/src/pipeline, CAF). Not for applications: use stream<T>.
//
// A stage_logic is one operator instance. Its stage actor calls process() for every batch that
// arrives, one at a time, on the actor's thread; process() emits output batches through the
// stage_context (which routes them to the next stages) and reports per-record failures as dead
// letters. A logic never blocks, except for_each sinks (they run on a detached actor).
//
// Stateful logics (windows, scan) also snapshot() their whole state and restore() it: the actor
// writes snapshots to the pipeline's changelog topic (one partition per instance).

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "lkstream/base/result.hpp"
#include "lkstream/pipeline/batch.hpp"
#include "lkstream/pipeline/options.hpp"

namespace lkstream {
class producer;
}

namespace lkstream::pipeline_detail {

/// Counters and the failure flag of one running pipeline, shared by its actors and sinks.
struct pipeline_monitor {
  std::atomic<uint64_t> records_in{0};
  std::atomic<uint64_t> records_out{0};
  std::atomic<uint64_t> dead_letters{0};
  std::atomic<uint64_t> late_records{0};
  std::atomic<uint64_t> checkpoints{0};
  std::atomic<bool> failed{false};
  std::mutex m;
  std::string first_error;

  /// Records the first failure; the source stops reading and commits nothing after it.
  void fail(std::string reason) {
    std::lock_guard<std::mutex> g(m);
    if (!failed.exchange(true)) first_error = std::move(reason);
  }
  std::string error() {
    std::lock_guard<std::mutex> g(m);
    return first_error;
  }
};

class stage_context {
 public:
  virtual ~stage_context() = default;
  /// Sends a batch to every stage connected to output `port` (split by key for keyed stages).
  virtual void emit(size_t port, batch_ptr b) = 0;
  /// Writes a dead letter (error text, origin, original bytes when known) to the pipeline's
  /// dead-letter topic; `tickets` stay held until it is durable.
  virtual void dead_letter(const origin& from, timestamp_ms ts, std::string_view error,
                           std::optional<bytes_view> original,
                           const std::vector<ticket_ptr>& tickets) = 0;
  /// The pipeline's producer, for topic sinks (thread-safe).
  virtual producer& sink_producer() = 0;
  virtual const std::shared_ptr<pipeline_monitor>& monitor() = 0;
  /// The topic a from() reads (for dead letters of its decode stage).
  virtual const std::string& source_topic(int32_t source) = 0;
};

class stage_logic {
 public:
  virtual ~stage_logic() = default;
  /// Handles one batch. Exceptions from user code are caught per record inside; an exception
  /// escaping process() fails the pipeline.
  virtual void process(batch_ptr in, stage_context& ctx) = 0;

  // Stateful logics only.
  virtual bool stateful() const { return false; }
  /// Appends the complete state (including the per-source offsets already applied).
  virtual void snapshot(bytes& out) const {}
  /// Replaces the state with a snapshot; an error names what is wrong with it.
  virtual status restore(bytes_view in) { return {}; }
};

/// One operator of a pipeline graph, as the builder records it.
struct node {
  std::string label;                                   // "map", "window", "to(topic)" ...
  std::function<std::unique_ptr<stage_logic>()> make;  // one logic per instance
  std::vector<std::pair<size_t, size_t>> inputs;       // (node index, output port)
  size_t ports = 1;                                    // outputs (branch: one per predicate)
  size_t parallelism = 1;                              // 0 = the pipeline's parallelism
  bool keyed = false;     // instances partitioned by key (parallelism may be > 1)
  bool stateful = false;  // snapshot/restore through the changelog
  bool blocking = false;  // user code may block: runs on a detached actor
  bool copyable = true;   // element type copyable (needed to fan out to several stages)
  int32_t source = -1;    // >= 0: fed by the source with this from() index
  std::vector<std::string> topics_written;  // sink topics, created when missing
};

struct graph {
  std::string name;
  pipeline_options opts;
  std::vector<std::string> sources;  // topic of each from(), by index
  std::vector<node> nodes;           // topological order: inputs come first
  std::vector<std::string> errors;   // misuse found while composing, reported by start()
  /// Topics of the configuration's [[connector]] entries, for from_connector/to_connector.
  std::map<std::string, std::vector<std::string>> connector_topics;
};

/// Record read by a source, before the from() stage decodes it. The views stay valid while the
/// batch lives (it keeps the consumer's buffers).
struct raw_record {
  std::optional<bytes_view> key;
  std::optional<bytes_view> value;
};

class source_batch final : public batch_base {
 public:
  size_t size() const override { return items.size(); }
  std::vector<batch_ptr> split_by_key(size_t) override { return {}; }  // never keyed
  batch_ptr clone() const override { return std::make_shared<source_batch>(*this); }
  std::vector<element<raw_record>> items;
  std::shared_ptr<const void> keep_alive;  // the consumer's record_set
};

}  // namespace lkstream::pipeline_detail

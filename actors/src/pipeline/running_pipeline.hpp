#pragma once
// running_pipeline: one started pipeline. start() turns the builder's graph into actors:
// checks the graph, creates missing topics (sinks, dead letters, the changelog with one
// partition per stateful stage instance), restores every stateful instance from the last
// record of its changelog partition, spawns the stages (downstream first, so each knows where
// its outputs go) and finally the source. stop() drains the source, then stops the stages and
// flushes the producer.
//
// Threading: start()/stop() from the runtime's caller; status() from any thread.

#include <caf/all.hpp>

#include <memory>
#include <vector>

#include "lkstream/engine.hpp"
#include "lkstream/pipeline/stage.hpp"
#include "pipeline/pipeline_shared.hpp"
#include "pipeline/source_tracker.hpp"

namespace lkstream::actors {

class running_pipeline {
 public:
  running_pipeline(engine& eng, std::shared_ptr<pipeline_detail::graph> g,
                   std::shared_ptr<runtime_signal> signal);
  ~running_pipeline();

  lkstream::status start();
  /// Drains (bounded by drain_timeout) and stops. Idempotent.
  void stop();
  pipeline_status snapshot() const;
  const std::string& name() const { return graph_->name; }
  bool started() const { return static_cast<bool>(source_); }
  /// The state; the caller holds the runtime_signal's mutex.
  pipeline_state state_locked() const { return shared_->state; }

 private:
  struct instance {
    std::shared_ptr<pipeline_detail::stage_logic> logic;
    uint32_t id = 0;
    int32_t changelog_partition = -1;
    caf::actor actor;
  };

  lkstream::status validate();
  lkstream::status ensure_topic(const std::string& topic, bool create);
  lkstream::status prepare_changelog(int32_t partitions);
  lkstream::status restore(int32_t partition, uint32_t node, uint32_t inst,
                           pipeline_detail::stage_logic& logic);
  size_t instances_of(const pipeline_detail::node& n) const;

  engine& eng_;
  std::shared_ptr<pipeline_detail::graph> graph_;
  std::shared_ptr<pipeline_shared> shared_;
  std::shared_ptr<source_tracker> tracker_;
  std::vector<std::vector<instance>> nodes_;  // per graph node
  caf::actor source_;
  bool stopped_ = false;
};

}  // namespace lkstream::actors

#include "pipeline/running_pipeline.hpp"

#include <algorithm>
#include <set>

#include "engine_services.hpp"
#include "lkstream/consumer.hpp"
#include "lkstream/pipeline/stateful.hpp"
#include "lkstream/producer.hpp"
#include "pipeline/pipeline_messages.hpp"
#include "pipeline/source_actor.hpp"
#include "pipeline/stage_actor.hpp"

namespace lkstream::actors {
namespace {

bool valid_name(std::string_view s) {
  if (s.empty() || s.size() > 200) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-';
  });
}

constexpr size_t changelog_max_record = 16u << 20;

}  // namespace

running_pipeline::running_pipeline(engine& eng, std::shared_ptr<pipeline_detail::graph> g,
                                   std::shared_ptr<runtime_signal> signal)
    : eng_(eng), graph_(std::move(g)), shared_(std::make_shared<pipeline_shared>()) {
  shared_->name = graph_->name;
  shared_->signal = std::move(signal);
  shared_->source_topics = graph_->sources;
  shared_->dead_letter_topic = graph_->opts.dead_letter_topic.empty()
                                   ? "pipeline." + graph_->name + ".dlq"
                                   : graph_->opts.dead_letter_topic;
  shared_->changelog_topic = "pipeline." + graph_->name + ".changelog";
}

running_pipeline::~running_pipeline() {
  stop();
}

size_t running_pipeline::instances_of(const pipeline_detail::node& n) const {
  if (!n.keyed || !n.stateful) return 1;
  return n.parallelism ? n.parallelism : graph_->opts.parallelism;
}

lkstream::status running_pipeline::validate() {
  auto& g = *graph_;
  std::vector<std::string> problems = g.errors;
  if (!valid_name(g.name))
    problems.push_back("the name must be 1-200 characters of [A-Za-z0-9._-]");
  if (g.sources.empty()) problems.push_back("no source: start with from() or from_connector()");
  if (g.opts.max_batch_records == 0) problems.push_back("max_batch_records must be > 0");
  if (g.opts.max_in_flight_batches == 0) problems.push_back("max_in_flight_batches must be > 0");
  std::map<std::pair<size_t, size_t>, size_t> consumers;
  for (auto& n : g.nodes) {
    for (auto& in : n.inputs) ++consumers[in];
    if (instances_of(n) == 0) problems.push_back(n.label + ": parallelism must be > 0");
  }
  for (auto& [out, count] : consumers)
    if (count > 1 && !g.nodes[out.first].copyable)
      problems.push_back(g.nodes[out.first].label +
                         ": a stream of a move-only type cannot feed several stages");
  if (problems.empty()) return {};
  std::string text = "pipeline \"" + g.name + "\":";
  for (auto& p : problems) text += "\n  " + p;
  return {errc::invalid_argument, text};
}

lkstream::status running_pipeline::ensure_topic(const std::string& topic, bool create) {
  if (eng_.describe_topic(topic)) return {};
  if (!create)
    return {errc::unknown_topic, "pipeline \"" + graph_->name + "\": topic \"" + topic +
                                     "\" does not exist (create it, declare it as a [[topic]] or "
                                     "set broker.auto_create_topics = true)"};
  auto st = eng_.create_topic(topic, eng_.configuration().topic_defaults);
  if (!st && st.code() != errc::topic_exists) return st;
  return {};
}

lkstream::status running_pipeline::prepare_changelog(int32_t partitions) {
  const auto& topic = shared_->changelog_topic;
  if (auto info = eng_.describe_topic(topic)) {
    if (static_cast<int32_t>(info->partitions.size()) != partitions)
      return {errc::invalid_argument,
              "pipeline \"" + graph_->name + "\": its state changelog " + topic + " has " +
                  std::to_string(info->partitions.size()) + " partitions, but the pipeline's " +
                  "stateful stages now have " + std::to_string(partitions) +
                  " instances (parallelism or the stateful stages changed; the state cannot be "
                  "redistributed: delete the topic and the group pipeline." +
                  graph_->name + " offsets to start over)"};
    return {};
  }
  auto settings = eng_.configuration().topic_defaults;
  settings.partitions = partitions;
  settings.log.segment_bytes = 4u << 20;
  settings.log.retention_ms = -1;
  settings.log.retention_bytes = 16 << 20;  // old snapshots; the newest is in the active segment
  settings.log.max_batch_bytes = changelog_max_record + 4096;
  return eng_.create_topic(topic, settings);
}

// The last record of a changelog partition is the instance's newest durable snapshot.
lkstream::status running_pipeline::restore(int32_t partition, uint32_t node, uint32_t inst,
                                           pipeline_detail::stage_logic& logic) {
  const auto& topic = shared_->changelog_topic;
  LK_ASSIGN_OR_RETURN(auto info, eng_.describe_topic(topic));
  auto& p = info.partitions.at(static_cast<size_t>(partition));
  if (p.end_offset <= p.log_start) return {};  // nothing checkpointed yet
  consumer_options co;
  co.fetch_max_bytes = 2 * changelog_max_record;
  co.buffer_max_bytes = 4 * changelog_max_record;
  co.enable_auto_commit = false;
  LK_ASSIGN_OR_RETURN(auto cons, eng_.make_consumer(co));
  topic_partition tp{topic, partition_id{partition}};
  LK_TRY_STATUS(cons->assign({tp}));
  LK_TRY_STATUS(cons->seek(tp, p.end_offset - 1));
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (std::chrono::steady_clock::now() < deadline) {
    LK_ASSIGN_OR_RETURN(auto rs, cons->poll(std::chrono::milliseconds(200)));
    for (auto& r : rs) {
      if (r.offset != p.end_offset - 1) continue;
      bytes_view v = r.value.value_or(bytes_view{});
      pipeline_detail::state_reader hdr(v);
      const auto n = hdr.num<uint32_t>();
      const auto i = hdr.num<uint32_t>();
      const std::string where =
          topic + "-" + std::to_string(partition) + "@" + std::to_string(r.offset);
      if (!hdr.ok() || n != node || i != inst)
        return {errc::invalid_argument, "pipeline \"" + graph_->name + "\": changelog record " +
                                            where +
                                            " belongs to another stage (the pipeline's "
                                            "stateful stages changed since it was written)"};
      auto st = logic.restore(v.subspan(8));
      if (!st)
        return {st.code(),
                "pipeline \"" + graph_->name + "\": restoring " + where + ": " + st.err().message};
      return {};
    }
  }
  return {errc::timeout, "pipeline \"" + graph_->name + "\": could not read the last record of " +
                             topic + "-" + std::to_string(partition)};
}

lkstream::status running_pipeline::start() {
  LK_TRY_STATUS(validate());
  auto& g = *graph_;
  const bool auto_create = eng_.configuration().broker.auto_create_topics;
  for (auto& t : g.sources) LK_TRY_STATUS(ensure_topic(t, auto_create));
  for (auto& n : g.nodes)
    for (auto& t : n.topics_written) LK_TRY_STATUS(ensure_topic(t, auto_create));
  LK_TRY_STATUS(ensure_topic(shared_->dead_letter_topic, true));

  // Logics, sender ids and changelog partitions.
  nodes_.assign(g.nodes.size(), {});
  uint32_t next_id = 1;  // 0 is the source
  int32_t next_partition = 0;
  for (size_t k = 0; k < g.nodes.size(); ++k) {
    for (size_t i = 0; i < instances_of(g.nodes[k]); ++i) {
      instance in;
      in.logic = g.nodes[k].make();
      in.id = next_id++;
      if (in.logic->stateful()) in.changelog_partition = next_partition++;
      nodes_[k].push_back(std::move(in));
    }
  }
  if (next_partition > 0) {
    LK_TRY_STATUS(prepare_changelog(next_partition));
    for (size_t k = 0; k < nodes_.size(); ++k)
      for (size_t i = 0; i < nodes_[k].size(); ++i)
        if (nodes_[k][i].changelog_partition >= 0)
          LK_TRY_STATUS(restore(nodes_[k][i].changelog_partition, static_cast<uint32_t>(k),
                                static_cast<uint32_t>(i), *nodes_[k][i].logic));
  }

  producer_options po;
  po.linger_ms = g.opts.sink_linger_ms;
  po.buffer_bytes = 32u << 20;
  shared_->prod = eng_.make_producer(po);

  consumer_options co;
  co.group_id = "pipeline." + g.name;
  co.client_id = co.group_id;
  co.enable_auto_commit = false;
  co.auto_offset_reset = g.opts.start_from;
  co.max_poll_records = g.opts.max_batch_records;
  co.buffer_max_bytes = 8u << 20;
  LK_ASSIGN_OR_RETURN(auto cons, eng_.make_consumer(co));
  std::vector<std::string> topics = g.sources;
  LK_TRY_STATUS(cons->subscribe(topics));

  // Stages, downstream first: every consumer of a node has a higher index.
  // Spawned inside a call: close() cannot destroy the actor system meanwhile.
  caf_thread_scope caf_scope;
  auto call = engine_services(eng_).enter();
  if (!call) return {errc::closed, "pipeline \"" + g.name + "\": the engine is closed"};
  auto& sys = call->system();
  for (size_t k = g.nodes.size(); k-- > 0;) {
    auto& n = g.nodes[k];
    std::vector<std::vector<stage_route>> outs(n.ports);
    for (size_t v = k + 1; v < g.nodes.size(); ++v)
      for (auto& in : g.nodes[v].inputs)
        if (in.first == k && in.second < n.ports) {
          stage_route r;
          for (auto& inst : nodes_[v]) r.instances.push_back(inst.actor);
          outs[in.second].push_back(std::move(r));
        }
    // Senders: the source, or every instance of each distinct input node (a node feeding two
    // ports of this one, e.g. a branch merged again, is one sender).
    size_t upstreams = n.source >= 0 ? 1 : 0;
    std::set<size_t> input_nodes;
    for (auto& in : n.inputs)
      if (input_nodes.insert(in.first).second) upstreams += nodes_[in.first].size();
    for (size_t i = 0; i < nodes_[k].size(); ++i) {
      auto& inst = nodes_[k][i];
      stage_actor_config sc;
      sc.label = n.label;
      sc.id = inst.id;
      sc.node = static_cast<uint32_t>(k);
      sc.instance = static_cast<uint32_t>(i);
      sc.upstreams = upstreams;
      sc.blocking = n.blocking;
      sc.logic = inst.logic;
      sc.outs = outs;
      sc.shared = shared_;
      sc.changelog_partition = inst.changelog_partition;
      inst.actor = spawn_stage(sys, std::move(sc));
    }
  }

  source_actor_config src;
  src.cons = std::move(cons);
  tracker_ = std::make_shared<source_tracker>();
  src.tracker = tracker_;
  src.shared = shared_;
  src.opts = g.opts;
  src.entries.resize(g.sources.size());
  for (size_t k = 0; k < g.nodes.size(); ++k)
    if (g.nodes[k].source >= 0)
      for (auto& inst : nodes_[k])
        src.entries[static_cast<size_t>(g.nodes[k].source)].push_back(inst.actor);
  source_ = spawn_source(sys, std::move(src));
  return {};
}

void running_pipeline::stop() {
  if (stopped_) return;
  stopped_ = true;
  // A closed engine stopped every actor already.
  if (auto call = engine_services(eng_).enter()) {
    actors::blocking_caller self{call->system()};
    if (source_) {
      self->send(source_, pstop_atom::value);
      self->wait_for(source_);
    }
    // Batches destroyed from here on were not processed: they must not count as complete.
    if (tracker_) tracker_->abandon();
    for (auto& insts : nodes_)
      for (auto& in : insts)
        if (in.actor) self->send_exit(in.actor, caf::exit_reason::user_shutdown);
    for (auto& insts : nodes_)
      for (auto& in : insts)
        if (in.actor) self->wait_for(in.actor);
  }
  source_ = caf::actor{};
  nodes_.clear();
  if (shared_->prod) {
    (void)shared_->prod->flush(std::chrono::seconds(10));
    shared_->prod.reset();
  }
  std::lock_guard<std::mutex> g(shared_->signal->m);
  if (shared_->state == pipeline_state::running || shared_->state == pipeline_state::starting)
    shared_->state = pipeline_state::stopped;
  shared_->signal->cv.notify_all();
}

pipeline_status running_pipeline::snapshot() const {
  pipeline_status st;
  st.name = graph_->name;
  auto& mon = *shared_->mon;
  st.records_in = mon.records_in;
  st.records_out = mon.records_out;
  st.dead_letters = mon.dead_letters;
  st.late_records = mon.late_records;
  st.checkpoints = mon.checkpoints;
  std::lock_guard<std::mutex> g(shared_->signal->m);
  st.state = shared_->state;
  st.last_error = shared_->last_error;
  if (st.last_error.empty() && mon.failed) st.last_error = shared_->mon->error();
  st.batches_in_flight = shared_->in_flight;
  st.max_batches_in_flight = shared_->max_in_flight;
  st.committed = shared_->committed;
  return st;
}

}  // namespace lkstream::actors

#include "net/handlers/metadata.hpp"

#include <algorithm>
#include <map>

#include "net/internal_topics.hpp"
#include "net/kafka_errors.hpp"
#include "topic/topic_registry.hpp"

namespace lkstream::net {
namespace {

kafka::metadata_topic describe(const actors::topic_handle& t, int32_t node, bool operations) {
  kafka::metadata_topic mt;
  mt.name = t.name;
  if (operations) mt.topic_authorized_operations = kafka::topic_operations_all;
  for (int32_t p = 0; p < static_cast<int32_t>(t.partitions.size()); ++p) {
    kafka::metadata_partition mp;
    mp.partition_index = p;
    mp.leader_id = node;
    mp.leader_epoch = kafka::partition_leader_epoch;
    mp.replica_nodes = {node};
    mp.isr_nodes = {node};
    mt.partitions.push_back(std::move(mp));
  }
  return mt;
}

// __consumer_offsets (internal_topics.hpp): listed as Kafka lists it, with no records behind it.
kafka::metadata_topic describe_consumer_offsets(int32_t node, bool operations) {
  kafka::metadata_topic mt;
  mt.name = std::string(consumer_offsets_topic);
  mt.is_internal = true;
  if (operations) mt.topic_authorized_operations = kafka::topic_operations_all;
  for (int32_t p = 0; p < consumer_offsets_partitions; ++p) {
    kafka::metadata_partition mp;
    mp.partition_index = p;
    mp.leader_id = node;
    mp.leader_epoch = kafka::partition_leader_epoch;
    mp.replica_nodes = {node};
    mp.isr_nodes = {node};
    mt.partitions.push_back(std::move(mp));
  }
  return mt;
}

kafka::metadata_response build(const request_context& ctx, const kafka::metadata_request& rq,
                               const std::map<std::string, kafka::error_code>& create_errors) {
  const int32_t node = ctx.core.node_id();
  kafka::metadata_response resp;
  resp.brokers.push_back({node, ctx.core.advertised_host, ctx.core.advertised_port, std::nullopt});
  resp.cluster_id = cluster_id();
  resp.controller_id = node;
  if (rq.include_cluster_authorized_operations)
    resp.cluster_authorized_operations = kafka::cluster_operations_all;
  const bool ops = rq.include_topic_authorized_operations;
  auto snapshot = ctx.core.eng.board().snapshot();
  if (!rq.topics) {
    for (auto& [name, t] : *snapshot) resp.topics.push_back(describe(*t, node, ops));
    if (!snapshot->count(std::string(consumer_offsets_topic)))
      resp.topics.push_back(describe_consumer_offsets(node, ops));
    std::sort(resp.topics.begin(), resp.topics.end(),
              [](const auto& a, const auto& b) { return a.name < b.name; });
    return resp;
  }
  for (const auto& want : *rq.topics) {
    auto it = snapshot->find(want.name);
    if (it != snapshot->end()) {
      resp.topics.push_back(describe(*it->second, node, ops));
      continue;
    }
    if (is_consumer_offsets(want.name)) {
      resp.topics.push_back(describe_consumer_offsets(node, ops));
      continue;
    }
    kafka::metadata_topic mt;
    mt.name = want.name;
    auto e = create_errors.find(want.name);
    mt.error = e != create_errors.end() ? e->second : kafka::error_code::unknown_topic_or_partition;
    resp.topics.push_back(std::move(mt));
  }
  return resp;
}

}  // namespace

// Kafka's cluster id is an opaque string to clients; one fixed id per broker is enough here.
const char* cluster_id() noexcept { return "lkstream"; }

std::vector<std::string> topics_to_auto_create(const listener_core& core,
                                               const kafka::metadata_request& rq) {
  std::vector<std::string> out;
  if (!rq.topics || !rq.allow_auto_topic_creation || !core.eng.configuration().broker.auto_create_topics)
    return out;
  auto snapshot = core.eng.board().snapshot();
  for (const auto& t : *rq.topics)
    if (!snapshot->count(t.name) && !is_consumer_offsets(t.name) &&
        actors::validate_topic_name(t.name) &&
        std::find(out.begin(), out.end(), t.name) == out.end())
      out.push_back(t.name);
  return out;
}

void handle_metadata(const request_context& ctx, kafka::metadata_request rq, reply_slot reply) {
  auto& core = ctx.core;
  std::map<std::string, kafka::error_code> errors;
  if (rq.topics) {
    auto snapshot = core.eng.board().snapshot();
    for (const auto& t : *rq.topics)
      if (!snapshot->count(t.name) && !is_consumer_offsets(t.name) &&
          !actors::validate_topic_name(t.name))
        errors[t.name] = kafka::error_code::invalid_topic_exception;
  }
  const auto to_create = topics_to_auto_create(core, rq);
  if (to_create.empty()) {
    reply.send(build(ctx, rq, errors));
    return;
  }
  struct gather {
    kafka::metadata_request rq;
    std::map<std::string, kafka::error_code> errors;
    size_t waiting;
  };
  auto g = std::make_shared<gather>(gather{std::move(rq), std::move(errors), to_create.size()});
  for (auto& name : to_create) {
    core.ask<int32_t>(
        core.eng.registry(),
        [ctx, reply, g, name](result<int32_t> r) {
          // topic_exists: another request created it meanwhile, which is fine.
          if (!r && r.code() != errc::topic_exists) {
            ctx.core.log("auto-creating topic " + name + " failed: " + r.err().message);
            g->errors[name] = to_kafka_error(r.code());
          }
          if (--g->waiting == 0) reply.send(build(ctx, g->rq, g->errors));
        },
        actors::create_atom::value, name, core.eng.configuration().topic_defaults);
  }
}

}  // namespace lkstream::net

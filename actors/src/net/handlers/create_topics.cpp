#include "net/handlers/create_topics.hpp"

#include <set>

#include "net/internal_topics.hpp"
#include "net/kafka_errors.hpp"
#include "net/topic_configs.hpp"
#include "topic/topic_registry.hpp"

namespace lkstream::net {
namespace {

using kafka::error_code;

struct topic_error {
  error_code code;
  std::string message;
};

// Everything Kafka checks before creating, against this single node.
std::optional<topic_error> settings_for(const kafka::create_topics_topic& t, int32_t node,
                                        config::topic_settings& s) {
  if (auto st = actors::validate_topic_name(t.name); !st)
    return topic_error{error_code::invalid_topic_exception, st.err().message};
  if (t.replication_factor != -1 && t.replication_factor != 1 && t.assignments.empty())
    return topic_error{error_code::invalid_replication_factor,
                       "replication factor " + std::to_string(t.replication_factor) +
                           " is larger than the 1 broker available"};
  if (!t.assignments.empty()) {
    if (t.num_partitions != -1 || t.replication_factor != -1)
      return topic_error{error_code::invalid_request,
                         "both manual assignments and partitions/replication factor given"};
    for (size_t i = 0; i < t.assignments.size(); ++i) {
      const auto& a = t.assignments[i];
      if (a.partition_index != static_cast<int32_t>(i) || a.broker_ids != std::vector{node})
        return topic_error{error_code::invalid_replica_assignment,
                           "assignments must be partitions 0..n-1, each on broker " +
                               std::to_string(node)};
    }
    s.partitions = static_cast<int32_t>(t.assignments.size());
  } else if (t.num_partitions != -1) {
    if (t.num_partitions < 1 || t.num_partitions > 10000)
      return topic_error{error_code::invalid_partitions,
                         "partitions must be 1..10000, got " + std::to_string(t.num_partitions)};
    s.partitions = t.num_partitions;
  }
  for (const auto& c : t.configs)
    if (auto st = apply_topic_config(s, c.name, c.value); !st)
      return topic_error{error_code::invalid_config, st.err().message};
  if (auto st = check_topic_configs(s); !st)
    return topic_error{error_code::invalid_config, st.err().message};
  return std::nullopt;
}

}  // namespace

void handle_create_topics(const request_context& ctx, kafka::create_topics_request rq,
                          reply_slot reply) {
  struct gather {
    kafka::create_topics_response resp;
    size_t waiting = 0;
    int16_t version = 0;
  };
  auto g = std::make_shared<gather>();
  g->version = ctx.version();
  auto& core = ctx.core;
  std::multiset<std::string> names;
  for (auto& t : rq.topics) names.insert(t.name);
  std::vector<std::pair<size_t, config::topic_settings>> jobs;
  std::set<std::string> answered;
  for (auto& t : rq.topics) {
    // Kafka answers a topic listed more than once once (INVALID_REQUEST).
    if (!answered.insert(t.name).second) continue;
    auto& out = g->resp.topics.emplace_back();
    out.name = t.name;
    config::topic_settings s = core.eng.configuration().topic_defaults;
    std::optional<topic_error> err;
    if (names.count(t.name) > 1)
      err = topic_error{error_code::invalid_request, "topic listed more than once"};
    else if (is_consumer_offsets(t.name))
      err = topic_error{error_code::topic_already_exists,
                        "topic " + t.name + " already exists (internal: the group offsets)"};
    else
      err = settings_for(t, core.node_id(), s);
    if (!err && core.eng.board().find(t.name))
      err = topic_error{error_code::topic_already_exists, "topic " + t.name + " already exists"};
    if (err) {
      out.error = err->code;
      if (g->version >= 1) out.error_message = std::move(err->message);
    } else if (!rq.validate_only) {
      jobs.emplace_back(g->resp.topics.size() - 1, std::move(s));
    }
  }
  g->waiting = jobs.size();
  if (jobs.empty()) {
    reply.send(std::move(g->resp));
    return;
  }
  for (auto& [i, s] : jobs) {
    core.ask<int32_t>(
        core.eng.registry(),
        [g, reply, i = i](result<int32_t> r) {
          auto& out = g->resp.topics[i];
          if (!r) {
            out.error = to_kafka_error(r.code());
            if (g->version >= 1) out.error_message = r.err().message;
          }
          if (--g->waiting == 0) reply.send(std::move(g->resp));
        },
        actors::create_atom::value, g->resp.topics[i].name, s);
  }
}

}  // namespace lkstream::net

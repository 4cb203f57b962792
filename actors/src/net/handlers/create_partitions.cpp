#include "net/handlers/create_partitions.hpp"

#include <set>

#include "net/internal_topics.hpp"
#include "net/kafka_errors.hpp"
#include "topic/topic_registry.hpp"

namespace lkstream::net {
namespace {

using kafka::error_code;

struct refusal {
  error_code code;
  std::string message;
};

// What Kafka checks before it grows a topic, against this single node.
std::optional<refusal> check(const kafka::create_partitions_topic& t, int32_t have, int32_t node) {
  if (t.count < have)
    return refusal{error_code::invalid_partitions,
                   "topic " + t.name + " has " + std::to_string(have) + " partitions; " +
                       std::to_string(t.count) + " would not be an increase"};
  if (t.count == have)
    return refusal{error_code::invalid_partitions,
                   "topic " + t.name + " already has " + std::to_string(have) + " partitions"};
  if (t.count > 10000)
    return refusal{error_code::invalid_partitions, "at most 10000 partitions per topic"};
  if (t.assignments) {
    if (static_cast<int32_t>(t.assignments->size()) != t.count - have)
      return refusal{error_code::invalid_replica_assignment,
                     "got " + std::to_string(t.assignments->size()) + " assignments for " +
                         std::to_string(t.count - have) + " new partitions"};
    for (const auto& a : *t.assignments)
      if (a != std::vector{node})
        return refusal{error_code::invalid_replica_assignment,
                       "every new partition must be on broker " + std::to_string(node)};
  }
  return std::nullopt;
}

}  // namespace

void handle_create_partitions(const request_context& ctx, kafka::create_partitions_request rq,
                              reply_slot reply) {
  struct gather {
    kafka::create_partitions_response resp;
    size_t waiting = 0;
  };
  auto g = std::make_shared<gather>();
  auto& core = ctx.core;
  std::multiset<std::string> names;
  for (const auto& t : rq.topics) names.insert(t.name);
  std::vector<std::pair<size_t, int32_t>> jobs;  // result index, new count
  std::set<std::string> answered;
  for (const auto& t : rq.topics) {
    if (!answered.insert(t.name).second) continue;  // a duplicate is answered once
    auto& out = g->resp.results.emplace_back();
    out.name = t.name;
    std::optional<refusal> err;
    auto topic = core.eng.board().find(t.name);
    if (names.count(t.name) > 1)
      err = refusal{error_code::invalid_request, "topic " + t.name + " listed more than once"};
    else if (!topic && is_consumer_offsets(t.name))
      err = refusal{error_code::invalid_partitions,
                    "the internal topic " + t.name + " has a fixed count of " +
                        std::to_string(consumer_offsets_partitions) + " partitions"};
    else if (!topic)
      err = refusal{error_code::unknown_topic_or_partition, "unknown topic " + t.name};
    else
      err = check(t, static_cast<int32_t>(topic->partitions.size()), core.node_id());
    if (err) {
      out.error = err->code;
      out.error_message = std::move(err->message);
    } else if (!rq.validate_only) {
      jobs.emplace_back(g->resp.results.size() - 1, t.count);
    }
  }
  g->waiting = jobs.size();
  if (jobs.empty()) {
    reply.send(std::move(g->resp));
    return;
  }
  for (auto& [i, count] : jobs) {
    core.ask<int32_t>(
        core.eng.registry(),
        [g, reply, i = i](result<int32_t> r) {
          auto& out = g->resp.results[i];
          if (!r) {
            out.error = r.code() == errc::invalid_argument ? error_code::invalid_partitions
                                                            : to_kafka_error(r.code());
            out.error_message = r.err().message;
          }
          if (--g->waiting == 0) reply.send(std::move(g->resp));
        },
        actors::add_partitions_atom::value, g->resp.results[i].name, count);
  }
}

}  // namespace lkstream::net

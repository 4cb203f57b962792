#include "net/handlers/offset_delete.hpp"

#include "group/group_api.hpp"
#include "net/kafka_errors.hpp"

namespace lkstream::net {

void handle_offset_delete(const request_context& ctx, kafka::offset_delete_request rq,
                          reply_slot reply) {
  // Partitions of unknown topics are answered here; the rest goes to the group's coordinator.
  kafka::offset_delete_response resp;
  group::offset_delete_request req;
  req.group_id = rq.group_id;
  auto& board = ctx.core.eng.board();
  for (const auto& t : rq.topics) {
    auto& rt = resp.topics.emplace_back();
    rt.name = t.name;
    auto topic = board.find(t.name);
    for (int32_t p : t.partitions) {
      rt.partitions.push_back({p, kafka::error_code::none});
      if (!topic || p < 0 || p >= static_cast<int32_t>(topic->partitions.size()))
        rt.partitions.back().error = kafka::error_code::unknown_topic_or_partition;
      else
        req.partitions.push_back({t.name, partition_id{p}});
    }
  }
  ctx.core.ask<group::offset_delete_response>(
      ctx.core.eng.groups(),
      [reply, resp = std::move(resp), core = ctx.weak_core()](
          result<group::offset_delete_response> r) mutable {
        if (!r) {
          resp.error = kafka::error_code::coordinator_not_available;
          resp.topics.clear();
        } else if (r->error != group::group_error::none) {
          resp.error = to_kafka_error(r->error);
          resp.topics.clear();  // Kafka answers a group-level error without topics
          if (!r->failure.empty())
            if (auto c = core.lock()) c->log("OffsetDelete: " + r->failure);
        } else {
          for (auto& [tp, e] : r->partitions)
            for (auto& rt : resp.topics)
              if (rt.name == tp.topic)
                for (auto& rp : rt.partitions)
                  if (rp.partition_index == tp.partition.value()) rp.error = to_kafka_error(e);
        }
        reply.send(std::move(resp));
      },
      group::delete_partition_offsets_atom::value, std::move(req));
}

}  // namespace lkstream::net

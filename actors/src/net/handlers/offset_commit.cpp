#include "net/handlers/offset_commit.hpp"

#include <vector>

#include "group/group_api.hpp"
#include "net/kafka_errors.hpp"
#include "topic/topic_registry.hpp"

namespace lkstream::net {

void handle_offset_commit(const request_context& ctx, kafka::offset_commit_request rq,
                          reply_slot reply) {
  group::offset_commit_request cr;
  cr.group_id = std::move(rq.group_id);
  cr.generation_id = rq.generation_id;
  cr.member_id = std::move(rq.member_id);
  cr.group_instance_id = std::move(rq.group_instance_id);
  // The response has the request's shape. As Kafka does (KafkaApis.handleOffsetCommitRequest),
  // a partition of a topic that does not exist, or past its partition count, is answered
  // UNKNOWN_TOPIC_OR_PARTITION here and never reaches the group: nothing is stored for it.
  // The manager answers one result per partition it was given, in order; `sent` marks those.
  kafka::offset_commit_response shape;
  std::vector<bool> sent;
  auto& board = ctx.core.eng.board();
  for (auto& t : rq.topics) {
    auto& st = shape.topics.emplace_back();
    st.name = t.name;
    auto topic = board.find(t.name);
    for (auto& p : t.partitions) {
      bool exists = topic && p.partition_index >= 0 &&
                    p.partition_index < static_cast<int32_t>(topic->partitions.size());
      st.partitions.push_back({p.partition_index,
                               exists ? kafka::error_code::none
                                      : kafka::error_code::unknown_topic_or_partition});
      sent.push_back(exists);
      if (!exists) continue;
      cr.partitions.push_back({{t.name, partition_id{p.partition_index}},
                               p.committed_offset,
                               p.committed_leader_epoch,
                               p.committed_metadata.value_or("")});
    }
  }
  if (cr.partitions.empty()) {
    reply.send(std::move(shape));
    return;
  }
  ctx.core.ask<group::offset_commit_response>(
      ctx.core.eng.groups(),
      [reply, resp = std::move(shape), sent = std::move(sent)](
          result<group::offset_commit_response> r) mutable {
        size_t all = 0, i = 0;
        for (auto& t : resp.topics)
          for (auto& p : t.partitions) {
            if (!sent[all++]) continue;
            if (!r) p.error = kafka::error_code::coordinator_not_available;
            else if (i < r->partitions.size()) p.error = to_kafka_error(r->partitions[i].error);
            else p.error = kafka::error_code::unknown_server_error;
            ++i;
          }
        reply.send(std::move(resp));
      },
      group::commit_offsets_atom::value, std::move(cr));
}

}  // namespace lkstream::net

#include "net/handlers/offset_commit.hpp"

#include "group/group_api.hpp"
#include "net/kafka_errors.hpp"

namespace lkstream::net {

void handle_offset_commit(const request_context& ctx, kafka::offset_commit_request rq,
                          reply_slot reply) {
  group::offset_commit_request cr;
  cr.group_id = std::move(rq.group_id);
  cr.generation_id = rq.generation_id;
  cr.member_id = std::move(rq.member_id);
  cr.group_instance_id = std::move(rq.group_instance_id);
  // The response has the request's shape; the manager answers one result per partition in
  // request order, so keep the shape to fold the results back.
  kafka::offset_commit_response shape;
  for (auto& t : rq.topics) {
    auto& st = shape.topics.emplace_back();
    st.name = t.name;
    for (auto& p : t.partitions) {
      st.partitions.push_back({p.partition_index, kafka::error_code::none});
      cr.partitions.push_back({{t.name, partition_id{p.partition_index}},
                               p.committed_offset,
                               p.committed_leader_epoch,
                               p.committed_metadata.value_or("")});
    }
  }
  ctx.core.ask<group::offset_commit_response>(
      ctx.core.eng.groups(),
      [reply, resp = std::move(shape)](result<group::offset_commit_response> r) mutable {
        size_t i = 0;
        for (auto& t : resp.topics)
          for (auto& p : t.partitions) {
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

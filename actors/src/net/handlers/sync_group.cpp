#include "net/handlers/sync_group.hpp"

#include "group/group_api.hpp"
#include "net/kafka_errors.hpp"

namespace lkstream::net {

void handle_sync_group(const request_context& ctx, kafka::sync_group_request rq,
                       reply_slot reply) {
  group::sync_request sr;
  sr.group_id = std::move(rq.group_id);
  sr.generation_id = rq.generation_id;
  sr.member_id = std::move(rq.member_id);
  sr.group_instance_id = std::move(rq.group_instance_id);
  for (auto& a : rq.assignments)
    sr.assignments.push_back({std::move(a.member_id), std::move(a.assignment)});
  ctx.core.ask<group::sync_response>(
      ctx.core.eng.groups(),
      [reply](result<group::sync_response> r) {
        kafka::sync_group_response resp;
        if (!r) {
          resp.error = kafka::error_code::coordinator_not_available;
        } else {
          resp.error = to_kafka_error(r->error);
          resp.assignment = std::move(r->assignment);
        }
        reply.send(std::move(resp));
      },
      group::sync_group_atom::value, std::move(sr));
}

}  // namespace lkstream::net

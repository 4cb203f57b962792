#include "net/handlers/heartbeat.hpp"

#include "group/group_api.hpp"
#include "net/kafka_errors.hpp"

namespace lkstream::net {

void handle_heartbeat(const request_context& ctx, kafka::heartbeat_request rq, reply_slot reply) {
  group::heartbeat_request hr;
  hr.group_id = std::move(rq.group_id);
  hr.generation_id = rq.generation_id;
  hr.member_id = std::move(rq.member_id);
  hr.group_instance_id = std::move(rq.group_instance_id);
  ctx.core.ask<group::group_error>(
      ctx.core.eng.groups(),
      [reply](result<group::group_error> r) {
        kafka::heartbeat_response resp;
        resp.error = r ? to_kafka_error(*r) : kafka::error_code::coordinator_not_available;
        reply.send(std::move(resp));
      },
      group::heartbeat_atom::value, std::move(hr));
}

}  // namespace lkstream::net

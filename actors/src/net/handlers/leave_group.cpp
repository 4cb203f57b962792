#include "net/handlers/leave_group.hpp"

#include "group/group_api.hpp"
#include "net/kafka_errors.hpp"

namespace lkstream::net {

void handle_leave_group(const request_context& ctx, kafka::leave_group_request rq,
                        reply_slot reply) {
  group::leave_request lr;
  lr.group_id = rq.group_id;
  for (auto& m : kafka::leaving_members(rq, ctx.version()))
    lr.members.push_back({std::move(m.member_id), std::move(m.group_instance_id)});
  ctx.core.ask<group::leave_response>(
      ctx.core.eng.groups(),
      [reply, version = ctx.version()](result<group::leave_response> r) {
        kafka::leave_group_response resp;
        if (!r) {
          resp.error = kafka::error_code::coordinator_not_available;
        } else {
          // v0-2: the single member's outcome is the top-level error (leave_response.error).
          resp.error = to_kafka_error(r->error);
          for (auto& m : r->members)
            resp.members.push_back(
                {std::move(m.member_id), std::move(m.group_instance_id), to_kafka_error(m.error)});
          // v3+, as Kafka: an error of the whole request (the group id) comes alone; otherwise
          // each member carries its own and the top level stays NONE.
          using kafka::error_code;
          if (version >= 3) {
            const auto e = resp.error;
            if (e == error_code::invalid_group_id || e == error_code::coordinator_not_available ||
                e == error_code::not_coordinator || e == error_code::coordinator_load_in_progress)
              resp.members.clear();
            else if (resp.members.size() == 1 && resp.members[0].error == e)
              resp.error = error_code::none;
          }
        }
        reply.send(std::move(resp));
      },
      group::leave_group_atom::value, std::move(lr));
}

}  // namespace lkstream::net

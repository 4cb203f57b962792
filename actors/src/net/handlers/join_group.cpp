#include "net/handlers/join_group.hpp"

#include "group/group_api.hpp"
#include "net/kafka_errors.hpp"

namespace lkstream::net {

void handle_join_group(const request_context& ctx, kafka::join_group_request rq,
                       reply_slot reply) {
  group::join_request jr;
  jr.group_id = std::move(rq.group_id);
  jr.member_id = std::move(rq.member_id);
  jr.group_instance_id = std::move(rq.group_instance_id);
  jr.client_id = ctx.header.client_id.value_or("");
  // As Kafka shows it (Java's InetAddress.toString() of an address without a host name).
  jr.client_host = "/" + ctx.conn->peer_host();
  jr.session_timeout_ms = rq.session_timeout_ms;
  jr.rebalance_timeout_ms = ctx.version() >= 1 ? rq.rebalance_timeout_ms : -1;
  jr.protocol_type = std::move(rq.protocol_type);
  for (auto& p : rq.protocols) jr.protocols.push_back({std::move(p.name), std::move(p.metadata)});
  jr.require_known_member_id = ctx.version() >= 4 && !jr.group_instance_id;
  ctx.core.ask<group::join_response>(
      ctx.core.eng.groups(),
      [reply](result<group::join_response> r) {
        kafka::join_group_response resp;
        if (!r) {
          resp.error = kafka::error_code::coordinator_not_available;
        } else {
          resp.error = to_kafka_error(r->error);
          resp.generation_id = r->generation_id;
          resp.protocol_name = std::move(r->protocol_name);
          resp.leader = std::move(r->leader);
          resp.member_id = std::move(r->member_id);
          for (auto& m : r->members)
            resp.members.push_back(
                {std::move(m.member_id), std::move(m.group_instance_id), std::move(m.metadata)});
        }
        reply.send(std::move(resp));
      },
      group::join_group_atom::value, std::move(jr));
}

}  // namespace lkstream::net

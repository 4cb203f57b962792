#include "net/handlers/find_coordinator.hpp"

#include <string>

namespace lkstream::net {

void handle_find_coordinator(const request_context& ctx, kafka::find_coordinator_request rq,
                             reply_slot reply) {
  kafka::find_coordinator_response resp;
  if (rq.key_type != kafka::coordinator_type_group &&
      rq.key_type != kafka::coordinator_type_transaction) {
    resp.error = kafka::error_code::invalid_request;  // as Kafka: no such coordinator type
    resp.error_message = "unknown coordinator type " + std::to_string(rq.key_type);
  } else {  // this node coordinates every group and every transactional id
    resp.node_id = ctx.core.node_id();
    resp.host = ctx.core.advertised_host;
    resp.port = ctx.core.advertised_port;
    resp.error_message = "NONE";  // Kafka names the error even on success (v1+)
  }
  reply.send(std::move(resp));
}

}  // namespace lkstream::net

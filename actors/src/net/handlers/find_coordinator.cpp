#include "net/handlers/find_coordinator.hpp"

namespace lkstream::net {

void handle_find_coordinator(const request_context& ctx, kafka::find_coordinator_request rq,
                             reply_slot reply) {
  kafka::find_coordinator_response resp;
  if (rq.key_type != kafka::coordinator_type_group) {
    resp.error = kafka::error_code::coordinator_not_available;
    resp.error_message = "lkstream has no transaction coordinator";
  } else {
    resp.node_id = ctx.core.node_id();
    resp.host = ctx.core.advertised_host;
    resp.port = ctx.core.advertised_port;
  }
  reply.send(std::move(resp));
}

}  // namespace lkstream::net

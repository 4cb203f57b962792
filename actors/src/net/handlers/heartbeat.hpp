#pragma once
// Heartbeat (12): versions as listed for its key in lkstream/kafka/supported_apis.hpp.
// Forwarded to the group manager.

#include "net/handlers/handler.hpp"

namespace lkstream::net {

void handle_heartbeat(const request_context& ctx, kafka::heartbeat_request rq, reply_slot reply);

}  // namespace lkstream::net

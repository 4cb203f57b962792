#pragma once
// FindCoordinator (10): versions as listed for its key in lkstream/kafka/supported_apis.hpp.
// Always this broker for groups; transaction coordinators do not exist here
// (COORDINATOR_NOT_AVAILABLE).

#include "net/handlers/handler.hpp"

namespace lkstream::net {

void handle_find_coordinator(const request_context& ctx, kafka::find_coordinator_request rq, reply_slot reply);

}  // namespace lkstream::net

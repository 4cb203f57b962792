#pragma once
// ListGroups (16): versions as listed for its key in lkstream/kafka/supported_apis.hpp.
// Every group the manager knows.

#include "net/handlers/handler.hpp"

namespace lkstream::net {

void handle_list_groups(const request_context& ctx, kafka::list_groups_request rq, reply_slot reply);

}  // namespace lkstream::net

#pragma once
// DescribeGroups (15): versions as listed for its key in lkstream/kafka/supported_apis.hpp.
// One group manager request per group.

#include "net/handlers/handler.hpp"

namespace lkstream::net {

void handle_describe_groups(const request_context& ctx, kafka::describe_groups_request rq, reply_slot reply);

}  // namespace lkstream::net

#pragma once
// LeaveGroup (13): versions as listed for its key in lkstream/kafka/supported_apis.hpp.
// Forwarded to the group manager; v0-2 name one member and get its error at the top level, v3+ a
// batch.

#include "net/handlers/handler.hpp"

namespace lkstream::net {

void handle_leave_group(const request_context& ctx, kafka::leave_group_request rq, reply_slot reply);

}  // namespace lkstream::net

#pragma once
// SyncGroup (14): versions as listed for its key in lkstream/kafka/supported_apis.hpp.
// Forwarded to the group manager; the assignment is never null (P6).

#include "net/handlers/handler.hpp"

namespace lkstream::net {

void handle_sync_group(const request_context& ctx, kafka::sync_group_request rq, reply_slot reply);

}  // namespace lkstream::net

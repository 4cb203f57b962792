#pragma once
// OffsetCommit (8): versions as listed for its key in lkstream/kafka/supported_apis.hpp.
// Forwarded to the group manager (durable per group).

#include "net/handlers/handler.hpp"

namespace lkstream::net {

void handle_offset_commit(const request_context& ctx, kafka::offset_commit_request rq, reply_slot reply);

}  // namespace lkstream::net

#pragma once
// OffsetFetch (9): versions as listed for its key in lkstream/kafka/supported_apis.hpp.
// Forwarded to the group manager; v2+ null topics = every committed offset, v1 carries errors per
// partition.

#include "net/handlers/handler.hpp"

namespace lkstream::net {

void handle_offset_fetch(const request_context& ctx, kafka::offset_fetch_request rq, reply_slot reply);

}  // namespace lkstream::net

#pragma once
// ListOffsets (2): versions as listed for its key in lkstream/kafka/supported_apis.hpp.
// -2 earliest, -1 latest (high watermark = last stable offset: no transactions), t >= 0 first
// offset with timestamp >= t.

#include "net/handlers/handler.hpp"

namespace lkstream::net {

void handle_list_offsets(const request_context& ctx, kafka::list_offsets_request rq, reply_slot reply);

}  // namespace lkstream::net

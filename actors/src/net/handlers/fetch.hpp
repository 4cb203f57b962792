#pragma once
// Fetch (1): versions as listed for its key in lkstream/kafka/supported_apis.hpp.
// Sessionless (session_id 0). Every partition is asked at once; partitions without data park in
// their actor until data, max_wait_ms, or until the others brought min_bytes. Whole batches only;
// max_bytes may be exceeded by the first batch only (KIP-74).

#include "net/handlers/handler.hpp"

namespace lkstream::net {

void handle_fetch(const request_context& ctx, kafka::fetch_request rq, reply_slot reply);

}  // namespace lkstream::net

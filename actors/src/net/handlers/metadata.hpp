#pragma once
// Metadata (3): versions as listed for its key in lkstream/kafka/supported_apis.hpp.
// This broker as the only broker (advertised host/port), controller and leader of every partition.
// Unknown topics are created with [topic_defaults] when auto_create_topics and the request allow
// it, and the answer waits for the creation.

#include "net/handlers/handler.hpp"

namespace lkstream::net {

void handle_metadata(const request_context& ctx, kafka::metadata_request rq, reply_slot reply);

}  // namespace lkstream::net

#pragma once
// CreatePartitions (37): versions as listed for its key in lkstream/kafka/supported_apis.hpp.
// Grows topics through the topic registry (the new partitions are opened and published on the
// metadata board before the answer); exclusive, like CreateTopics (it changes the metadata).

#include "net/handlers/handler.hpp"

namespace lkstream::net {

void handle_create_partitions(const request_context& ctx, kafka::create_partitions_request rq, reply_slot reply);

}  // namespace lkstream::net

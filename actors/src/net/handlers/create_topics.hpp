#pragma once
// CreateTopics (19): versions as listed for its key in lkstream/kafka/supported_apis.hpp.
// Through the topic registry; replication factor must be 1 (or -1), configs use Kafka names
// (topic_configs.hpp), validate_only checks without creating.

#include "net/handlers/handler.hpp"

namespace lkstream::net {

void handle_create_topics(const request_context& ctx, kafka::create_topics_request rq, reply_slot reply);

}  // namespace lkstream::net

#pragma once
// DeleteTopics (20): versions as listed for its key in lkstream/kafka/supported_apis.hpp.
// Through the topic registry (removes the logs and every group's committed offsets of the topic).

#include "net/handlers/handler.hpp"

namespace lkstream::net {

void handle_delete_topics(const request_context& ctx, kafka::delete_topics_request rq, reply_slot reply);

}  // namespace lkstream::net

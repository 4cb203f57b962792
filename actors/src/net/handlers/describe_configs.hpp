#pragma once
// DescribeConfigs (32): versions as listed for its key in lkstream/kafka/supported_apis.hpp.
// Topic resources: the topic's settings under Kafka names; broker resources: a few [broker]
// values.

#include "net/handlers/handler.hpp"

namespace lkstream::net {

void handle_describe_configs(const request_context& ctx, kafka::describe_configs_request rq, reply_slot reply);

}  // namespace lkstream::net

#pragma once
// DescribeCluster (60): versions as listed for its key in lkstream/kafka/supported_apis.hpp.
// This single node as broker and controller.

#include "net/handlers/handler.hpp"

namespace lkstream::net {

void handle_describe_cluster(const request_context& ctx, kafka::describe_cluster_request rq, reply_slot reply);

}  // namespace lkstream::net

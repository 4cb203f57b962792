#pragma once
// Metadata (3): versions as listed for its key in lkstream/kafka/supported_apis.hpp.
// This broker as the only broker (advertised host/port), controller and leader of every partition.
// Unknown topics are created with [topic_defaults] when auto_create_topics and the request allow
// it, and the answer waits for the creation.

#include <string>
#include <vector>

#include "net/handlers/handler.hpp"

namespace lkstream::net {

/// The cluster id every answer names (Metadata, DescribeCluster): opaque to clients, one fixed
/// id for this single node.
const char* cluster_id() noexcept;

/// The unknown, validly named topics this request would create (none unless both the broker's
/// auto_create_topics and the request allow it), each once, in request order.
std::vector<std::string> topics_to_auto_create(const listener_core& core,
                                               const kafka::metadata_request& rq);

void handle_metadata(const request_context& ctx, kafka::metadata_request rq, reply_slot reply);

}  // namespace lkstream::net

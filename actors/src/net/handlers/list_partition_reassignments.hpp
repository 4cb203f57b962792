#pragma once
// ListPartitionReassignments (46): versions as listed for its key in lkstream/kafka/supported_apis.hpp.
// A single node never reassigns partitions: always an empty list.

#include "net/handlers/handler.hpp"

namespace lkstream::net {

void handle_list_partition_reassignments(const request_context& ctx, kafka::list_partition_reassignments_request rq, reply_slot reply);

}  // namespace lkstream::net

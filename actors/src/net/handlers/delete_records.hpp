#pragma once
// DeleteRecords (21): versions as listed for its key in lkstream/kafka/supported_apis.hpp.
// Moves each partition's log start offset forward, durably (partition_core::delete_records).

#include "net/handlers/handler.hpp"

namespace lkstream::net {

void handle_delete_records(const request_context& ctx, kafka::delete_records_request rq, reply_slot reply);

}  // namespace lkstream::net

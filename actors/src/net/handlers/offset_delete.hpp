#pragma once
// OffsetDelete (47): versions as listed for its key in lkstream/kafka/supported_apis.hpp.
// Deletes some committed offsets of a group; topics its members consume are refused with
// GROUP_SUBSCRIBED_TO_TOPIC, partitions of unknown topics with UNKNOWN_TOPIC_OR_PARTITION.

#include "net/handlers/handler.hpp"

namespace lkstream::net {

void handle_offset_delete(const request_context& ctx, kafka::offset_delete_request rq, reply_slot reply);

}  // namespace lkstream::net

#pragma once
// JoinGroup (11): versions as listed for its key in lkstream/kafka/supported_apis.hpp.
// Forwarded to the group manager (the same coordinator the embedded API uses). MEMBER_ID_REQUIRED
// only for v4+ without group_instance_id (notes §4, P7).

#include "net/handlers/handler.hpp"

namespace lkstream::net {

void handle_join_group(const request_context& ctx, kafka::join_group_request rq, reply_slot reply);

}  // namespace lkstream::net

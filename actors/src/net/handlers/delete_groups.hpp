#pragma once
// DeleteGroups (42): versions as listed for its key in lkstream/kafka/supported_apis.hpp.
// Deletes empty groups with their committed offsets (group manager: delete_group_atom).

#include "net/handlers/handler.hpp"

namespace lkstream::net {

void handle_delete_groups(const request_context& ctx, kafka::delete_groups_request rq, reply_slot reply);

}  // namespace lkstream::net

#include "net/handlers/list_groups.hpp"

#include "group/group_api.hpp"

namespace lkstream::net {

void handle_list_groups(const request_context& ctx, kafka::list_groups_request,
                        reply_slot reply) {
  ctx.core.ask<group::group_listing_list>(
      ctx.core.eng.groups(),
      [reply](result<group::group_listing_list> r) {
        kafka::list_groups_response resp;
        if (!r) {
          resp.error = kafka::error_code::coordinator_not_available;
        } else {
          for (auto& g : *r) resp.groups.push_back({std::move(g.group_id), std::move(g.protocol_type)});
        }
        reply.send(std::move(resp));
      },
      group::list_groups_atom::value);
}

}  // namespace lkstream::net

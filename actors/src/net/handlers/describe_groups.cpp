#include "net/handlers/describe_groups.hpp"

#include "group/group_api.hpp"
#include "net/kafka_errors.hpp"

namespace lkstream::net {

void handle_describe_groups(const request_context& ctx, kafka::describe_groups_request rq,
                            reply_slot reply) {
  struct gather {
    kafka::describe_groups_response resp;
    size_t waiting = 0;
  };
  auto g = std::make_shared<gather>();
  g->resp.groups.resize(rq.groups.size());
  g->waiting = rq.groups.size();
  if (rq.groups.empty()) {
    reply.send(std::move(g->resp));
    return;
  }
  const bool ops = rq.include_authorized_operations;
  for (size_t i = 0; i < rq.groups.size(); ++i) {
    g->resp.groups[i].group_id = rq.groups[i];
    ctx.core.ask<group::group_description>(
        ctx.core.eng.groups(),
        [g, reply, i, ops](result<group::group_description> r) {
          auto& out = g->resp.groups[i];
          if (!r) {
            out.error = kafka::error_code::coordinator_not_available;
          } else {
            out.error = to_kafka_error(r->error);
            out.group_state = std::move(r->state);
            out.protocol_type = std::move(r->protocol_type);
            out.protocol_data = std::move(r->protocol_name);
            if (ops && out.error == kafka::error_code::none)
              out.authorized_operations = kafka::group_operations_all;
            for (auto& m : r->members)
              out.members.push_back({std::move(m.member_id), std::move(m.group_instance_id),
                                     std::move(m.client_id), std::move(m.client_host),
                                     std::move(m.metadata), std::move(m.assignment)});
          }
          if (--g->waiting == 0) reply.send(std::move(g->resp));
        },
        group::describe_group_atom::value, rq.groups[i]);
  }
}

}  // namespace lkstream::net

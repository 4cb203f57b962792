#include "net/handlers/delete_groups.hpp"

#include "group/group_api.hpp"
#include "net/kafka_errors.hpp"

namespace lkstream::net {

void handle_delete_groups(const request_context& ctx, kafka::delete_groups_request rq,
                          reply_slot reply) {
  struct gather {
    kafka::delete_groups_response resp;
    size_t waiting = 0;
  };
  auto g = std::make_shared<gather>();
  g->resp.results.resize(rq.groups_names.size());
  g->waiting = rq.groups_names.size();
  if (rq.groups_names.empty()) {
    reply.send(std::move(g->resp));
    return;
  }
  const bool messages = ctx.version() >= 3;
  for (size_t i = 0; i < rq.groups_names.size(); ++i) {
    auto& out = g->resp.results[i];
    out.group_id = rq.groups_names[i];
    ctx.core.ask<group::delete_group_result>(
        ctx.core.eng.groups(),
        [g, reply, i, messages](result<group::delete_group_result> r) {
          auto& out = g->resp.results[i];
          if (!r) {
            out.error = kafka::error_code::coordinator_not_available;
            if (messages) out.error_message = r.err().message;
          } else {
            out.error = to_kafka_error(r->error);
            if (messages && out.error != kafka::error_code::none)
              out.error_message = r->failure.empty() ? std::string(kafka::to_string(out.error))
                                                     : r->failure;
          }
          if (--g->waiting == 0) reply.send(std::move(g->resp));
        },
        group::delete_group_atom::value, rq.groups_names[i]);
  }
}

}  // namespace lkstream::net

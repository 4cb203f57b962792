#include "net/handlers/delete_topics.hpp"

#include "net/internal_topics.hpp"
#include "net/kafka_errors.hpp"
#include "topic/topic_registry.hpp"

namespace lkstream::net {

void handle_delete_topics(const request_context& ctx, kafka::delete_topics_request rq,
                          reply_slot reply) {
  struct gather {
    kafka::delete_topics_response resp;
    size_t waiting = 0;
  };
  auto g = std::make_shared<gather>();
  g->waiting = rq.topic_names.size();
  for (auto& name : rq.topic_names) g->resp.responses.push_back({name, kafka::error_code::none});
  if (rq.topic_names.empty()) {
    reply.send(std::move(g->resp));
    return;
  }
  for (size_t i = 0; i < rq.topic_names.size(); ++i) {
    // The group offsets are not a topic here (internal_topics.hpp): nothing to delete.
    if (is_consumer_offsets(rq.topic_names[i]) && !ctx.core.eng.board().find(rq.topic_names[i])) {
      g->resp.responses[i].error = kafka::error_code::invalid_topic_exception;
      if (--g->waiting == 0) reply.send(std::move(g->resp));
      continue;
    }
    ctx.core.ask<bool>(
        ctx.core.eng.registry(),
        [g, reply, i](result<bool> r) {
          if (!r) g->resp.responses[i].error = to_kafka_error(r.code());
          if (--g->waiting == 0) reply.send(std::move(g->resp));
        },
        actors::delete_atom::value, rq.topic_names[i]);
  }
}

}  // namespace lkstream::net

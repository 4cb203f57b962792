#include "net/handlers/init_producer_id.hpp"

#include <tuple>

#include "txn/txn_coordinator_api.hpp"

namespace lkstream::net {

void handle_init_producer_id(const request_context& ctx, kafka::init_producer_id_request rq,
                             reply_slot reply) {
  kafka::init_producer_id_response resp;
  if (!rq.transactional_id) {  // idempotent only
    resp.producer_id = ctx.core.next_producer_id();
    resp.producer_epoch = 0;
    reply.send(std::move(resp));
    return;
  }
  if (rq.transactional_id->empty()) {  // as Kafka's coordinator answers it
    resp.error = kafka::error_code::invalid_request;
    reply.send(std::move(resp));
    return;
  }
  ctx.core.ask<int16_t, int64_t, int16_t>(
      ctx.core.eng.transactions(),
      [reply](result<std::tuple<int16_t, int64_t, int16_t>> r) {
        kafka::init_producer_id_response out;
        if (!r) {
          out.error = kafka::error_code::coordinator_not_available;
        } else {
          out.error = static_cast<kafka::error_code>(std::get<0>(*r));
          out.producer_id = std::get<1>(*r);
          out.producer_epoch = std::get<2>(*r);
        }
        reply.send(std::move(out));
      },
      actors::txn_init_atom::value, std::move(*rq.transactional_id), rq.transaction_timeout_ms);
}

}  // namespace lkstream::net

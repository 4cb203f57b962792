#include "net/handlers/init_producer_id.hpp"

namespace lkstream::net {

void handle_init_producer_id(const request_context& ctx, kafka::init_producer_id_request rq,
                             reply_slot reply) {
  kafka::init_producer_id_response resp;
  if (rq.transactional_id) {
    // Transactions are not implemented: a transactional producer must fail clearly rather than
    // write batches no one will ever commit.
    resp.error = kafka::error_code::transactional_id_authorization_failed;
  } else {
    resp.producer_id = ctx.core.next_producer_id();
    resp.producer_epoch = 0;
  }
  reply.send(std::move(resp));
}

}  // namespace lkstream::net

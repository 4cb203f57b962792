#pragma once
// InitProducerId (22): versions as listed for its key in lkstream/kafka/supported_apis.hpp.
// A fresh producer id with epoch 0 for idempotent producers (listener_core::next_producer_id);
// with a transactional id, the transaction coordinator's answer (epoch bump, fencing).

#include "net/handlers/handler.hpp"

namespace lkstream::net {

void handle_init_producer_id(const request_context& ctx, kafka::init_producer_id_request rq, reply_slot reply);

}  // namespace lkstream::net

#pragma once
// InitProducerId (22): versions as listed for its key in lkstream/kafka/supported_apis.hpp.
// A fresh producer id with epoch 0 for idempotent producers (listener_core::next_producer_id);
// transactional ids are refused (no transactions here).

#include "net/handlers/handler.hpp"

namespace lkstream::net {

void handle_init_producer_id(const request_context& ctx, kafka::init_producer_id_request rq, reply_slot reply);

}  // namespace lkstream::net

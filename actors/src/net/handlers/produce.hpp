#pragma once
// Produce (0): versions as listed for its key in lkstream/kafka/supported_apis.hpp.
// One batch per partition, checked on the io thread (exactly one magic-2 batch, size) and appended
// by the partition actor (CRC, sequence checks, fsync policy). acks=0 gets no response (P3); acks
// 1 and -1 wait for the partition's ack.

#include "net/handlers/handler.hpp"

namespace lkstream::net {

void handle_produce(const request_context& ctx, kafka::produce_request rq, reply_slot reply);

}  // namespace lkstream::net

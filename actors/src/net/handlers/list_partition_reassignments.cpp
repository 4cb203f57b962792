#include "net/handlers/list_partition_reassignments.hpp"

namespace lkstream::net {

void handle_list_partition_reassignments(const request_context&,
                                         kafka::list_partition_reassignments_request,
                                         reply_slot reply) {
  // Kafka lists only ongoing reassignments, whatever topics are asked for (unknown ones
  // included): a single node has none.
  reply.send(kafka::list_partition_reassignments_response{});
}

}  // namespace lkstream::net

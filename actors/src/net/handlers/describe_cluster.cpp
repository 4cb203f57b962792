#include "net/handlers/describe_cluster.hpp"

#include "net/handlers/metadata.hpp"

namespace lkstream::net {

void handle_describe_cluster(const request_context& ctx, kafka::describe_cluster_request rq,
                             reply_slot reply) {
  kafka::describe_cluster_response resp;
  resp.endpoint_type = kafka::endpoint_type_brokers;  // the type of the endpoint answering
  if (rq.endpoint_type != kafka::endpoint_type_brokers) {
    // Kafka's brokers answer a request for the controller endpoints this way (KIP-919): the
    // client must ask a controller listener, which a single LKSTREAM node does not have.
    resp.error = kafka::error_code::mismatched_endpoint_type;
    resp.error_message = "The request was sent to an endpoint of type BROKER, but we wanted an "
                         "endpoint of type " +
                         std::to_string(rq.endpoint_type);
    reply.send(std::move(resp));
    return;
  }
  const int32_t node = ctx.core.node_id();
  resp.cluster_id = cluster_id();
  resp.controller_id = node;
  resp.brokers.push_back({node, ctx.core.advertised_host, ctx.core.advertised_port, std::nullopt,
                          false});
  if (rq.include_cluster_authorized_operations)
    resp.cluster_authorized_operations = kafka::cluster_operations_all;
  reply.send(std::move(resp));
}

}  // namespace lkstream::net

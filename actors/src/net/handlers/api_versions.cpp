#include "net/handlers/api_versions.hpp"

namespace lkstream::net {

void handle_api_versions(const request_context& ctx, kafka::api_versions_request rq,
                         reply_slot reply) {
  auto resp = kafka::make_api_versions_response();
  if (ctx.version() >= 3 && (!kafka::is_valid_client_software_field(rq.client_software_name) ||
                             !kafka::is_valid_client_software_field(rq.client_software_version))) {
    resp.error = kafka::error_code::invalid_request;
    resp.api_keys.clear();  // Kafka lists no API with this error
  }
  reply.send(std::move(resp));
}

}  // namespace lkstream::net

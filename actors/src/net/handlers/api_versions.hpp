#pragma once
// ApiVersions (18): versions as listed for its key in lkstream/kafka/supported_apis.hpp.
// Answered on the io thread at once (notes §1.2, P16): the table of supported_apis. A v3+ request
// with an invalid client software name gets INVALID_REQUEST, as Kafka does.

#include "net/handlers/handler.hpp"

namespace lkstream::net {

void handle_api_versions(const request_context& ctx, kafka::api_versions_request rq, reply_slot reply);

}  // namespace lkstream::net

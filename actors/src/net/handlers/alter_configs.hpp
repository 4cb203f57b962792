#pragma once
// AlterConfigs (33): versions as listed for its key in lkstream/kafka/supported_apis.hpp.
// Replaces a topic's whole configuration (configs not listed return to [topic_defaults]),
// persisted in topics.meta by the registry. Broker configs are static (lkstream.toml).

#include "net/handlers/handler.hpp"

namespace lkstream::net {

void handle_alter_configs(const request_context& ctx, kafka::alter_configs_request rq, reply_slot reply);

}  // namespace lkstream::net

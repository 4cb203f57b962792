#pragma once
// IncrementalAlterConfigs (44): versions as listed for its key in lkstream/kafka/supported_apis.hpp.
// Set/delete/append/subtract single topic configs, persisted in topics.meta by the registry.
// Broker configs are static (lkstream.toml).

#include "net/handlers/handler.hpp"

namespace lkstream::net {

void handle_incremental_alter_configs(const request_context& ctx, kafka::incremental_alter_configs_request rq, reply_slot reply);

}  // namespace lkstream::net

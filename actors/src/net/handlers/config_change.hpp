#pragma once
// What AlterConfigs and IncrementalAlterConfigs share: finding the resource a request names,
// checking the new settings, and handing them to the topic registry, which applies them to
// the partitions and persists them in topics.meta (so they survive a restart).
//
// Resources: TOPIC (2) by name; BROKER (4) and BROKER_LOGGER (8) are refused with
// INVALID_REQUEST, because LKSTREAM's broker settings are static (lkstream.toml); any other
// type is INVALID_REQUEST too, as Kafka answers it.

#include <functional>
#include <string>
#include <vector>

#include "lkstream/config/config.hpp"
#include "net/handlers/handler.hpp"

namespace lkstream::net {

/// One resource of a request: its outcome so far and, for a topic, the settings to apply.
struct config_change {
  kafka::alter_configs_resource_response response;
  config::topic_settings settings;  // the topic's current settings, to be changed
  int32_t partitions = 0;

  bool refused() const noexcept { return response.error != kafka::error_code::none; }
  void refuse(kafka::error_code code, std::string message) {
    response.error = code;
    response.error_message = std::move(message);
  }
};

/// The resource's current state (or its refusal: unknown topic, broker resource, bad type).
config_change begin_config_change(const request_context& ctx, int8_t resource_type,
                                  const std::string& resource_name);

/// Checks the settings of every change not refused, applies them unless `validate_only`, and
/// calls `done` (on the io thread) with one response per resource, in request order.
void finish_config_changes(
    const request_context& ctx, std::vector<config_change> changes, bool validate_only,
    std::function<void(std::vector<kafka::alter_configs_resource_response>)> done);

}  // namespace lkstream::net

#pragma once
// connector_status_publisher: writes every connector's status to the status topic (a JSON
// record keyed by the connector's name, see connector_host.hpp) so that tools reading over
// the Kafka protocol (`lkstream connector list|status`) see what the host sees.
//
// A detached actor (the embedded producer may block on backpressure) that looks at the status
// cells every `check` and publishes a connector's snapshot when it changed or `interval`
// passed since its last record; on exit (the host stops it after the connectors) it publishes
// every final state and flushes, bounded. Publishing is best effort: a failed send is logged
// once and retried at the next check, it never affects the connectors.

#include <caf/all.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "connector/connector_api.hpp"
#include "connector/connector_status_cell.hpp"

namespace lkstream {
class engine;
}

namespace lkstream::actors {

struct connector_status_publisher_config {
  engine* eng = nullptr;  // outlives the actor; the topic exists
  std::string topic;
  std::vector<std::shared_ptr<connector_status_cell>> cells;
  std::chrono::milliseconds check{500};
  std::chrono::milliseconds interval{5000};
  std::function<void(std::string_view)> log;
};

connector_status_publisher_actor spawn_connector_status_publisher(
    caf::actor_system& sys, connector_status_publisher_config cfg);

}  // namespace lkstream::actors

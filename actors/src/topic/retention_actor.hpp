#pragma once
// retention_actor: on a scheduled tick (delayed_send every `interval`), asks every partition of
// every topic to apply its time/size retention. Tests drive it with the testing scheduler's
// advance_time, never by sleeping. It re-arms itself, so it must be sent an exit on shutdown.
//
// Messages: retention_api.hpp.

#include <caf/all.hpp>

#include <chrono>
#include <memory>

#include "topic/retention_api.hpp"
#include "topic/topic_registry.hpp"

namespace lkstream::actors {

struct retention_config {
  std::shared_ptr<metadata_board> board;
  clock_fn now;
  std::chrono::milliseconds interval{300000};
};

retention_actor spawn_retention(caf::actor_system& sys, retention_config cfg);

}  // namespace lkstream::actors

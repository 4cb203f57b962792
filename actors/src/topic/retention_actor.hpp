#pragma once
// retention_actor: on a scheduled tick (delayed_send every `interval`), asks every partition of
// every topic to apply its time/size retention; on a shorter one (`files_interval`), closes the
// segment and index file descriptors unused for a minute (storage::file_cache::close_idle). Tests drive it with the testing scheduler's
// advance_time, never by sleeping. It re-arms itself, so it must be sent an exit on shutdown.
//
// Messages: retention_api.hpp.

#include <caf/all.hpp>

#include <chrono>
#include <memory>

#include "lkstream/storage/file_cache.hpp"
#include "topic/retention_api.hpp"
#include "topic/topic_registry.hpp"

namespace lkstream::actors {

struct retention_config {
  std::shared_ptr<metadata_board> board;
  clock_fn now;
  std::chrono::milliseconds interval{300000};
  /// The descriptor budget: its idle descriptors are closed every files_interval (null: none).
  std::shared_ptr<storage::file_cache> files;
  std::chrono::milliseconds files_interval{15000};
};

retention_actor spawn_retention(caf::actor_system& sys, retention_config cfg);

}  // namespace lkstream::actors

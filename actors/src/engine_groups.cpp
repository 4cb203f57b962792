// Wiring of the consumer-group manager into the engine.
#include "engine_impl.hpp"
#include "group/group_coordinator_api.hpp"
#include "group/group_manager_actor.hpp"

namespace lkstream {

caf::actor engine::impl::spawn_groups() {
  group::group_manager_config gc;
  gc.data_dir = cfg.broker.data_dir;
  gc.fs = fs;
  gc.group.min_session_timeout_ms = static_cast<int32_t>(cfg.broker.group_session_timeout_min_ms);
  gc.group.max_session_timeout_ms = static_cast<int32_t>(cfg.broker.group_session_timeout_max_ms);
  gc.group.initial_rebalance_delay_ms =
      static_cast<int32_t>(cfg.broker.group_initial_rebalance_delay_ms);
  // The config says -1 for "never expire"; the manager says 0.
  gc.offsets_retention_ms = cfg.broker.offsets_retention_ms < 0 ? 0 : cfg.broker.offsets_retention_ms;
  gc.wall_clock_ms = clock;
  return group::spawn_group_manager(*sys, std::move(gc));
}

void engine::impl::on_topic_deleted(const std::string& topic) {
  if (groups) caf::anon_send(groups, group::delete_topic_offsets_atom::value, topic);
}

}  // namespace lkstream

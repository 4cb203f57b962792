#pragma once
// The consumer-group manager: one per engine, the single entry point for group requests
// (group_api.hpp, group_manager_actor). It routes each request by group id to that group's coordinator
// (spawned on first use, linked) with delegate(), so coordinators answer callers directly.
//
// - At spawn it lists the groups that have offsets on disk, so list_groups and describe_group
//   show them after a restart; their coordinators (and offset files) load on first use.
// - Requests for groups that do not exist are answered here without creating one, as Kafka
//   does: JoinGroup with a member id, SyncGroup, Heartbeat, LeaveGroup -> UNKNOWN_MEMBER_ID;
//   OffsetCommit with generation >= 0 -> ILLEGAL_GENERATION; OffsetFetch -> no offsets;
//   describe -> state "Dead". A JoinGroup without member id, or a generation -1 commit, creates
//   the group. An empty group id is INVALID_GROUP_ID for the membership requests.
// - delete_topic_offsets reaches every group, loading those not in memory yet.
// - Offsets of Empty groups expire every offsets_retention_check_interval_ms.
// - Shutdown: send it an exit (anon_send_exit(mgr, exit_reason::user_shutdown)). It forwards
//   the exit to every coordinator (they answer parked requests with NOT_COORDINATOR) and
//   quits; nothing stays scheduled that would keep the actor system alive. If a coordinator
//   dies on its own, it is forgotten and respawned (offsets reloaded) on the next request.

#include <caf/all.hpp>

#include "group/group_api.hpp"
#include "group/group_manager_config.hpp"

namespace lkstream::group {

/// Spawns the manager. `cfg.fs` must be set. Remember to send it an exit before the actor
/// system goes away (caf-0.17-notes section 8).
group_manager_actor spawn_group_manager(caf::actor_system& sys, group_manager_config cfg);

}  // namespace lkstream::group

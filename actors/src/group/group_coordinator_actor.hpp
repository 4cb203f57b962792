#pragma once
// One consumer group: its membership (group_state) and its committed offsets (offset_store),
// behind the message interface of group_api.hpp. Spawned (linked) by the group
// manager on first use; never spawned directly by other code.
//
// - Parked JoinGroup/SyncGroup requests are response promises kept under a request_id; the
//   state machine says which to complete (group_effects).
// - Timers: one delayed_send(group_tick_atom, deadline) per new earliest deadline of the state
//   machine, measured on the actor clock (virtual under the testing scheduler).
// - Offsets are read at spawn; a store that fails to open is retried on the next offset
//   request, meanwhile commits/fetches answer COORDINATOR_NOT_AVAILABLE.
// - OffsetCommit never waits for fdatasync on this actor's (CAF worker) thread: the record is
//   written, the reply parked, and the sync runs on the manager's detached file_syncer
//   (file_syncer.hpp). Commits arriving while a sync runs are written meanwhile and share
//   the next one (group commit); replies go out once their sync succeeded, and only then do
//   fetches see the offsets. A failed sync answers COORDINATOR_NOT_AVAILABLE (retriable).
//   An OffsetFetch that arrives while commits are still unsynced waits for them to settle,
//   so a client reads its own writes (its commit sent before the fetch is never missed).
//   Without a syncer (the testing scheduler) the sync runs inline, same code path otherwise.
// - On exit_msg (the manager shutting down) every parked request is answered NOT_COORDINATOR,
//   then the actor quits.

#include <caf/all.hpp>

#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>

#include "group/group_api.hpp"
#include "file_syncer_api.hpp"
#include "group/group_manager_config.hpp"

namespace lkstream::group {

struct group_coordinator_state {
  std::shared_ptr<const group_manager_config> cfg;
  std::optional<group_state> group;
  std::unique_ptr<offset_store> offsets;
  std::string offsets_error;                      // last failure to open the store
  std::map<request_id, caf::response_promise> parked;
  actors::file_syncer_actor syncer;               // invalid = sync inline
  struct pending_commit {
    caf::response_promise promise;
    offset_commit_response response;
    std::vector<size_t> accepted_at;              // partitions written (fail if sync fails)
  };
  std::map<uint64_t, pending_commit> pending_commits;  // by offset_store sequence number
  struct pending_fetch {
    uint64_t after;                               // answered once commits <= after settled
    caf::response_promise promise;
    offset_fetch_request request;
  };
  std::deque<pending_fetch> pending_fetches;      // in arrival order (`after` ascending)
  request_id next_request_id = 1;
  std::set<int64_t> armed_ticks;                  // deadlines a group_tick is scheduled for
  static inline const char* name = "group_coordinator";
};

using group_coordinator_self = group_coordinator_actor::stateful_pointer<group_coordinator_state>;

group_coordinator_actor::behavior_type group_coordinator(
    group_coordinator_self self, std::string group_id,
    std::shared_ptr<const group_manager_config> cfg, actors::file_syncer_actor syncer);

}  // namespace lkstream::group

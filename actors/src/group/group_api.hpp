#pragma once
// Message interface of the consumer-group actors: the group manager (one per engine, the entry
// point) and the per-group coordinators it routes to. Callers talk to the manager only; it
// delegates, so the coordinator answers the caller directly.
//
//   request                                              reply
//   (join_group_atom, join_request)                      join_response     (parked until the
//                                                                           rebalance completes)
//   (sync_group_atom, sync_request)                      sync_response     (followers parked
//                                                                           until the leader's)
//   (heartbeat_atom, heartbeat_request)                  group_error
//   (leave_group_atom, leave_request)                    leave_response
//   (commit_offsets_atom, offset_commit_request)         offset_commit_response
//   (fetch_offsets_atom, offset_fetch_request)           offset_fetch_response
//   (describe_group_atom, std::string group_id)          group_description ("Dead" if unknown)
//   (list_groups_atom)                                   group_listing_list
//   (delete_topic_offsets_atom, std::string topic)       delete_topic_offsets_result
//   (delete_group_offsets_atom, std::string group_id)    delete_group_offsets_result
//                                                         (refused while the group has members)
//   (delete_partition_offsets_atom, offset_delete_request) offset_delete_response (OffsetDelete)
//   (delete_group_atom, std::string group_id)            delete_group_result (DeleteGroups: the
//                                                         offsets and the group are gone, its
//                                                         coordinator stops; refused with members)
//
// Group protocol outcomes (UNKNOWN_MEMBER_ID, REBALANCE_IN_PROGRESS, ...) are group_error values
// inside the replies, with Kafka's wire codes, so the listener forwards them as they are. A
// caf::error reply means the actor is gone (shutdown): Kafka clients should then get
// COORDINATOR_NOT_AVAILABLE. Use caf::infinite as the request timeout: parked JoinGroups can
// legitimately wait for a whole rebalance timeout.
//
// All payloads are plain copyable structs (lkstream/group/group_requests.hpp), allowed as
// message types in message_types.hpp. The compiler checks every message sent through a
// group_manager_actor handle against the interface below.

#include <caf/all.hpp>

#include <string>
#include <vector>

#include "lkstream/group/group_requests.hpp"
#include "message_types.hpp"

namespace lkstream::group {

using join_group_atom = caf::atom_constant<caf::atom("grp_join")>;
using sync_group_atom = caf::atom_constant<caf::atom("grp_sync")>;
using heartbeat_atom = caf::atom_constant<caf::atom("grp_hb")>;
using leave_group_atom = caf::atom_constant<caf::atom("grp_leave")>;
using commit_offsets_atom = caf::atom_constant<caf::atom("grp_commit")>;
using fetch_offsets_atom = caf::atom_constant<caf::atom("grp_fetch")>;
using describe_group_atom = caf::atom_constant<caf::atom("grp_desc")>;
using list_groups_atom = caf::atom_constant<caf::atom("grp_list")>;
using delete_topic_offsets_atom = caf::atom_constant<caf::atom("grp_deltop")>;
using delete_group_offsets_atom = caf::atom_constant<caf::atom("grp_delgrp")>;
using delete_partition_offsets_atom = caf::atom_constant<caf::atom("grp_delprt")>;
using delete_group_atom = caf::atom_constant<caf::atom("grp_delete")>;
// Internal timers (sent by the actors to themselves / by the manager to coordinators).
using group_tick_atom = caf::atom_constant<caf::atom("grp_tick")>;
using expire_offsets_atom = caf::atom_constant<caf::atom("grp_expire")>;

/// The requests both the manager and a coordinator answer.
using group_requests_api = caf::typed_actor<
    caf::replies_to<join_group_atom, join_request>::with<join_response>,
    caf::replies_to<sync_group_atom, sync_request>::with<sync_response>,
    caf::replies_to<heartbeat_atom, heartbeat_request>::with<group_error>,
    caf::replies_to<leave_group_atom, leave_request>::with<leave_response>,
    caf::replies_to<commit_offsets_atom, offset_commit_request>::with<offset_commit_response>,
    caf::replies_to<fetch_offsets_atom, offset_fetch_request>::with<offset_fetch_response>,
    caf::replies_to<describe_group_atom, std::string>::with<group_description>,
    caf::replies_to<delete_topic_offsets_atom, std::string>::with<delete_topic_offsets_result>,
    caf::replies_to<delete_group_offsets_atom, std::string>::with<delete_group_offsets_result>,
    caf::replies_to<delete_partition_offsets_atom, offset_delete_request>::with<
        offset_delete_response>,
    caf::replies_to<delete_group_atom, std::string>::with<delete_group_result>,
    caf::reacts_to<expire_offsets_atom>>;

/// The group manager: the entry point (group_manager_actor.hpp). expire_offsets is its own
/// timer, passed on to every coordinator.
using group_manager_actor =
    group_requests_api::extend<caf::replies_to<list_groups_atom>::with<group_listing_list>>;

/// One group's coordinator (group_coordinator_actor.hpp); group_tick is its own timer.
using group_coordinator_actor =
    group_requests_api::extend<caf::reacts_to<group_tick_atom, int64_t>>;

}  // namespace lkstream::group


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
//
// Group protocol outcomes (UNKNOWN_MEMBER_ID, REBALANCE_IN_PROGRESS, ...) are group_error values
// inside the replies, with Kafka's wire codes, so the listener forwards them as they are. A
// caf::error reply means the actor is gone (shutdown): Kafka clients should then get
// COORDINATOR_NOT_AVAILABLE. Use caf::infinite as the request timeout: parked JoinGroups can
// legitimately wait for a whole rebalance timeout.
//
// All payloads are plain copyable structs (lkstream/group/group_requests.hpp). They hold
// std::optional, which CAF 0.17 cannot inspect, so they are whitelisted as unsafe message types:
// fine for local actors, not serializable to remote nodes.

#include <caf/all.hpp>

#include <string>
#include <vector>

#include "lkstream/group/group_requests.hpp"

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
// Internal timers (sent by the actors to themselves / by the manager to coordinators).
using group_tick_atom = caf::atom_constant<caf::atom("grp_tick")>;
using expire_offsets_atom = caf::atom_constant<caf::atom("grp_expire")>;

using group_listing_list = std::vector<group_listing>;

struct delete_topic_offsets_result {
  uint64_t removed = 0;               // offsets dropped over all groups
  std::vector<std::string> failures;  // one line per group whose file could not be updated
};

/// Outcome of deleting every committed offset of one group (an admin operation).
struct delete_group_offsets_result {
  group_error error = group_error::none;  // group_id_not_found for a group never seen
  size_t members = 0;                     // > 0: refused, the group still has members
  uint64_t removed = 0;                   // offsets dropped
  std::string failure;                    // the offsets file could not be updated
};

}  // namespace lkstream::group

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(lkstream::group::join_request)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(lkstream::group::join_response)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(lkstream::group::sync_request)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(lkstream::group::sync_response)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(lkstream::group::heartbeat_request)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(lkstream::group::group_error)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(lkstream::group::leave_request)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(lkstream::group::leave_response)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(lkstream::group::offset_commit_request)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(lkstream::group::offset_commit_response)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(lkstream::group::offset_fetch_request)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(lkstream::group::offset_fetch_response)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(lkstream::group::group_description)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(lkstream::group::group_listing_list)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(lkstream::group::delete_topic_offsets_result)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(lkstream::group::delete_group_offsets_result)

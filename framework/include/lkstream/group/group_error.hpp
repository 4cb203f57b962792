#pragma once
// Kafka wire error codes used by the consumer-group coordinator. The numeric values are
// Kafka's own (apache/kafka clients/.../protocol/Errors.java), so the network listener copies
// them into responses as-is, and embedded consumers see the same codes a Kafka client would.
//
// This is deliberately a separate enum from lkstream::errc (engine conditions): a group
// operation either answers with one of these codes, or fails as an engine error (I/O), which
// the coordinator maps to a code here before it reaches a client.

#include <cstdint>
#include <string_view>

namespace lkstream::group {

enum class group_error : int16_t {
  unknown_server_error = -1,          // unexpected failure (a bug, or an unmapped engine error)
  none = 0,
  unknown_topic_or_partition = 3,     // commit/fetch for a partition that does not exist
  offset_metadata_too_large = 12,     // commit metadata above offset_metadata_max_bytes
  coordinator_load_in_progress = 14,  // retriable: the group is still loading
  coordinator_not_available = 15,     // retriable: group shutting down, or offsets not persisted
  not_coordinator = 16,               // retriable: ask FindCoordinator again
  illegal_generation = 22,            // the member's generation is not the group's current one
  inconsistent_group_protocol = 23,   // protocol type differs, or no protocol common to all
  invalid_group_id = 24,              // empty group id where one is required
  unknown_member_id = 25,             // member id not (or no longer) in the group
  invalid_session_timeout = 26,       // session timeout outside the configured bounds
  rebalance_in_progress = 27,         // rejoin: a rebalance started (heartbeat, sync, commit)
  invalid_commit_offset_size = 28,    // the commit record could not be written (size)
  non_empty_group = 68,               // delete of a group that still has members
  group_id_not_found = 69,            // describe/delete of a group that does not exist
  member_id_required = 79,            // KIP-394: rejoin with the member id in this response
  group_max_size_reached = 81,        // the group has group_max_size members already
  fenced_instance_id = 82,            // static member: another member now uses this instance id
  group_subscribed_to_topic = 86,     // offset delete of a topic the members consume
};

/// Kafka's upper-case name, e.g. "REBALANCE_IN_PROGRESS" (for logs and test messages).
std::string_view to_string(group_error e) noexcept;

/// The numeric wire code (int16 in every Kafka response).
constexpr int16_t wire_code(group_error e) noexcept { return static_cast<int16_t>(e); }

}  // namespace lkstream::group

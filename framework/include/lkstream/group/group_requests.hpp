#pragma once
// Requests and responses of the classic Kafka group protocol, as plain copyable structs. The
// same structs are the state machine's inputs/outputs (group_state), the coordinator actors'
// message payloads (actors/src/group/group_api.hpp), and what the Kafka listener
// decodes into / encodes from. Field names follow Kafka's JSON schemas; a field that only some
// wire versions carry says so, and takes the value old versions imply when absent.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "lkstream/base/types.hpp"
#include "lkstream/group/group_error.hpp"

namespace lkstream::group {

/// Identifies a parked request: the owner of a group_state (the coordinator actor) picks it,
/// keeps the reply channel (a response promise) under it, and completes it when the state
/// machine says so (group_effects).
using request_id = uint64_t;

/// Kafka's NO_GENERATION / "no member id yet".
inline constexpr int32_t no_generation = -1;

struct group_protocol {
  std::string name;  // assignor name: "range", "roundrobin", "cooperative-sticky", ...
  bytes metadata;    // opaque to the coordinator (ConsumerProtocolSubscription for consumers)
  friend bool operator==(const group_protocol&, const group_protocol&) = default;
};

struct join_request {
  std::string group_id;
  std::string member_id;                         // "" on a member's first join
  std::optional<std::string> group_instance_id;  // v5+: static membership (KIP-345)
  std::string client_id;                         // request header client_id
  std::string client_host;                       // peer address, for describe
  int32_t session_timeout_ms = 45000;
  int32_t rebalance_timeout_ms = -1;  // v1+; -1 (v0) means "same as the session timeout"
  std::string protocol_type;          // "consumer" for consumers
  std::vector<group_protocol> protocols;  // in the member's order of preference
  // KIP-394: answer a first join (empty member_id, no instance id) with MEMBER_ID_REQUIRED and
  // a new id the member must rejoin with. Kafka does this for JoinGroup v4+ only; v0-3 clients
  // (kafka-python 2.0.2 sends v2) do not know error 79, so the listener sets it per version.
  bool require_known_member_id = false;
};

struct join_member {
  std::string member_id;
  std::optional<std::string> group_instance_id;
  bytes metadata;  // the member's metadata for the chosen protocol
};

struct join_response {
  group_error error = group_error::none;
  int32_t generation_id = no_generation;
  std::string protocol_type;  // v7+ on the wire; "" when not chosen
  std::string protocol_name;  // "" when not chosen (errors)
  std::string leader;         // member id of the leader
  std::string member_id;      // the member's id (new one with MEMBER_ID_REQUIRED)
  std::vector<join_member> members;  // non-empty for the leader only, in join order
};

struct sync_assignment {
  std::string member_id;
  bytes assignment;  // opaque (ConsumerProtocolAssignment for consumers)
};

struct sync_request {
  std::string group_id;
  int32_t generation_id = no_generation;
  std::string member_id;
  std::optional<std::string> group_instance_id;  // v3+
  std::optional<std::string> protocol_type;      // v5+: checked against the group's when set
  std::optional<std::string> protocol_name;      // v5+: idem
  std::vector<sync_assignment> assignments;      // the leader's; followers send none
};

struct sync_response {
  group_error error = group_error::none;
  std::string protocol_type;  // v5+
  std::string protocol_name;  // v5+
  bytes assignment;           // never null: empty when the leader left this member out
};

struct heartbeat_request {
  std::string group_id;
  int32_t generation_id = no_generation;
  std::string member_id;
  std::optional<std::string> group_instance_id;  // v3+
};

struct leave_member {
  std::string member_id;                         // may be "" when group_instance_id is set
  std::optional<std::string> group_instance_id;  // v3+
};

struct leave_request {
  std::string group_id;
  std::vector<leave_member> members;  // v0-2 carry exactly one
};

struct leave_member_result {
  std::string member_id;
  std::optional<std::string> group_instance_id;
  group_error error = group_error::none;
};

struct leave_response {
  // v3+ semantics: NONE unless the whole request failed (e.g. the group is shutting down).
  // With exactly one member, this also carries that member's error, which is what v0-2 send.
  group_error error = group_error::none;
  std::vector<leave_member_result> members;
};

struct offset_commit_partition {
  topic_partition tp;
  int64_t offset = -1;
  int32_t leader_epoch = -1;  // v6+
  std::string metadata;       // null on the wire is stored as ""
};

/// How a commit is taken: as OffsetCommit, checked only (TxnOffsetCommit's KIP-447 checks:
/// nothing is stored), or written by the transaction coordinator when a transaction commits
/// (checked at TxnOffsetCommit time already, so stored whatever the group's state now).
enum class commit_mode : uint8_t { commit, validate_only, transactional };

struct offset_commit_request {
  std::string group_id;
  int32_t generation_id = no_generation;  // -1: a "simple" commit (kcat, assign() consumers)
  std::string member_id;
  std::optional<std::string> group_instance_id;  // v7+
  std::vector<offset_commit_partition> partitions;
  commit_mode mode = commit_mode::commit;
};

struct offset_commit_result {
  topic_partition tp;
  group_error error = group_error::none;
};

struct offset_commit_response {
  std::vector<offset_commit_result> partitions;  // one per requested partition, same order
};

struct offset_fetch_request {
  std::string group_id;
  std::optional<std::vector<topic_partition>> partitions;  // nullopt: every committed offset
};

struct offset_fetch_partition {
  topic_partition tp;
  int64_t offset = -1;        // -1: nothing committed
  int32_t leader_epoch = -1;  // v5+
  std::string metadata;
  group_error error = group_error::none;
};

struct offset_fetch_response {
  group_error error = group_error::none;  // v2+ top-level error
  std::vector<offset_fetch_partition> partitions;  // requested order, or sorted when "all"
};

struct member_description {
  std::string member_id;
  std::optional<std::string> group_instance_id;
  std::string client_id;
  std::string client_host;
  bytes metadata;    // metadata for the chosen protocol (only while Stable, as Kafka)
  bytes assignment;  // only while Stable
};

struct group_description {
  std::string group_id;
  group_error error = group_error::none;
  // "Empty", "PreparingRebalance", "CompletingRebalance", "Stable" or "Dead"
  std::string state;
  std::string protocol_type;
  std::string protocol_name;  // only while Stable, as Kafka
  std::vector<member_description> members;
};

struct group_listing {
  std::string group_id;
  std::string protocol_type;
  std::string state;
};

using group_listing_list = std::vector<group_listing>;

/// Outcome of dropping every group's committed offsets of a deleted topic.
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

/// OffsetDelete: forget some partitions' offsets of a group (Kafka's deleteOffsets).
struct offset_delete_request {
  std::string group_id;
  std::vector<topic_partition> partitions;
};

struct offset_delete_response {
  // group_id_not_found (never seen), non_empty_group (members of another protocol type than
  // "consumer"), coordinator_not_available (offsets unreadable or unwritable).
  group_error error = group_error::none;
  // Per partition: none (deleted, or had no offset) or group_subscribed_to_topic.
  std::vector<std::pair<topic_partition, group_error>> partitions;
  std::string failure;  // why the offsets could not be changed
};

/// DeleteGroups: the group's outcome.
struct delete_group_result {
  // none, group_id_not_found (never seen), non_empty_group (it has members),
  // coordinator_not_available (its offsets file could not be removed: `failure` says why).
  group_error error = group_error::none;
  std::string failure;
};

}  // namespace lkstream::group

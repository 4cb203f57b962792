#pragma once
// The membership state machine of one consumer group (Kafka's classic group protocol), with no
// I/O, no threads and no clock of its own: every call gets `now_ms` from its owner, which makes
// it testable with plain numbers. Modelled on Kafka's GroupCoordinator/ClassicGroup:
//
//   Empty --join--> PreparingRebalance --all joined / rebalance timeout--> CompletingRebalance
//   CompletingRebalance --leader's SyncGroup--> Stable
//   Stable/CompletingRebalance --join of new or changed member, leave, session expiry-->
//     PreparingRebalance;  PreparingRebalance --last member gone--> Empty;  shutdown() -> Dead
//
// Parked requests. JoinGroup waits until the rebalance completes and a follower's SyncGroup
// until the leader's arrives. The owner passes a request_id with each join()/sync() and keeps
// the reply channel (a CAF response promise) under it; each call appends to `out` the requests
// that are now answered: possibly the one just made, possibly others (everybody's JoinGroup
// completes when the last member joins). Every parked id is answered exactly once, at the
// latest by shutdown().
//
// Timers. After any call the owner asks next_deadline() and makes sure tick(now) runs once the
// clock reaches it (earlier or extra ticks are harmless). Deadlines: the rebalance timeout
// (members that do not rejoin are removed), the session timeout of members that are not parked
// (no heartbeat -> removed -> rebalance; parked members do not expire, Kafka's rule), the
// SyncGroup deadline (members that never sync within the rebalance timeout are removed), the
// initial rebalance delay of a group starting from Empty, and the expiry of KIP-394 member ids
// that were handed out but never used.
//
// Deliberate differences from Kafka, all small: a rejoining member's protocols are checked
// against the *other* members only (Kafka counts its old protocols too and can refuse a
// single-member group that switches assignors); static members (group_instance_id) are fenced
// and replaced, but a replacement triggers a rebalance instead of inheriting the assignment.
//
// Not thread-safe: one owner (the group's coordinator actor).

#include <cstdint>
#include <map>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "lkstream/group/group_requests.hpp"

namespace lkstream::group {

enum class group_phase : uint8_t {
  empty,
  preparing_rebalance,
  completing_rebalance,
  stable,
  dead,
};

/// Kafka's state names: "Empty", "PreparingRebalance", "CompletingRebalance", "Stable", "Dead".
std::string_view to_string(group_phase p) noexcept;

struct group_config {
  int32_t min_session_timeout_ms = 6000;      // group.min.session.timeout.ms
  int32_t max_session_timeout_ms = 1800000;   // group.max.session.timeout.ms
  int32_t initial_rebalance_delay_ms = 3000;  // group.initial.rebalance.delay.ms
  int32_t new_member_join_timeout_ms = 300000;  // Kafka's NewMemberJoinTimeoutMs
};

struct join_completion {
  request_id id;
  join_response response;
};

struct sync_completion {
  request_id id;
  sync_response response;
};

/// Parked requests a call answered; the owner delivers them (in this order).
struct group_effects {
  std::vector<join_completion> joins;
  std::vector<sync_completion> syncs;
  bool empty() const { return joins.empty() && syncs.empty(); }
};

class group_state {
 public:
  /// `seed` feeds the member-id generator (the owner seeds it from std::random_device).
  group_state(std::string group_id, group_config cfg, uint64_t seed);

  /// JoinGroup. Answers at once (errors, MEMBER_ID_REQUIRED, a rejoin that changes nothing
  /// while Stable) or parks `id` until the rebalance completes.
  void join(request_id id, const join_request& req, int64_t now_ms, group_effects& out);

  /// SyncGroup. The leader's call completes the rebalance (members the leader left out get
  /// empty bytes; ids that are not members are ignored) and answers the parked followers; a
  /// follower's call parks until then. In Stable it returns the member's assignment.
  void sync(request_id id, const sync_request& req, int64_t now_ms, group_effects& out);

  /// Heartbeat: NONE, REBALANCE_IN_PROGRESS (rejoin), UNKNOWN_MEMBER_ID, ILLEGAL_GENERATION,
  /// FENCED_INSTANCE_ID, COORDINATOR_NOT_AVAILABLE (Dead). Refreshes the session on success
  /// and on REBALANCE_IN_PROGRESS.
  group_error heartbeat(const heartbeat_request& req, int64_t now_ms);

  /// LeaveGroup: removes each member (its parked JoinGroup gets UNKNOWN_MEMBER_ID) and starts
  /// a rebalance, or empties the group.
  leave_response leave(const leave_request& req, int64_t now_ms, group_effects& out);

  /// Kafka's OffsetCommit validation: generation < 0 on an Empty group is a simple commit
  /// (NONE); otherwise the member must exist (UNKNOWN_MEMBER_ID), the generation match
  /// (ILLEGAL_GENERATION) and the group not wait for SyncGroup (REBALANCE_IN_PROGRESS).
  /// A valid commit from a member refreshes its session.
  group_error validate_offset_commit(const offset_commit_request& req, int64_t now_ms);

  /// Applies every deadline reached at `now_ms`.
  void tick(int64_t now_ms, group_effects& out);

  /// Earliest time tick() has something to do; nullopt when nothing is timed.
  std::optional<int64_t> next_deadline() const;

  /// The group stops being served: every parked request gets NOT_COORDINATOR (clients look
  /// the coordinator up again), members are dropped, and the state becomes Dead.
  void shutdown(group_effects& out);

  group_description describe() const;

  const std::string& group_id() const { return group_id_; }
  group_phase phase() const { return phase_; }
  int32_t generation_id() const { return generation_; }
  const std::string& protocol_type() const { return protocol_type_; }
  const std::string& protocol_name() const { return protocol_name_; }
  /// "" when there is no leader.
  const std::string& leader() const { return leader_; }
  size_t member_count() const { return members_.size(); }
  bool has_member(const std::string& member_id) const { return members_.count(member_id) > 0; }
  /// The topics the members subscribe to (consumer groups: their ConsumerProtocolSubscription
  /// for the protocol in use, or for every protocol they offer while none is selected). Empty
  /// for other protocol types and for metadata that does not decode.
  std::set<std::string> subscribed_topics() const;

 private:
  struct member {
    std::string id;
    std::optional<std::string> instance_id;
    std::string client_id;
    std::string client_host;
    int32_t session_timeout_ms = 0;
    int32_t rebalance_timeout_ms = 0;
    std::vector<group_protocol> protocols;
    bytes assignment;
    std::optional<request_id> awaiting_join;
    std::optional<request_id> awaiting_sync;
    int64_t session_deadline = 0;
    bool is_new = false;  // joined during the running rebalance, not answered yet
    uint64_t join_seq = 0;
  };

  void join_new_member(request_id id, const join_request& req, int64_t now, group_effects& out);
  void join_existing_member(request_id id, const join_request& req, int64_t now,
                            group_effects& out);
  void add_member_and_rebalance(request_id id, const join_request& req, std::string member_id,
                                int64_t now, group_effects& out);
  void update_member_and_rebalance(member& m, request_id id, const join_request& req,
                                   int64_t now, group_effects& out);
  static void take_join_fields(member& m, const join_request& req);
  void maybe_prepare_rebalance(int64_t now, group_effects& out);
  void prepare_rebalance(int64_t now, group_effects& out);
  void try_complete_join(int64_t now, group_effects& out);
  void complete_join(int64_t now, group_effects& out);
  void remove_member(const std::string& member_id, group_error parked_error, group_effects& out);
  void remove_member_and_update(const std::string& member_id, int64_t now, group_effects& out);
  void reset_and_propagate_assignment_error(group_error err, int64_t now, group_effects& out);

  bool supports_protocols(const join_request& req, const std::string& except_member) const;
  bool all_members_joined() const;
  bool heartbeat_satisfied(const member& m) const;
  int32_t rebalance_timeout_ms() const;
  std::string select_protocol() const;
  std::vector<const member*> members_in_join_order() const;
  join_response current_join_response(const member& m) const;
  group_error check_member(const std::string& member_id,
                           const std::optional<std::string>& instance_id) const;
  std::string new_member_id(std::string_view client_id);

  std::string group_id_;
  group_config cfg_;
  std::mt19937_64 rng_;
  group_phase phase_ = group_phase::empty;
  int32_t generation_ = 0;
  std::string protocol_type_;
  std::string protocol_name_;
  std::string leader_;
  std::map<std::string, member> members_;
  std::map<std::string, int64_t> pending_members_;      // KIP-394 ids handed out -> expiry
  std::map<std::string, std::string> static_members_;   // group_instance_id -> member id
  std::set<std::string> pending_sync_;                  // members yet to send SyncGroup
  int64_t sync_deadline_ = 0;
  int64_t join_deadline_ = 0;       // while PreparingRebalance
  bool initial_delay_ = false;      // the running rebalance started from Empty
  bool new_member_added_ = false;   // a member joined during the current initial delay
  int64_t initial_delay_limit_ = 0;
  uint64_t next_join_seq_ = 0;
};

}  // namespace lkstream::group

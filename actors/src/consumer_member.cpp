// The embedded consumer's group member: Kafka's classic cycle (join, the leader assigns, sync,
// heartbeat) against the same group coordinator Kafka clients use, as an actor with
// asynchronous requests and timers (consumer_member_api.hpp). Eager rebalancing: after each
// sync every partition is revoked (positions committed first when auto-commit is on), then the
// new assignment is taken; poll() gives the new partitions their positions.
#include <map>

#include "consumer_impl.hpp"
#include "consumer_member_api.hpp"
#include "group/group_api.hpp"
#include "lkstream/group/assignor.hpp"
#include "lkstream/group/consumer_protocol.hpp"

namespace lkstream {
namespace {

using namespace std::chrono_literals;
using actors::consumer_member_actor;

constexpr auto retry_pause = 200ms;  // after a failed join or heartbeat

enum class phase { joining, syncing, revoking, stable, leaving };

struct member_state {
  static inline const char* name = "consumer_member";

  consumer::impl* owner = nullptr;  // outlives the member: close() waits for its answer
  group::group_manager_actor groups;
  std::vector<std::string> topics;
  std::string member_id;  // this member's view; commits read the copy published by the consumer
  int32_t generation = group::no_generation;
  phase step = phase::joining;
  uint64_t token = 0;           // of the current step: older ticks and replies are ignored
  bool rejoin_pending = false;  // a new subscription came during a join or sync
  std::vector<topic_partition> incoming;  // the synced assignment, taken once revoked
  // The leader's view of the partition counts it assigned (-1: topic missing). When one
  // changes (CreatePartitions, a subscribed topic created), the leader rejoins, which makes
  // the coordinator rebalance: what Kafka's clients do from their metadata refresh.
  bool leader = false;
  std::map<std::string, int32_t> assigned_counts;
};

using self_ptr = consumer_member_actor::stateful_pointer<member_state>;

void join(self_ptr self);

/// Starts a new step of the cycle; returns its token.
uint64_t enter(self_ptr self, phase p) {
  self->state.step = p;
  return ++self->state.token;
}

bool current(self_ptr self, uint64_t token) { return self->state.token == token; }

void retry_later(self_ptr self) {
  const uint64_t token = enter(self, phase::joining);
  self->delayed_send(self, retry_pause, actors::member_tick_atom::value, token);
}

bytes subscription_metadata(const std::vector<std::string>& topics) {
  group::consumer_subscription sub;
  sub.version = 0;
  sub.topics = topics;
  return group::encode_subscription(sub);
}

group::join_request join_request(const member_state& s) {
  const auto& opts = s.owner->opts;
  group::join_request jr;
  jr.group_id = opts.group_id;
  jr.member_id = s.member_id;
  jr.client_id = opts.client_id;
  jr.client_host = "embedded";
  jr.session_timeout_ms = static_cast<int32_t>(opts.session_timeout_ms);
  jr.rebalance_timeout_ms = static_cast<int32_t>(opts.rebalance_timeout_ms);
  jr.protocol_type = "consumer";
  auto meta = subscription_metadata(s.topics);
  jr.protocols.push_back({opts.assignment_strategy, meta});
  for (const char* other : {"range", "roundrobin"})
    if (opts.assignment_strategy != other) jr.protocols.push_back({other, meta});
  jr.require_known_member_id = true;
  return jr;
}

/// The leader's assignments for every member, from their subscriptions and the partition
/// counts of the topics they name.
std::vector<group::sync_assignment> assign(member_state& s, const group::join_response& j) {
  std::vector<group::assignor_member> members;
  group::partition_counts counts;
  const auto& board = *s.owner->eng->board;
  s.assigned_counts.clear();
  for (auto& m : j.members) {
    auto sub = group::decode_subscription(m.metadata);
    group::assignor_member am{m.member_id, m.group_instance_id, {}};
    if (sub) am.topics = sub->topics;
    for (auto& t : am.topics) {
      auto h = board.find(t);
      if (h) counts[t] = static_cast<int32_t>(h->partitions.size());
      s.assigned_counts[t] = h ? static_cast<int32_t>(h->partitions.size()) : -1;
    }
    members.push_back(std::move(am));
  }
  auto assignor = group::find_assignor(j.protocol_name);
  if (!assignor) assignor = group::find_assignor("range");
  auto plan = assignor(members, counts);
  std::vector<group::sync_assignment> out;
  for (auto& m : members) {
    group::consumer_assignment a;
    a.version = 0;
    a.assigned_partitions = group::group_by_topic(plan[m.member_id]);
    out.push_back({m.member_id, group::encode_assignment(a)});
  }
  return out;
}

/// The leader: did a subscribed topic's partition count change since it assigned?
bool partition_counts_changed(const member_state& s) {
  if (!s.leader) return false;
  const auto& board = *s.owner->eng->board;
  for (const auto& [topic, n] : s.assigned_counts) {
    auto h = board.find(topic);
    if ((h ? static_cast<int32_t>(h->partitions.size()) : -1) != n) return true;
  }
  return false;
}

void heartbeat_later(self_ptr self) {
  const uint64_t token = enter(self, phase::stable);
  const std::chrono::milliseconds interval(self->state.owner->opts.heartbeat_interval_ms);
  self->delayed_send(self, interval, actors::member_tick_atom::value, token);
}

/// The revocation is written: take the synced assignment and heartbeat from now on.
void take_assignment(self_ptr self) {
  auto& s = self->state;
  (void)s.owner->assign_slots({});
  // Published before any record of the new assignment can be polled, so a commit right after
  // the first poll carries this generation and member id.
  s.owner->publish_identity(true, s.generation, s.member_id);
  if (auto st = s.owner->assign_slots(s.incoming); !st)
    s.owner->eng->log("consumer group " + s.owner->opts.group_id +
                      ": assignment not taken: " + st.err().to_string());
  s.incoming.clear();
  if (std::exchange(s.rejoin_pending, false)) return join(self);
  heartbeat_later(self);
}

/// Eager rebalancing: every partition is revoked, its position committed first (auto-commit).
void revoke_then_take(self_ptr self) {
  auto& c = *self->state.owner;
  auto positions = c.opts.enable_auto_commit ? c.positions() : decltype(c.positions()){};
  if (positions.empty()) return take_assignment(self);
  const uint64_t token = enter(self, phase::revoking);
  auto me = caf::actor_cast<consumer_member_actor>(self);
  c.enqueue_commit(std::move(positions),
                   [me, token](const status&) {
                     caf::anon_send(me, actors::member_revoked_atom::value, token);
                   },
                   std::nullopt);
}

void sync(self_ptr self, const group::join_response& joined) {
  auto& s = self->state;
  group::sync_request sr;
  sr.group_id = s.owner->opts.group_id;
  sr.generation_id = s.generation;
  sr.member_id = s.member_id;
  s.leader = joined.leader == s.member_id;
  if (s.leader) sr.assignments = assign(s, joined);
  const uint64_t token = enter(self, phase::syncing);
  self->request(s.groups, caf::infinite, group::sync_group_atom::value, std::move(sr))
      .then(
          [self, token](group::sync_response& r) {
            if (!current(self, token)) return;
            if (r.error != group::group_error::none) return join(self);  // rebalance again
            auto assignment = group::decode_assignment(r.assignment);
            self->state.incoming =
                assignment ? group::flatten(assignment->assigned_partitions)
                           : std::vector<topic_partition>{};
            revoke_then_take(self);
          },
          [self, token](caf::error&) {
            if (current(self, token)) retry_later(self);
          });
}

void join(self_ptr self) {
  auto& s = self->state;
  s.rejoin_pending = false;
  const uint64_t token = enter(self, phase::joining);
  self->request(s.groups, caf::infinite, group::join_group_atom::value, join_request(s))
      .then(
          [self, token](group::join_response& r) {
            if (!current(self, token)) return;
            auto& s = self->state;
            switch (r.error) {
              case group::group_error::none:
                s.member_id = r.member_id;
                s.generation = r.generation_id;
                return sync(self, r);
              case group::group_error::member_id_required:
                s.member_id = r.member_id;
                return join(self);
              case group::group_error::unknown_member_id:
                s.member_id.clear();
                return join(self);
              default:
                return retry_later(self);
            }
          },
          [self, token](caf::error&) {
            if (current(self, token)) retry_later(self);
          });
}

void heartbeat(self_ptr self) {
  auto& s = self->state;
  const uint64_t token = enter(self, phase::stable);
  group::heartbeat_request rq{s.owner->opts.group_id, s.generation, s.member_id, std::nullopt};
  self->request(s.groups, caf::infinite, group::heartbeat_atom::value, std::move(rq))
      .then(
          [self, token](group::group_error e) {
            if (!current(self, token)) return;
            if (e == group::group_error::none) return heartbeat_later(self);
            // rebalance_in_progress, illegal_generation, unknown member: rejoin
            if (e == group::group_error::unknown_member_id) self->state.member_id.clear();
            join(self);
          },
          [self, token](caf::error&) {
            if (!current(self, token)) return;
            self->delayed_send(self, retry_pause, actors::member_tick_atom::value,
                               enter(self, phase::stable));
          });
}

/// Leaving: commit what was consumed (auto-commit), tell the coordinator, answer close().
void leave(self_ptr self, caf::typed_response_promise<bool> done) {
  auto& s = self->state;
  enter(self, phase::leaving);
  auto finish = [self, done]() mutable {
    self->state.owner->publish_identity(false, group::no_generation, {});
    done.deliver(true);
    self->quit();
  };
  if (s.member_id.empty() || s.generation < 0) return finish();
  group::leave_request rq{s.owner->opts.group_id, {{s.member_id, std::nullopt}}};
  self->request(s.groups, caf::infinite, group::leave_group_atom::value, std::move(rq))
      .then([finish](group::leave_response&) mutable { finish(); },
            [finish](caf::error&) mutable { finish(); });
}

consumer_member_actor::behavior_type member_behavior(self_ptr self) {
  return {
      [self](actors::member_rejoin_atom, std::vector<std::string>& topics) {
        auto& s = self->state;
        if (s.step == phase::leaving) return;
        s.topics = std::move(topics);
        if (s.step == phase::stable) return join(self);
        s.rejoin_pending = true;  // joined again once this cycle reaches stable
      },
      [self](actors::member_leave_atom) -> caf::typed_response_promise<bool> {
        auto done = self->make_response_promise<bool>();
        if (self->state.step != phase::leaving) leave(self, done);
        else done.deliver(true);
        return done;
      },
      [self](actors::member_tick_atom, uint64_t token) {
        if (!current(self, token)) return;
        if (self->state.step == phase::stable) {
          if (partition_counts_changed(self->state)) return join(self);
          heartbeat(self);
        } else if (self->state.step == phase::joining) {
          join(self);
        }
      },
      [self](actors::member_revoked_atom, uint64_t token) {
        if (current(self, token)) take_assignment(self);
      },
  };
}

}  // namespace

actors::consumer_member_actor consumer::impl::spawn_member(
    std::vector<std::string> topics, std::shared_ptr<std::promise<void>> gone) {
  return eng->sys->spawn([this, topics = std::move(topics), gone](self_ptr self) mutable {
    self->attach_functor([gone] { gone->set_value(); });
    auto& s = self->state;
    s.owner = this;
    s.groups = eng->groups;
    s.topics = std::move(topics);
    // The engine stops the group manager at close: the member goes with it. (A monitor, not a
    // link: a member that fails must not take the group manager down.)
    self->monitor(s.groups);
    self->set_down_handler([self](caf::down_msg&) { self->quit(); });
    self->set_default_handler(actors::log_unexpected_message);
    join(self);
    return member_behavior(self);
  });
}

}  // namespace lkstream

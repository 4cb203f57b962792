#include "txn/txn_coordinator_actor.hpp"

#include <map>
#include <optional>
#include <vector>

#include "lkstream/txn/txn_coordinator_core.hpp"
#include "partition/partition_api.hpp"

namespace lkstream::actors {
namespace {

using kafka::error_code;

struct inflight {
  txn::completion todo;
  uint64_t round = 0;
  size_t waiting = 0;  // markers and group commits of this round not answered yet
  bool failed = false;
  std::vector<caf::typed_response_promise<int16_t>> waiters;  // EndTxn callers
};

struct txn_state {
  txn_coordinator_config cfg;
  std::shared_ptr<txn::txn_coordinator_core> core;
  std::map<std::string, inflight> running;  // by transactional id
  uint64_t next_round = 1;
  static inline const char* name = "txn_coordinator";
};

using txn_self = txn_coordinator_actor::stateful_pointer<txn_state>;

int16_t wire(error_code e) { return static_cast<int16_t>(e); }

// Answers the partition's marker outcome back to the coordinator.
struct marker_sink final : partition::append_sink {
  txn_coordinator_actor coordinator;
  std::string id;
  uint64_t round;
  marker_sink(txn_coordinator_actor c, std::string i, uint64_t r)
      : coordinator(std::move(c)), id(std::move(i)), round(r) {}
  void on_appended(const partition::append_outcome& o) override {
    caf::anon_send(coordinator, txn_marker_done_atom::value, id, round,
                   static_cast<int32_t>(o.code));
  }
};

void log(txn_self self, const std::string& line) {
  if (self->state.cfg.log_line) self->state.cfg.log_line("transactions: " + line);
}

void finish_round(txn_self self, const std::string& id);

// One answer of the round: a marker or a group commit.
void settle(txn_self self, const std::string& id, uint64_t round, bool ok) {
  auto it = self->state.running.find(id);
  if (it == self->state.running.end() || it->second.round != round) return;  // stale
  if (!ok) it->second.failed = true;
  if (--it->second.waiting == 0) finish_round(self, id);
}

// Writes the markers (and on commit the offsets) of `id`'s decided transaction.
void start_round(txn_self self, const std::string& id) {
  auto& st = self->state;
  auto& f = st.running.at(id);
  f.round = st.next_round++;
  f.failed = false;
  f.waiting = 1;  // held until every request went out
  const auto topics = st.cfg.board->snapshot();
  for (const auto& tp : f.todo.partitions) {
    auto t = topics->find(tp.topic);
    // A deleted topic (or partition) has nothing left to mark.
    if (t == topics->end() || tp.partition.value() < 0 ||
        static_cast<size_t>(tp.partition.value()) >= t->second->partitions.size())
      continue;
    ++f.waiting;
    caf::anon_send(t->second->partitions[static_cast<size_t>(tp.partition.value())],
                   append_marker_atom::value, f.todo.producer_id, f.todo.epoch, f.todo.commit,
                   int32_t{0},
                   partition::append_sink_ptr(std::make_shared<marker_sink>(
                       txn_coordinator_actor{self}, id, f.round)));
  }
  if (f.todo.commit) {
    std::map<std::string, group::offset_commit_request> by_group;
    for (const auto& o : f.todo.offsets) {
      auto& rq = by_group[o.group_id];
      rq.mode = group::commit_mode::transactional;
      rq.group_id = o.group_id;
      rq.partitions.push_back({o.tp, o.offset, o.leader_epoch, o.metadata});
    }
    for (auto& [group_id, rq] : by_group) {
      ++f.waiting;
      const uint64_t round = f.round;
      self->request(st.cfg.groups, caf::infinite, group::commit_offsets_atom::value, rq)
          .then(
              [self, id, round](group::offset_commit_response& r) {
                bool ok = true;
                for (const auto& p : r.partitions) ok = ok && p.error == group::group_error::none;
                settle(self, id, round, ok);
              },
              [self, id, round](caf::error&) { settle(self, id, round, false); });
    }
  }
  settle(self, id, f.round, true);  // releases the hold
}

void finish_round(txn_self self, const std::string& id) {
  auto& st = self->state;
  auto& f = st.running.at(id);
  if (f.failed) {  // the next tick tries again
    log(self, "completing the " + std::string(f.todo.commit ? "commit" : "abort") + " of '" +
                  id + "' failed, retrying");
    return;
  }
  auto done = st.core->complete(id, st.cfg.now());
  if (!done) {
    log(self, done.err().message + ", retrying");
    f.failed = true;
    return;
  }
  auto waiters = std::move(f.waiters);
  st.running.erase(id);
  for (auto& w : waiters) w.deliver(wire(error_code::none));
}

// Starts finishing `todo` unless a round for its id runs already; `waiter` (EndTxn) is
// answered when it is finished. A transaction with nothing to write finishes inside this call.
void begin_completion(txn_self self, txn::completion todo,
                      std::optional<caf::typed_response_promise<int16_t>> waiter = {}) {
  auto& st = self->state;
  const std::string id = todo.transactional_id;
  auto [it, fresh] = st.running.try_emplace(id);
  if (waiter) it->second.waiters.push_back(std::move(*waiter));
  if (!fresh) return;
  it->second.todo = std::move(todo);
  start_round(self, id);
}

void tick(txn_self self) {
  auto& st = self->state;
  for (auto& c : st.core->expire(st.cfg.now())) {
    log(self, "transaction of '" + c.transactional_id + "' timed out: aborted, producer fenced");
    begin_completion(self, std::move(c));
  }
  std::vector<std::string> retry;
  for (auto& [id, f] : st.running)
    if (f.failed && f.waiting == 0) retry.push_back(id);
  for (auto& id : retry) start_round(self, id);
}

txn_coordinator_actor::behavior_type txn_behavior(txn_self self,
                                                  std::shared_ptr<txn::txn_coordinator_core> core,
                                                  txn_coordinator_config cfg) {
  auto& st = self->state;
  st.cfg = std::move(cfg);
  st.core = std::move(core);
  self->set_default_handler(log_unexpected_message);
  for (const auto& c : st.core->recovered()) {
    log(self, "recovery: completing the " + std::string(c.commit ? "commit" : "abort") +
                  " of '" + c.transactional_id + "'");
    begin_completion(self, c);
  }
  self->delayed_send(self, st.cfg.tick, txn_tick_atom::value);
  return {
    [self](txn_init_atom, const std::string& id,
           int32_t timeout_ms) -> caf::result<int16_t, int64_t, int16_t> {
      auto& st = self->state;
      auto r = st.core->init_producer_id(id, timeout_ms, st.cfg.now());
      if (r.abort) begin_completion(self, std::move(*r.abort));
      return {wire(r.error), r.producer_id, r.epoch};
    },
    [self](txn_add_partitions_atom, const std::string& id, int64_t pid, int16_t epoch,
           const txn::txn_partition_list& tps) -> int16_t {
      auto& st = self->state;
      return wire(st.core->add_partitions(id, pid, epoch, tps.partitions, st.cfg.now()));
    },
    [self](txn_add_offsets_atom, const std::string& id, int64_t pid, int16_t epoch,
           const std::string& group_id) -> int16_t {
      auto& st = self->state;
      return wire(st.core->add_offsets(id, pid, epoch, group_id, st.cfg.now()));
    },
    [self](txn_offset_commit_atom, const txn::txn_offset_commit_args& a) -> int16_t {
      auto& st = self->state;
      return wire(st.core->txn_offset_commit(a.transactional_id, a.producer_id, a.producer_epoch,
                                             a.group_id, a.offsets, st.cfg.now()));
    },
    [self](txn_end_atom, const std::string& id, int64_t pid, int16_t epoch,
           bool commit) -> caf::result<int16_t> {
      auto& st = self->state;
      auto r = st.core->end_txn(id, pid, epoch, commit, st.cfg.now());
      if (r.error != error_code::none) return wire(r.error);
      if (!r.todo) return wire(error_code::none);
      auto promise = self->make_response_promise<int16_t>();
      begin_completion(self, std::move(*r.todo), promise);
      return promise;
    },
    [self](txn_describe_atom, const std::vector<std::string>& ids) -> txn::txn_metadata_list {
      txn::txn_metadata_list out;
      for (const auto& id : ids) {
        if (const auto* m = self->state.core->find(id)) {
          out.txns.push_back(*m);
        } else {
          txn::txn_metadata unknown;
          unknown.transactional_id = id;
          out.txns.push_back(std::move(unknown));
        }
      }
      return out;
    },
    [self](txn_list_atom) -> txn::txn_metadata_list {
      txn::txn_metadata_list out;
      for (const auto& [id, m] : self->state.core->all()) out.txns.push_back(m);
      return out;
    },
    [self](txn_pending_offsets_atom, const std::string& group_id) -> txn::txn_partition_list {
      return {self->state.core->pending_offsets(group_id)};
    },
    [self](txn_tick_atom) {
      tick(self);
      self->delayed_send(self, self->state.cfg.tick, txn_tick_atom::value);
    },
    [self](txn_marker_done_atom, const std::string& id, uint64_t round, int32_t code) {
      const auto e = static_cast<errc>(code);
      // A deleted partition, or one where the producer moved past this epoch, needs no marker.
      const bool ok = e == errc::ok || e == errc::closed || e == errc::invalid_producer_epoch;
      if (e != errc::ok && ok)
        log(self, "marker of '" + id + "' not written: " + std::string(to_string(e)));
      settle(self, id, round, ok);
    },
  };
}

}  // namespace

result<txn_coordinator_actor> spawn_txn_coordinator(caf::actor_system& sys,
                                                    txn_coordinator_config cfg) {
  txn::coordinator_config cc;
  cc.fs = cfg.fs;
  cc.dir = storage::join_path(cfg.data_dir, "__transactions");
  cc.max_timeout_ms = cfg.max_timeout_ms;
  cc.allocate_producer_id = cfg.allocate_producer_id;
  LK_ASSIGN_OR_RETURN(auto core, txn::txn_coordinator_core::open(std::move(cc)));
  return sys.spawn([core = std::shared_ptr<txn::txn_coordinator_core>(std::move(core)),
                    cfg = std::move(cfg)](txn_self self) mutable {
    return txn_behavior(self, std::move(core), std::move(cfg));
  });
}

}  // namespace lkstream::actors

#include "group/group_coordinator_actor.hpp"
#include "file_syncer.hpp"

#include <chrono>
#include <random>

namespace lkstream::group {

namespace {

using self_ptr = group_coordinator_self;

int64_t actor_clock_ms(self_ptr self) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             self->clock().now().time_since_epoch())
      .count();
}

timestamp_ms wall_ms(const group_manager_config& cfg) {
  if (cfg.wall_clock_ms) return cfg.wall_clock_ms();
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

/// Answers the parked requests the state machine completed.
void deliver(self_ptr self, group_effects& effects) {
  auto& parked = self->state.parked;
  for (auto& j : effects.joins) {
    if (auto i = parked.find(j.id); i != parked.end()) {
      i->second.deliver(std::move(j.response));
      parked.erase(i);
    }
  }
  for (auto& s : effects.syncs) {
    if (auto i = parked.find(s.id); i != parked.end()) {
      i->second.deliver(std::move(s.response));
      parked.erase(i);
    }
  }
}

/// Makes sure a tick arrives at the state machine's next deadline.
void arm_timer(self_ptr self) {
  auto& st = self->state;
  auto deadline = st.group->next_deadline();
  if (!deadline) return;
  if (!st.armed_ticks.empty() && *st.armed_ticks.begin() <= *deadline) return;
  st.armed_ticks.insert(*deadline);
  auto delay = *deadline - actor_clock_ms(self);
  if (delay <= 0)
    self->send(self, group_tick_atom::value, *deadline);
  else
    self->delayed_send(self, std::chrono::milliseconds(delay), group_tick_atom::value, *deadline);
}

/// Opens the offset store if it is not open yet; false if that fails.
bool ensure_offsets(self_ptr self) {
  auto& st = self->state;
  if (st.offsets) return true;
  auto store = offset_store::open(st.cfg->fs, st.cfg->data_dir, st.group->group_id(),
                                  st.cfg->offsets);
  if (!store) {
    st.offsets_error = store.err().to_string();
    return false;
  }
  st.offsets = std::move(store).value();
  st.offsets_error.clear();
  return true;
}

void start_sync(self_ptr self);
offset_fetch_response fetch(self_ptr self, const offset_fetch_request& req);

/// Answers the fetches that waited for commits now settled (published or failed).
void answer_settled_fetches(self_ptr self) {
  auto& st = self->state;
  while (!st.pending_fetches.empty() &&
         (st.pending_commits.empty() ||
          st.pending_fetches.front().after < st.pending_commits.begin()->first)) {
    auto f = std::move(st.pending_fetches.front());
    st.pending_fetches.pop_front();
    f.promise.deliver(fetch(self, f.request));
  }
}

/// Settles the commits a finished sync covered (or failed) and starts the next sync.
void finish_sync(self_ptr self, const offset_store::sync_job& job, const status& outcome) {
  auto& st = self->state;
  if (!st.offsets) return;
  auto done = st.offsets->end_sync(job, outcome);
  auto& pending = st.pending_commits;
  for (auto i = pending.lower_bound(done.first); i != pending.end() && i->first <= done.last;) {
    auto& p = i->second;
    if (!outcome)  // not durable: the client retries (Kafka maps failed offset appends so too)
      for (auto at : p.accepted_at)
        p.response.partitions[at].error = group_error::coordinator_not_available;
    p.promise.deliver(std::move(p.response));
    i = pending.erase(i);
  }
  answer_settled_fetches(self);
  start_sync(self);
}

/// Hands the offsets written so far to the syncer, unless a sync is already out.
void start_sync(self_ptr self) {
  auto& st = self->state;
  if (!st.offsets) return;
  auto job = st.offsets->begin_sync();
  if (!job) return;
  if (!st.syncer) {  // testing scheduler: no thread of its own, sync inline
    finish_sync(self, *job, job->file ? job->file->sync() : status{});
    return;
  }
  self->request(st.syncer, caf::infinite, actors::file_sync_atom::value, job->file)
      .then(
          [self, job = *job](int32_t code, std::string& message) {
            status outcome;
            if (code != static_cast<int32_t>(errc::ok))
              outcome = status{static_cast<errc>(code), std::move(message)};
            finish_sync(self, job, outcome);
          },
          [self, job = *job](caf::error& e) {
            finish_sync(self, job,
                        status{errc::closed, "offset sync thread gone: " + self->system().render(e)});
          });
}

caf::result<offset_commit_response> commit(self_ptr self, const offset_commit_request& req) {
  auto& st = self->state;
  offset_commit_response resp;
  // The transaction coordinator's write of a committed transaction's offsets was checked at
  // TxnOffsetCommit time; a TxnOffsetCommit's check (KIP-447) is OffsetCommit's without the
  // rebalance one, as in Kafka.
  auto err = req.mode == commit_mode::transactional
                 ? group_error::none
                 : st.group->validate_offset_commit(req, actor_clock_ms(self));
  if (req.mode == commit_mode::validate_only) {
    if (err == group_error::rebalance_in_progress) err = group_error::none;
    for (const auto& p : req.partitions) resp.partitions.push_back({p.tp, err});
    return resp;
  }
  if (err == group_error::none && !ensure_offsets(self))
    err = group_error::coordinator_not_available;
  std::vector<offset_commit_partition> accepted;
  std::vector<size_t> accepted_at;
  for (const auto& p : req.partitions) {
    auto e = err;
    if (e == group_error::none && p.metadata.size() > st.cfg->offset_metadata_max_bytes)
      e = group_error::offset_metadata_too_large;
    if (e == group_error::none) {
      accepted.push_back(p);
      accepted_at.push_back(resp.partitions.size());
    }
    resp.partitions.push_back({p.tp, e});
  }
  if (accepted.empty()) return resp;
  auto seq = st.offsets->write_commit(accepted, wall_ms(*st.cfg));
  if (!seq) {
    for (auto i : accepted_at) resp.partitions[i].error = group_error::coordinator_not_available;
    return resp;
  }
  // The reply waits for the sync that covers this record (finish_sync delivers it).
  st.pending_commits.emplace(
      *seq, group_coordinator_state::pending_commit{self->make_response_promise(), std::move(resp),
                                                     std::move(accepted_at)});
  start_sync(self);
  return caf::delegated<offset_commit_response>{};
}

offset_fetch_response fetch(self_ptr self, const offset_fetch_request& req) {
  auto& st = self->state;
  offset_fetch_response resp;
  if (!ensure_offsets(self)) {
    resp.error = group_error::coordinator_not_available;
    if (req.partitions)
      for (const auto& tp : *req.partitions)
        resp.partitions.push_back({tp, -1, -1, {}, group_error::coordinator_not_available});
    return resp;
  }
  auto entry = [](const topic_partition& tp, const committed_offset* c) {
    offset_fetch_partition p{tp, -1, -1, {}, group_error::none};
    if (c) {
      p.offset = c->offset;
      p.leader_epoch = c->leader_epoch;
      p.metadata = c->metadata;
    }
    return p;
  };
  if (req.partitions) {
    for (const auto& tp : *req.partitions)
      resp.partitions.push_back(entry(tp, st.offsets->find(tp)));
  } else {
    for (const auto& [tp, c] : st.offsets->offsets()) resp.partitions.push_back(entry(tp, &c));
  }
  return resp;
}

}  // namespace

group_coordinator_actor::behavior_type group_coordinator(
    group_coordinator_self self, std::string group_id,
    std::shared_ptr<const group_manager_config> cfg, actors::file_syncer_actor syncer) {
  auto& st = self->state;
  st.cfg = cfg;
  st.syncer = std::move(syncer);
  st.group.emplace(std::move(group_id), cfg->group, std::random_device{}());
  ensure_offsets(self);
  self->set_exit_handler([self](caf::exit_msg& msg) {
    group_effects effects;
    self->state.group->shutdown(effects);
    deliver(self, effects);
    for (auto& [id, rp] : self->state.parked)  // defensive: nothing should be left
      rp.deliver(caf::make_error(caf::sec::request_receiver_down));
    self->state.parked.clear();
    // Commits whose sync did not finish were never acknowledged: say so (retriable).
    for (auto& [seq, p] : self->state.pending_commits) {
      for (auto at : p.accepted_at)
        p.response.partitions[at].error = group_error::coordinator_not_available;
      p.promise.deliver(std::move(p.response));
    }
    self->state.pending_commits.clear();
    answer_settled_fetches(self);
    self->state.syncer = actors::file_syncer_actor{};
    self->quit(msg.reason);
  });
  // A parked request must survive the handler that received it: answer later via the promise.
  auto park = [self]() {
    auto id = self->state.next_request_id++;
    self->state.parked.emplace(id, self->make_response_promise());
    return id;
  };
  return {
    [self, park](join_group_atom, const join_request& req) -> caf::result<join_response> {
      auto id = park();
      group_effects effects;
      self->state.group->join(id, req, actor_clock_ms(self), effects);
      deliver(self, effects);
      arm_timer(self);
      return caf::delegated<join_response>{};
    },
    [self, park](sync_group_atom, const sync_request& req) -> caf::result<sync_response> {
      auto id = park();
      group_effects effects;
      self->state.group->sync(id, req, actor_clock_ms(self), effects);
      deliver(self, effects);
      arm_timer(self);
      return caf::delegated<sync_response>{};
    },
    [self](heartbeat_atom, const heartbeat_request& req) -> group_error {
      auto e = self->state.group->heartbeat(req, actor_clock_ms(self));
      arm_timer(self);
      return e;
    },
    [self](leave_group_atom, const leave_request& req) -> leave_response {
      group_effects effects;
      auto resp = self->state.group->leave(req, actor_clock_ms(self), effects);
      deliver(self, effects);
      arm_timer(self);
      return resp;
    },
    [self](commit_offsets_atom,
           const offset_commit_request& req) -> caf::result<offset_commit_response> {
      auto resp = commit(self, req);
      arm_timer(self);
      return resp;
    },
    [self](fetch_offsets_atom,
           offset_fetch_request& req) -> caf::result<offset_fetch_response> {
      auto& st = self->state;
      if (st.pending_commits.empty()) return fetch(self, req);
      // Commits that arrived before this fetch are written but not durable yet, so not
      // visible: answer once they settled, or the sender would not read its own commit.
      st.pending_fetches.push_back(
          {st.pending_commits.rbegin()->first, self->make_response_promise(), std::move(req)});
      return caf::delegated<offset_fetch_response>{};
    },
    [self](describe_group_atom, const std::string&) -> group_description {
      return self->state.group->describe();
    },
    [self](delete_topic_offsets_atom, const std::string& topic) -> delete_topic_offsets_result {
      delete_topic_offsets_result r;
      if (!ensure_offsets(self)) {
        r.failures.push_back("group '" + self->state.group->group_id() +
                             "': " + self->state.offsets_error);
        return r;
      }
      auto removed = self->state.offsets->remove_topic(topic);
      if (removed)
        r.removed = *removed;
      else
        r.failures.push_back("group '" + self->state.group->group_id() +
                             "': " + removed.err().to_string());
      return r;
    },
    [self](delete_group_offsets_atom, const std::string&) -> delete_group_offsets_result {
      auto& st = self->state;
      delete_group_offsets_result r;
      r.members = st.group->member_count();
      if (r.members > 0) return r;
      if (!ensure_offsets(self)) {
        r.failure = st.offsets_error;
        return r;
      }
      std::set<std::string> topics;
      for (const auto& [tp, c] : st.offsets->offsets()) topics.insert(tp.topic);
      for (const auto& topic : topics) {
        auto removed = st.offsets->remove_topic(topic);
        if (!removed) {
          r.failure = removed.err().to_string();
          return r;
        }
        r.removed += *removed;
      }
      return r;
    },
    [self](delete_partition_offsets_atom,
           const offset_delete_request& req) -> offset_delete_response {
      auto& st = self->state;
      offset_delete_response r;
      const auto& g = *st.group;
      // Kafka: offsets of a group with members can only be deleted for a consumer group, and
      // then only for topics no member subscribes to.
      if (g.member_count() > 0 && g.protocol_type() != "consumer") {
        r.error = group_error::non_empty_group;
        return r;
      }
      if (!ensure_offsets(self)) {
        r.error = group_error::coordinator_not_available;
        r.failure = st.offsets_error;
        return r;
      }
      const auto subscribed = g.subscribed_topics();
      std::vector<topic_partition> unused;
      for (const auto& tp : req.partitions) {
        const bool busy = subscribed.count(tp.topic) > 0;
        r.partitions.emplace_back(tp, busy ? group_error::group_subscribed_to_topic
                                           : group_error::none);
        if (!busy) unused.push_back(tp);
      }
      if (auto removed = st.offsets->remove_partitions(unused); !removed) {
        r.error = group_error::coordinator_not_available;
        r.failure = removed.err().to_string();
        r.partitions.clear();
      }
      return r;
    },
    [self](delete_group_atom, const std::string&) -> caf::result<delete_group_result> {
      auto& st = self->state;
      delete_group_result r;
      if (st.group->member_count() > 0) {
        r.error = group_error::non_empty_group;
        return r;
      }
      status removed = ensure_offsets(self) ? st.offsets->remove_file()
                                            : status(error{errc::io_error, st.offsets_error});
      if (!removed) {
        r.error = group_error::coordinator_not_available;
        r.failure = removed.err().to_string();
        return r;
      }
      // The group is gone: answer, then stop (the manager forgets this coordinator; a later
      // request for the same id starts a new, empty group).
      auto rp = self->make_response_promise();
      rp.deliver(r);
      self->quit();
      return caf::delegated<delete_group_result>{};
    },
    [self](expire_offsets_atom) {
      auto& st = self->state;
      if (st.cfg->offsets_retention_ms <= 0 || st.group->phase() != group_phase::empty) return;
      if (ensure_offsets(self))
        (void)st.offsets->expire(wall_ms(*st.cfg), st.cfg->offsets_retention_ms);
    },
    [self](group_tick_atom, int64_t deadline) {
      self->state.armed_ticks.erase(deadline);
      group_effects effects;
      self->state.group->tick(actor_clock_ms(self), effects);
      deliver(self, effects);
      arm_timer(self);
    },
  };
}

}  // namespace lkstream::group

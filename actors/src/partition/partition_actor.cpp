#include "partition/partition_actor.hpp"
#include "file_syncer.hpp"

#include <algorithm>
#include <chrono>
#include <optional>

#include "lkstream/partition/partition_core.hpp"

namespace lkstream::actors {
namespace {

// The actor's part: CAF plumbing around the partition core (lkstream/partition/partition_core.hpp),
// which does the work and answers the sinks. Here: the sync thread, the timers, and the
// self-messages that batch syncs (group commit).
struct partition_state {
  std::optional<partition::partition_core> core;
  clock_fn now;                        // wall clock for append timestamps
  file_syncer_actor syncer;            // none: fdatasync inline
  bool sync_queued = false;            // a sync_atom to ourselves is in the mailbox
  bool interval_timer_armed = false;
  // One timer for all parked fetches (a timer per fetch cost the clock thread a message per
  // fetch): armed for the earliest deadline; only the newest (tmo_gen) counts when it fires.
  uint64_t tmo_gen = 0;
  bool tmo_armed = false;
  caf::actor_clock::time_point tmo_at;
  static inline const char* name = "partition";
  // CAF destroys the state in on_exit: the core's destructor syncs, answers what waits and
  // closes the log.
};

using partition_self = partition_actor::stateful_pointer<partition_state>;

void start_sync(partition_self self);

// `interval`: a sync at most fsync_interval_ms from now, unless one is armed already.
void arm_interval_sync(partition_self self) {
  auto& s = self->state;
  if (s.interval_timer_armed) return;
  s.interval_timer_armed = true;
  self->delayed_send(self, std::chrono::milliseconds(s.core->log_config().fsync_interval_ms),
                     interval_sync_atom::value);
}

// Carries out what the core asked for. `from_append`: the sync waits until the appends
// already in the mailbox ran (a message to self), so they share it.
void carry_out(partition_self self, const partition::core_todo& todo, bool from_append) {
  auto& s = self->state;
  if (todo.arm_interval_sync) arm_interval_sync(self);
  if (!todo.sync_wanted || s.sync_queued) return;
  if (from_append) {
    s.sync_queued = true;
    self->send(self, sync_atom::value);
  } else {
    start_sync(self);
  }
}

// Starts an fdatasync of what was appended so far on the syncer thread (inline without one);
// the actor keeps appending meanwhile. One job at a time (the core hands out none while one
// is out).
void start_sync(partition_self self) {
  auto& s = self->state;
  auto job = s.core->begin_sync();
  if (!job) return;
  if (!s.syncer) {
    carry_out(self, s.core->end_sync(*job, job->file->sync()), false);
    return;
  }
  self->request(s.syncer, caf::infinite, file_sync_atom::value, job->file)
      .then(
          [self, j = *job](int32_t code, std::string& message) {
            const status st =
                code == 0 ? status{} : status{static_cast<errc>(code), std::move(message)};
            carry_out(self, self->state.core->end_sync(j, st), false);
          },
          [self, j = *job](caf::error&) {  // the syncer is gone (shutdown): sync here
            carry_out(self, self->state.core->end_sync(j, j.file->sync()), false);
          });
}

// Makes sure a fetch_tmo arrives by the core's earliest parked-fetch deadline.
void arm_fetch_timer(partition_self self) {
  auto& s = self->state;
  auto next = s.core->next_deadline();
  if (!next || (s.tmo_armed && s.tmo_at <= *next)) return;
  s.tmo_armed = true;
  s.tmo_at = *next;
  self->delayed_send(self,
                     std::max(caf::actor_clock::duration_type::zero(), *next - self->clock().now()),
                     fetch_deadline_atom::value, ++s.tmo_gen);
}

partition_actor::behavior_type partition_behavior(partition_self self, partition_actor_config cfg) {
  auto& st = self->state;
  st.core.emplace(partition::partition_core::config{std::move(cfg.topic), cfg.id,
                                                    std::move(cfg.log), cfg.log_append_time,
                                                    std::move(cfg.transactions),
                                                    std::move(cfg.report)});
  st.now = std::move(cfg.now);
  st.syncer = std::move(cfg.syncer);
  self->set_default_handler(log_unexpected_message);
  return {
    [=](append_atom, append_batch& batch, append_sink_ptr& sink, bool validate) {
      auto& s = self->state;
      carry_out(self, s.core->append(std::move(batch), std::move(sink), validate, s.now()), true);
    },
    [=](append_marker_atom, int64_t producer_id, int16_t epoch, bool commit,
        int32_t coordinator_epoch, append_sink_ptr& sink) {
      auto& s = self->state;
      const model::transaction_marker marker{
          commit ? model::marker_type::commit : model::marker_type::abort, coordinator_epoch};
      carry_out(self, s.core->append_marker(producer_id, epoch, marker, std::move(sink), s.now()),
                true);
    },
    [=](describe_producers_atom) -> partition::producer_description_list {
      return self->state.core->describe_producers();
    },
    [=](sync_atom) {
      self->state.sync_queued = false;
      start_sync(self);
    },
    [=](interval_sync_atom) {
      self->state.interval_timer_armed = false;
      start_sync(self);
    },
    [=](fetch_atom, const fetch_request& rq, fetch_sink_ptr& sink) {
      if (self->state.core->fetch(rq, std::move(sink), self->clock().now()))
        arm_fetch_timer(self);
    },
    [=](answer_parked_fetch_atom, const fetch_sink_ptr& sink) {
      self->state.core->fetch_now(sink);
    },
    [=](fetch_deadline_atom, uint64_t gen) {
      auto& s = self->state;
      if (gen != s.tmo_gen) return;  // superseded by an earlier deadline
      s.tmo_armed = false;
      s.core->expire(self->clock().now());
      arm_fetch_timer(self);
    },
    [=](list_offsets_atom, int64_t ts, bool read_committed) -> caf::result<int64_t, int64_t> {
      auto r = self->state.core->list_offset(ts, read_committed);
      if (!r) return to_caf_error(r.err());
      return {r->first, r->second};
    },
    [=](describe_atom) -> partition_description { return self->state.core->describe(); },
    [=](apply_retention_atom, int64_t now_ms) -> caf::result<uint64_t> {
      auto r = self->state.core->apply_retention(now_ms);
      if (!r) return to_caf_error(r.err());
      return *r;
    },
    [=](delete_records_atom, int64_t before) -> caf::result<int64_t> {
      auto r = self->state.core->delete_records(before);
      if (!r) return to_caf_error(r.err());
      return *r;
    },
    [=](update_config_atom, const storage::log_config& c, bool log_append_time) {
      self->state.core->update_config(c, log_append_time);
    },
    [=](cleaning_snapshot_atom, int64_t now_ms) -> storage::cleaning_input {
      auto in = self->state.core->cleaning_snapshot(now_ms);
      return in ? std::move(*in) : storage::cleaning_input{};
    },
    [=](swap_cleaned_atom, const storage::cleaning_swap& swap) -> caf::result<uint64_t> {
      auto r = self->state.core->swap_cleaned(swap);
      if (!r) return to_caf_error(r.err());
      return *r;
    },
    [=](delete_atom) -> caf::result<bool> {
      auto st = self->state.core->remove();
      self->quit();
      if (!st) return to_caf_error(st.err());
      return true;
    },
  };
}

}  // namespace

partition_actor spawn_partition(caf::actor_system& sys, partition_actor_config cfg) {
  return sys.spawn([cfg = std::move(cfg)](partition_self self) mutable {
    return partition_behavior(self, std::move(cfg));
  });
}

}  // namespace lkstream::actors

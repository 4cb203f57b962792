#include "topic/cleaner_actor.hpp"

#include <deque>
#include <thread>
#include <vector>

#include "lkstream/storage/io_throttle.hpp"
#include "lkstream/storage/log_cleaner.hpp"

namespace lkstream::actors {
namespace {

// ---- the worker: the disk work, on its own thread ---------------------------------------

struct worker_state {
  std::unique_ptr<storage::log_cleaner> cleaner;  // the key map, allocated at its first cleaning
  std::unique_ptr<storage::io_throttle> throttle;
  std::shared_ptr<std::atomic<bool>> stop;
  static inline const char* name = "cleaner_worker";
};

using worker_self = cleaner_worker_actor::stateful_pointer<worker_state>;

cleaner_worker_actor::behavior_type worker_behavior(worker_self self,
                                                    std::shared_ptr<const cleaner_config> cfg) {
  auto& s = self->state;
  s.stop = cfg->stop;
  s.cleaner = std::make_unique<storage::log_cleaner>(
      cfg->fs, storage::cleaner_config{.dedupe_buffer_bytes = cfg->dedupe_buffer_bytes});
  s.throttle = std::make_unique<storage::io_throttle>(
      cfg->io_max_bytes_per_second,
      [] {
        return std::chrono::duration_cast<std::chrono::nanoseconds>(
                   std::chrono::steady_clock::now().time_since_epoch())
            .count();
      },
      [](int64_t ns) { std::this_thread::sleep_for(std::chrono::nanoseconds(ns)); });
  self->set_default_handler(log_unexpected_message);
  return {
      [=](clean_segments_atom, const storage::cleaning_input& in)
          -> caf::result<storage::cleaning_swap, uint64_t, uint64_t, bool> {
        auto& st = self->state;
        storage::cleaning_stats stats;
        auto stop = st.stop;
        auto* throttle = st.throttle.get();
        auto swap = st.cleaner->clean(in, stats, [stop, throttle](uint64_t n) {
          throttle->on_io(n);
          return !stop->load();
        });
        if (!swap) return to_caf_error(swap.err());
        return {std::move(*swap), stats.records_removed, stats.tombstones_removed, stats.partial};
      },
  };
}

// ---- the cleaner: rounds over the partitions --------------------------------------------

struct cleaner_state {
  std::shared_ptr<const cleaner_config> cfg;
  cleaner_worker_actor worker;
  // The round in progress: partitions still to visit, and who waits for its end.
  struct target {
    std::string name;  // "<topic>-<partition>", for logs
    partition_actor actor;
  };
  std::deque<target> todo;
  bool busy = false;
  uint64_t cleaned = 0;
  std::vector<shared_promise> waiters;       // answered when the current round ends
  std::vector<shared_promise> next_waiters;  // asked during it: answered by the next round
  static inline const char* name = "cleaner";
};

using cleaner_self = cleaner_actor::stateful_pointer<cleaner_state>;

void start_round(cleaner_self self);

void log_line(cleaner_self self, const std::string& line) {
  if (self->state.cfg->log_line) self->state.cfg->log_line(line);
}

void finish_round(cleaner_self self) {
  auto& s = self->state;
  s.busy = false;
  for (auto& w : s.waiters) w.deliver(s.cleaned);
  s.waiters = std::move(s.next_waiters);
  s.next_waiters.clear();
  if (!s.waiters.empty()) start_round(self);
}

std::string describe_cleaning(const std::string& name, const storage::cleaning_swap& swap,
                              uint64_t removed, uint64_t tombstones, bool partial,
                              uint64_t reclaimed) {
  return "cleaner: " + name + ": cleaned up to offset " +
         std::to_string(swap.clean_end.value()) + ", " + std::to_string(swap.segments.size()) +
         " segments rewritten, " + std::to_string(removed) + " records removed (" +
         std::to_string(tombstones) + " tombstones), " + std::to_string(reclaimed) +
         " bytes reclaimed" + (partial ? " (key map full: more next round)" : "");
}

// Visits the next partition of the round: snapshot there, clean in the worker, swap there.
void visit_next(cleaner_self self) {
  auto& s = self->state;
  if (s.todo.empty() || s.cfg->stop->load()) {
    s.todo.clear();
    finish_round(self);
    return;
  }
  auto t = std::move(s.todo.front());
  s.todo.pop_front();
  auto swap_in = [=](storage::cleaning_swap& swap, uint64_t removed, uint64_t tombstones,
                     bool partial) {
    self->request(t.actor, caf::infinite, swap_cleaned_atom::value, swap)
        .then(
            [=](uint64_t reclaimed) {
              ++self->state.cleaned;
              log_line(self,
                       describe_cleaning(t.name, swap, removed, tombstones, partial, reclaimed));
              visit_next(self);
            },
            [=](caf::error& e) {
              log_line(self, "cleaner: " + t.name + ": swap refused: " + caf::to_string(e));
              visit_next(self);
            });
  };
  self->request(t.actor, caf::infinite, cleaning_snapshot_atom::value, s.cfg->now())
      .then(
          [=](storage::cleaning_input& in) {
            if (in.closed.empty()) return visit_next(self);  // not due
            self->request(self->state.worker, caf::infinite, clean_segments_atom::value,
                          std::move(in))
                .then(swap_in, [=](caf::error& e) {
                  if (!self->state.cfg->stop->load())
                    log_line(self, "cleaner: " + t.name + ": " + caf::to_string(e));
                  visit_next(self);
                });
          },
          [=](caf::error&) { visit_next(self); });  // partition gone (topic deleted)
}

void start_round(cleaner_self self) {
  auto& s = self->state;
  s.busy = true;
  s.cleaned = 0;
  for (auto& [name, t] : *s.cfg->board->snapshot()) {
    if (!storage::compacts(t->settings.log.cleanup)) continue;
    for (size_t p = 0; p < t->partitions.size(); ++p)
      s.todo.push_back({name + "-" + std::to_string(p), t->partitions[p]});
  }
  visit_next(self);
}

cleaner_actor::behavior_type cleaner_behavior(cleaner_self self,
                                              std::shared_ptr<const cleaner_config> cfg) {
  auto& s = self->state;
  s.cfg = cfg;
  auto work = [cfg](worker_self w) { return worker_behavior(w, cfg); };
  s.worker = cfg->detached_worker ? self->spawn<caf::detached + caf::linked>(work)
                                  : self->spawn<caf::linked>(work);
  self->set_default_handler(log_unexpected_message);
  self->delayed_send(self, s.cfg->backoff, cleaner_tick_atom::value);
  return {
    [=](cleaner_tick_atom) {
      if (!self->state.busy) start_round(self);
      self->delayed_send(self, self->state.cfg->backoff, cleaner_tick_atom::value);
    },
    [=](run_cleaning_atom) -> caf::result<uint64_t> {
      auto& st = self->state;
      shared_promise rp{self->make_response_promise()};
      if (st.busy) {
        st.next_waiters.push_back(rp);
      } else {
        st.waiters.push_back(rp);
        start_round(self);
      }
      return caf::delegated<uint64_t>{};
    },
  };
}

}  // namespace

cleaner_actor spawn_cleaner(caf::actor_system& sys, cleaner_config cfg) {
  if (!cfg.stop) cfg.stop = std::make_shared<std::atomic<bool>>(false);
  auto shared = std::make_shared<const cleaner_config>(std::move(cfg));
  return sys.spawn([shared](cleaner_self self) { return cleaner_behavior(self, shared); });
}

}  // namespace lkstream::actors

#include "topic/retention_actor.hpp"

namespace lkstream::actors {
namespace {

struct retention_state {
  retention_config cfg;
  static inline const char* name = "retention";
};

using retention_self = retention_actor::stateful_pointer<retention_state>;

// Sends one retention request to every partition; calls done(total deleted) when all answered.
void run_round(retention_self self, std::function<void(uint64_t)> done) {
  auto snapshot = self->state.cfg.board->snapshot();
  const int64_t now = self->state.cfg.now();
  auto remaining = std::make_shared<size_t>(0);
  auto total = std::make_shared<uint64_t>(0);
  for (auto& [name, t] : *snapshot) *remaining += t->partitions.size();
  if (*remaining == 0) {
    done(0);
    return;
  }
  for (auto& [name, t] : *snapshot)
    for (auto& p : t->partitions)
      self->request(p, caf::infinite, apply_retention_atom::value, now)
          .then(
              [=](uint64_t n) {
                *total += n;
                if (--*remaining == 0) done(*total);
              },
              [=](caf::error&) {
                if (--*remaining == 0) done(*total);
              });
}

retention_actor::behavior_type retention_behavior(retention_self self, retention_config cfg) {
  self->state.cfg = std::move(cfg);
  self->set_default_handler(log_unexpected_message);
  self->delayed_send(self, self->state.cfg.interval, retention_tick_atom::value);
  if (self->state.cfg.files)
    self->delayed_send(self, self->state.cfg.files_interval, idle_files_tick_atom::value);
  return {
    [=](retention_tick_atom) {
      run_round(self, [](uint64_t) {});
      self->delayed_send(self, self->state.cfg.interval, retention_tick_atom::value);
    },
    [=](idle_files_tick_atom) {
      self->state.cfg.files->close_idle();
      self->delayed_send(self, self->state.cfg.files_interval, idle_files_tick_atom::value);
    },
    [=](run_retention_atom) -> caf::result<uint64_t> {
      shared_promise rp{self->make_response_promise()};
      run_round(self, [rp](uint64_t n) { rp.deliver(n); });
      return caf::delegated<uint64_t>{};
    },
  };
}

}  // namespace

retention_actor spawn_retention(caf::actor_system& sys, retention_config cfg) {
  return sys.spawn([cfg = std::move(cfg)](retention_self self) mutable {
    return retention_behavior(self, std::move(cfg));
  });
}

}  // namespace lkstream::actors

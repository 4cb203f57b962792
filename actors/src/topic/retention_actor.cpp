#include "topic/retention_actor.hpp"

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(lkstream::actors::retention_config)

namespace lkstream::actors {
namespace {

struct retention_state {
  retention_config cfg;
  static inline const char* name = "retention";
};

// Sends one retention request to every partition; calls done(total deleted) when all answered.
void run_round(caf::stateful_actor<retention_state>* self,
               std::function<void(uint64_t)> done) {
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
      self->request(p, caf::infinite, retention_atom::value, now)
          .then(
              [=](uint64_t n) {
                *total += n;
                if (--*remaining == 0) done(*total);
              },
              [=](caf::error&) {
                if (--*remaining == 0) done(*total);
              });
}

caf::behavior retention_behavior(caf::stateful_actor<retention_state>* self,
                                 retention_config cfg) {
  self->state.cfg = std::move(cfg);
  self->set_default_handler(log_unexpected_message);
  self->delayed_send(self, self->state.cfg.interval, tick_atom::value);
  return {
    [=](tick_atom) {
      run_round(self, [](uint64_t) {});
      self->delayed_send(self, self->state.cfg.interval, tick_atom::value);
    },
    [=](retention_atom) -> caf::result<uint64_t> {
      shared_promise rp{self->make_response_promise()};
      run_round(self, [rp](uint64_t n) { rp.deliver(n); });
      return caf::delegated<uint64_t>{};
    },
  };
}

}  // namespace

caf::actor spawn_retention(caf::actor_system& sys, retention_config cfg) {
  return sys.spawn(retention_behavior, std::move(cfg));
}

}  // namespace lkstream::actors

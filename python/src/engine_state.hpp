#pragma once
// What the Python objects of one engine share. A Python Engine, and every Producer, Consumer
// and KafkaListener made from it, hold a shared_ptr<engine_state>, so the C++ engine outlives
// everything that borrows it whatever order Python frees them in. The stop order has one
// owner, the engine: each child registers an engine close hook (engine::add_close_hook), so
// engine::close() stops the children, newest first, while the engine still works, then itself.
//
// Locking: `m` is shared by every engine call in progress and taken exclusively by close(), so
// no call runs on an engine being torn down (close hooks run under it: a child's
// close_for_engine must never take `m`). These are C++ locks: take them only with the GIL
// released (a thread that waits for one must never hold the GIL), which rules out deadlocks
// between the GIL and them. Nothing here holds Python objects: the last reference may be
// dropped on any thread.

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <shared_mutex>

#include "lkstream/engine.hpp"

namespace lkstream::python {

/// A child of an engine that must be closed before the engine closes.
class closable {
 public:
  virtual ~closable() = default;
  /// Idempotent; called with the GIL released, by the engine's close (a hook) or by the child
  /// itself. Must not take engine_state::m.
  virtual void close_for_engine() = 0;

 private:
  friend struct engine_state;
  std::atomic<uint64_t> close_hook{0};  // the engine's close hook for this child; 0: none
};

struct engine_state {
  std::shared_mutex m;
  std::unique_ptr<engine> eng;  // null once closed

  /// Registers `child` to be closed by the engine's close. Call under a shared lock of `m`
  /// with `eng` set, once, right after making the child.
  void adopt(const std::shared_ptr<closable>& child) {
    std::weak_ptr<closable> weak = child;
    child->close_hook = eng->add_close_hook([weak] {
      if (auto c = weak.lock()) c->close_for_engine();
    });
  }

  /// The child stops by itself: its hook goes. Not under `m` nor under the child's own lock
  /// (close may be running the child's hook and waiting for that lock). GIL released.
  void release(closable& child) {
    const uint64_t id = child.close_hook.exchange(0);
    if (id == 0) return;
    std::shared_lock lk(m);
    if (eng) eng->remove_close_hook(id);
  }

  /// Closes the engine, which first closes every child still open. Idempotent. GIL released.
  status close() {
    std::unique_lock lk(m);
    if (!eng) return {};
    auto st = eng->close();
    eng.reset();
    return st;
  }

  ~engine_state() { (void)close(); }
};

}  // namespace lkstream::python

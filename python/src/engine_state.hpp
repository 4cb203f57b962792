#pragma once
// What the Python objects of one engine share. A Python Engine, and every Producer, Consumer
// and KafkaListener made from it, hold a shared_ptr<engine_state>, so the C++ engine outlives
// everything that borrows it whatever order Python frees them in. Closing the engine first
// closes its children (they register here as weak closables), then the engine.
//
// Locking: `m` is shared by every engine call in progress and taken exclusively by close(), so
// no call runs on an engine being torn down. These are C++ locks: take them only with the GIL
// released (a thread that waits for one must never hold the GIL), which rules out deadlocks
// between the GIL and them. Nothing here holds Python objects: the last reference may be
// dropped on any thread.

#include <memory>
#include <mutex>
#include <shared_mutex>
#include <vector>

#include "lkstream/engine.hpp"

namespace lkstream::python {

/// A child of an engine that must be closed before the engine closes.
class closable {
 public:
  virtual ~closable() = default;
  /// Idempotent; called with the GIL released.
  virtual void close_for_engine() = 0;
};

struct engine_state {
  std::shared_mutex m;
  std::unique_ptr<engine> eng;  // null once closed

  std::mutex children_m;
  std::vector<std::weak_ptr<closable>> children;

  void adopt(const std::shared_ptr<closable>& child) {
    std::lock_guard g(children_m);
    std::erase_if(children, [](auto& w) { return w.expired(); });
    children.push_back(child);
  }

  /// Closes every child, then the engine. Idempotent. GIL released.
  status close() {
    close_children();
    std::unique_lock lk(m);
    if (!eng) return {};
    close_children();  // made while we waited for the lock (children are made under a shared lock)
    auto st = eng->close();
    eng.reset();
    return st;
  }

  ~engine_state() { (void)close(); }

 private:
  void close_children() {
    std::vector<std::weak_ptr<closable>> kids;
    {
      std::lock_guard g(children_m);
      kids.swap(children);
    }
    for (auto& w : kids)
      if (auto c = w.lock()) c->close_for_engine();
  }
};

}  // namespace lkstream::python

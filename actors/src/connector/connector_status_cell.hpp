#pragma once
// The status of one connector, shared between its actor (the writer) and the connector host
// (readers: status(), wait_for()). Readers never message the actor, so a connector stuck in
// a slow plugin call still reports its last known state.
//
// Threading: every member is safe from any thread.

#include <condition_variable>
#include <mutex>

#include "lkstream/connector_host.hpp"

namespace lkstream::actors {

struct connector_status_cell {
  /// Applies f(connector_status&) under the lock and wakes waiters.
  template <class F>
  void update(F&& f) {
    {
      std::lock_guard<std::mutex> g(m);
      f(status);
    }
    cv.notify_all();
  }

  connector_status snapshot() const {
    std::lock_guard<std::mutex> g(m);
    return status;
  }

  mutable std::mutex m;
  std::condition_variable cv;
  connector_status status;
};

}  // namespace lkstream::actors

#pragma once
// engine_services: what the components built on an engine may use of it (the Kafka listener
// and its handlers, the connector host and its actors, the pipeline runtime): its
// configuration, the topic metadata, the registry and group manager handles, its clock and
// log, topic auto-creation, stop hooks, and its actor system inside an engine_call. Not its
// lifecycle (close, the closed flag, ownership of the actor system), its file system or the
// data directory lock: those stay in engine::impl (engine_impl.hpp), which only the engine's
// own parts include (engine, producer, consumer, group client).
//
// Lifetime rules:
// - enter() gives an engine_call, the proof that the engine is open; close() waits for every
//   call to end before it destroys the actor system, and refuses new ones once it started.
//   Anything that touches the actor system for a bounded time (a spawn, a scoped_actor, a
//   blocking request) does it inside a call.
// - A component that keeps using the actor system after it returned to its caller (the
//   listener's io thread, spawned connector actors) registers a stop hook: close() runs the
//   hooks while the engine still works, so the component is stopped before the system goes.
// Cheap to copy: a pointer to the engine's internals.

#include <caf/fwd.hpp>

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "group/group_api.hpp"
#include "lkstream/config/config.hpp"
#include "lkstream/engine.hpp"
#include "lkstream/process/throttled_log.hpp"
#include "topic/topic_registry.hpp"
#include "txn/txn_coordinator_api.hpp"

namespace lkstream {

/// Proof that a call is inside an open engine (engine_services::enter, engine::impl::enter).
class engine_call {
 public:
  engine_call(engine_call&& o) noexcept : e_(std::exchange(o.e_, nullptr)) {}
  engine_call& operator=(engine_call&&) = delete;
  ~engine_call();

  /// The engine's actor system, valid for as long as this call lives.
  caf::actor_system& system() const;

 private:
  friend struct engine::impl;
  explicit engine_call(engine::impl& e) : e_(&e) {}
  engine::impl* e_;
};

class engine_services {
 public:
  explicit engine_services(engine& e);

  /// A call inside the engine, or nullopt once it is closing or closed (answer errc::closed).
  std::optional<engine_call> enter() const;

  /// Runs `stop` at close() before the actors stop, newest first; 0 if the engine is closed
  /// (then the component must not start). Any thread; `stop` must not call engine::close().
  uint64_t add_stop_hook(std::function<void()> stop) const;
  void remove_stop_hook(uint64_t id) const;

  const config::config& configuration() const;
  int32_t node_id() const { return configuration().broker.node_id; }
  /// The topics and their partition actors; lock-free snapshots, any thread.
  const actors::metadata_board& board() const;
  const actors::topic_registry_actor& registry() const;
  const group::group_manager_actor& groups() const;
  /// The transaction coordinator (txn/txn_coordinator_api.hpp).
  const actors::txn_coordinator_actor& transactions() const;
  /// A producer id no other producer of this engine holds (idempotent and transactional
  /// producers share the sequence). Any thread.
  int64_t allocate_producer_id() const;
  /// The engine's clock (injected by tests), milliseconds since the epoch.
  timestamp_ms now_ms() const;

  /// One line to the engine's log (any thread), rate-limited by its text.
  void log(std::string_view line) const;
  /// One line, rate-limited with every other line of `key` (lines that differ in details).
  void log_limited(std::string_view key, std::string_view line) const;
  /// The engine's rate-limited log, for components that hand it to threads of their own.
  std::shared_ptr<process::throttled_log> logger() const;

  /// Creates a topic with the configured defaults unless it exists (auto-creation). Makes a
  /// blocking request: not from inside an actor of the engine.
  status ensure_topic(std::string_view name) const;

 private:
  engine::impl* e_;
};

}  // namespace lkstream

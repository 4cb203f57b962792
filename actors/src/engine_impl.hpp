#pragma once
// engine::impl: owns the actor system and the engine's long-lived actors. Shared (internally)
// by the producer, consumer, and later the Kafka listener and connector host.

#include <caf/all.hpp>

#include <atomic>
#include <condition_variable>
#include <optional>

#include <functional>
#include <memory>
#include <mutex>
#include <utility>
#include <vector>

#include "lkstream/engine.hpp"
#include "lkstream/storage/file_cache.hpp"
#include "group/group_api.hpp"
#include "lkstream/process/throttled_log.hpp"
#include "engine_services.hpp"
#include "messages.hpp"
#include "topic/cleaner_api.hpp"
#include "topic/retention_api.hpp"
#include "txn/txn_coordinator_api.hpp"
#include "topic/topic_registry.hpp"

namespace lkstream {

struct engine::impl {
  config::config cfg;
  std::shared_ptr<storage::file_cache> files;  // the descriptor budget over the file system
  std::shared_ptr<storage::file_system> fs;     // == files: what every log opens through
  std::unique_ptr<storage::file_lock> lock;
  actors::clock_fn clock;
  /// The engine's log: engine_options::log behind a throttle, so every line that repeats is
  /// rate-limited (one per interval with the count suppressed), wherever it comes from. `log`
  /// keys lines by their text; logger->write(key, line) groups lines that differ in details.
  std::shared_ptr<process::throttled_log> logger;
  std::function<void(std::string_view)> log;
  caf::actor_system_config sys_cfg;
  std::unique_ptr<caf::actor_system> sys;
  std::shared_ptr<actors::metadata_board> board = std::make_shared<actors::metadata_board>();
  actors::topic_registry_actor registry;
  actors::retention_actor retention;
  actors::cleaner_actor cleaner;                 // log compaction (detached: its own thread)
  std::shared_ptr<std::atomic<bool>> cleaner_stop = std::make_shared<std::atomic<bool>>(false);
  group::group_manager_actor groups;  // consumer-group coordinators
  actors::txn_coordinator_actor transactions;  // the transaction coordinator
  /// The last producer id handed out (allocate_producer_id).
  std::atomic<int64_t> last_producer_id{0};
  /// A fresh producer id: above every earlier one of this process and, being derived from
  /// the wall clock (ms * 1024), of earlier runs that handed out fewer than 1024 per ms.
  int64_t allocate_producer_id();
  std::mutex close_mutex;

  // ---- lifecycle: open -> closing -> closed ----------------------------------------------
  // close() first runs the stop hooks (below) while the engine still works, then sets
  // `closed` (every later call is refused with errc::closed), stops the actors (calls waiting
  // on them get errors and return), waits until no call is inside, and only then destroys the
  // actor system. A call that touches `sys` or an actor handle holds an engine_call from
  // enter() for as long as it does, so close() never destroys them under it. `closed` may be
  // read without a lock as a cheap early answer (it only ever goes false -> true).
  std::atomic<bool> closed{false};

  /// An engine_call (engine_services.hpp), or nullopt once the engine is closed (answer
  /// errc::closed then).
  std::optional<engine_call> enter();

  /// Components that run on the engine and must stop before its actors do (the connector
  /// host, listeners) register a stop function. close() runs those still registered, newest
  /// first, before anything else shuts down (the engine still works inside them), so an
  /// application that forgot to stop such a component gets a clean shutdown instead of a hang.
  /// A component that stops by itself removes its hook first. Any thread; hooks must not call
  /// engine::close(). Returns the id for remove_stop_hook(); 0 if the engine is closed.
  uint64_t add_stop_hook(std::function<void()> stop);
  void remove_stop_hook(uint64_t id);
  std::mutex hooks_mutex;
  std::vector<std::pair<uint64_t, std::function<void()>>> stop_hooks;
  uint64_t next_hook_id = 1;

  /// Blocking request from an application thread inside an engine_call; converts CAF errors.
  /// A call that close() overtook (its actors stopped under it) answers errc::closed, whatever
  /// the stopped actor said.
  template <class T, class Handle, class... Ts>
  result<T> ask(const Handle& dest, Ts&&... xs) {
    auto r = actors::blocking_request<T>(*sys, dest, std::forward<Ts>(xs)...);
    if (!r && closed) return closed_error();
    return r;
  }
  static error closed_error() { return error{errc::closed, "the engine closed during the call"}; }

  /// Creates a topic with the configured defaults if it does not exist (auto-create).
  status ensure_topic(std::string_view name);

  status shutdown();

 private:
  friend class engine_call;
  void leave();
  std::mutex life_mutex;
  std::condition_variable life_cv;
  uint64_t active_calls = 0;

 public:

  /// Spawns the consumer-group manager (engine_groups.cpp).
  group::group_manager_actor spawn_groups();
  /// Drops every group's committed offsets of a deleted topic (registry context).
  void on_topic_deleted(const std::string& topic);
};

/// How the library's own components (the Kafka listener, the connector host, the pipeline
/// runtime, white-box tests) reach an engine's internals; engine.hpp has no accessor.
struct engine_access {
  static engine::impl& of(engine& e) { return *e.impl_; }
};

}  // namespace lkstream

#pragma once
// listener_core: what every connection and handler of one kafka_listener shares. It owns the
// io_context (the io thread runs it) and bridges to the engine's actors.
//
// Threading: everything runs on the io thread except post(), the sinks' callbacks (which only
// post), and the io actor's enqueue hook (which only posts). Handlers and connections
// therefore need no locks.
//
// Order: every message the listener sends into the actor system leaves from the io thread at
// the moment its handler runs: partition sinks by anon_send, everything else through ask(),
// whose requests are sent by the io thread's own actor (io_actor), not by a relay actor of
// their own. A mailbox keeps the order in which messages were put into it, so one
// connection's requests reach each actor (partition, registry, group manager, and through
// the manager's synchronous routing the group's coordinator) in the order they arrived. What
// this cannot order, effects seen through another path, is ordered per connection by
// connection.cpp (request_order, handlers/handler.hpp).
//
// Lifetime: kafka_listener owns the core through a shared_ptr; sinks and the io actor's hook
// hold weak_ptrs and drop their answer when the core is gone (the listener was stopped). The
// io thread is joined before the last strong reference goes, so the io_context never dies
// while running.

#include <caf/actor_companion.hpp>
#include <caf/all.hpp>
#include <caf/scoped_execution_unit.hpp>

#include <atomic>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <unordered_map>

#include "engine_services.hpp"
#include "lkstream/kafka_listener.hpp"
#include "lkstream/security/credential_store.hpp"
#include "lkstream/storage/file_system.hpp"
#include "messages.hpp"
#include "net/asio.hpp"

namespace lkstream::net {

class connection;

/// The io thread's actor: an actor_companion (CAF runs none of its code; its mailbox is the
/// io_context) that can send requests. Its replies are posted to the io thread and their
/// handlers run there.
class io_actor : public caf::extend<caf::actor_companion, io_actor>::with<caf::mixin::requester> {
 public:
  using super = caf::extend<caf::actor_companion, io_actor>::with<caf::mixin::requester>;
  using super::super;
};

/// The value ask() delivers: R for one reply value, std::tuple<Rs...> for several.
template <class... Rs>
using reply_value_t = std::conditional_t<sizeof...(Rs) == 1,
                                         std::tuple_element_t<0, std::tuple<Rs...>>,
                                         std::tuple<Rs...>>;

/// The counters behind listener_stats: written on the io thread, read by stats() on any
/// thread. kafka_listener keeps its own reference, so stats() works after stop().
struct listener_counters {
  std::atomic<uint64_t> connections_open{0};
  std::atomic<uint64_t> connections_accepted{0};
  std::atomic<uint64_t> refused_limit{0};
  std::atomic<uint64_t> refused_per_ip{0};
  std::atomic<uint64_t> refused_no_descriptors{0};
  std::atomic<uint64_t> accept_errors{0};
  std::atomic<uint64_t> accept_pauses{0};
};

class listener_core : public std::enable_shared_from_this<listener_core> {
 public:
  /// Resolves max_connections = auto against the open-files limit now.
  listener_core(engine_services eng, listener_options opts);

  asio::io_context io;
  const engine_services eng;
  const listener_options opts;
  std::string advertised_host;  // set by start(), before the io thread runs
  int32_t advertised_port = 0;

  int32_t node_id() const { return eng.node_id(); }

  /// One line to the engine's log (any thread); rate-limited like every engine log line.
  void log(const std::string& line) const { eng.log(line); }
  /// One line, rate-limited with every other line of `key` (lines that differ in details:
  /// peers, ids). Any thread.
  void log_limited(std::string_view key, const std::string& line) const {
    eng.log_limited(key, line);
  }

  const std::shared_ptr<listener_counters> counters = std::make_shared<listener_counters>();
  /// The connection limits in force; process::open_files_limit::no_limit = none.
  const uint64_t max_connections;
  const uint64_t max_connections_per_ip;

  /// Runs `fn` on the io thread, unless the core is gone (then `fn` is dropped).
  template <class F>
  static void post(const std::weak_ptr<listener_core>& weak, F&& fn) {
    if (auto core = weak.lock()) asio::post(core->io, std::forward<F>(fn));
  }

  /// Sends a request to an actor and calls `done(result<reply_value_t<Rs...>>)` with its
  /// answer (or its error) on the io thread. io thread only: the request is in `dest`'s
  /// mailbox when this returns, behind everything the io thread sent it before.
  template <class... Rs, class Done, class Handle, class... Ts>
  void ask(const Handle& dest, Done done, Ts&&... xs) {
    using value = reply_value_t<Rs...>;
    if (!dest || !io_actor_) {
      done(result<value>(errc::closed, "the engine is shut down"));
      return;
    }
    io_actor_->request(dest, caf::infinite, std::forward<Ts>(xs)...)
        .then([done](Rs&... rs) mutable { done(result<value>(value{std::move(rs)...})); },
              [done](caf::error& e) mutable { done(result<value>(actors::from_caf_error(e))); });
  }

  /// Spawns the io actor in `sys` (the engine's, which the listener keeps open by holding an
  /// engine_call until it stopped); call once, before the io thread runs.
  void start_io_actor(caf::actor_system& sys);
  /// Ends the io actor (replies still on their way are dropped); io thread, at stop.
  void stop_io_actor();

  // ---- io thread only -------------------------------------------------------------------

  /// Global buffered-request budget (limits.max_buffered_bytes).
  bool try_reserve(size_t n);
  void release(size_t n);
  /// Calls back conn->resume_reading() once budget was released.
  void wait_for_budget(const std::shared_ptr<connection>& conn);

  /// The SCRAM credentials (DATA_DIR/scram-credentials), loaded by start(); SaslAuthenticate
  /// reads them, AlterUserScramCredentials changes and saves them.
  security::credential_store credentials;
  std::shared_ptr<storage::file_system> fs = storage::make_posix_file_system();
  /// True when connections must authenticate (a SASL security protocol).
  bool requires_sasl() const noexcept {
    return opts.security.protocol == config::security_protocol::sasl_plaintext;
  }

  /// A new producer id for InitProducerId: unique across restarts of this data directory as
  /// long as the wall clock does not go back (ids are clock_ms * 1024 + a counter).
  int64_t next_producer_id();

  /// Why a new connection from `peer_host` must be refused (max_connections or
  /// max_connections_per_ip reached, counted in `counters`), or nullopt to serve it.
  std::optional<std::string> refusal(const std::string& peer_host);
  void add(const std::shared_ptr<connection>& conn);
  void remove(uint64_t id);
  uint64_t next_connection_id() noexcept { return ++last_connection_id_; }
  size_t connection_count() const noexcept { return connections_.size(); }
  /// Drains every connection; `on_all_closed` runs once none is left.
  void drain_all(std::function<void()> on_all_closed);
  void close_all(const std::string& why);

 private:
  uint64_t buffered_ = 0;
  std::deque<std::weak_ptr<connection>> budget_waiters_;
  uint64_t last_connection_id_ = 0;
  std::unordered_map<uint64_t, std::shared_ptr<connection>> connections_;
  std::unordered_map<std::string, uint64_t> connections_per_ip_;  // peer_host -> open
  std::function<void()> on_all_closed_;
  caf::actor io_actor_handle_;
  io_actor* io_actor_ = nullptr;  // null before start_io_actor() and after stop_io_actor()
  std::unique_ptr<caf::scoped_execution_unit> io_context_unit_;
};

/// An append_sink that hands the outcome to `done` on the io thread. If the partition actor
/// drops the request without answering (it was gone), `done` gets errc::closed.
class net_append_sink final : public actors::append_sink {
 public:
  using done_fn = std::function<void(const actors::append_outcome&)>;
  net_append_sink(std::weak_ptr<listener_core> core, done_fn done)
      : core_(std::move(core)), done_(std::move(done)) {}
  ~net_append_sink() override;
  void on_appended(const actors::append_outcome& outcome) override;

 private:
  std::weak_ptr<listener_core> core_;
  done_fn done_;
  bool answered_ = false;
};

/// A fetch_sink that hands the response to `done` on the io thread; errc::closed if dropped.
class net_fetch_sink final : public actors::fetch_sink {
 public:
  using done_fn = std::function<void(actors::fetch_response&)>;
  net_fetch_sink(std::weak_ptr<listener_core> core, done_fn done)
      : core_(std::move(core)), done_(std::move(done)) {}
  ~net_fetch_sink() override;
  void on_fetched(actors::fetch_response response) override;

 private:
  std::weak_ptr<listener_core> core_;
  done_fn done_;
  bool answered_ = false;
};

}  // namespace lkstream::net

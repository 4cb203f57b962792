#pragma once
// Helpers shared by the engine's actors (internal; CAF stays out of the public
// headers). Messages carry whole batches in shared buffers, never single records.
//
// Completion "sinks" (lkstream/partition/partition_types.hpp) are the reply path to plain
// threads and network sessions; they avoid a blocking scoped_actor per call.

#include <caf/all.hpp>

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "lkstream/base/result.hpp"
#include "lkstream/base/shared_slice.hpp"
#include "lkstream/base/types.hpp"
#include "lkstream/partition/partition_types.hpp"
#include "lkstream/storage/log.hpp"
#include "message_types.hpp"

namespace lkstream::actors {

// Atoms more than one actor's interface uses; the rest are declared with their actor's
// interface (<actor>_api.hpp).
using describe_atom = caf::atom_constant<caf::atom("describe")>;
using delete_atom = caf::atom_constant<caf::atom("delete")>;

/// Wall-clock milliseconds. Injected so tests can drive retention and segment age.
using clock_fn = std::function<timestamp_ms()>;
timestamp_ms system_clock_ms();

// The partition's own types (CAF-free, framework/include/lkstream/partition/partition_types.hpp),
// under the names the actors have always used.
using partition::append_batch;
using partition::append_outcome;
using partition::append_sink;
using partition::append_sink_ptr;
using partition::fetch_request;
using partition::fetch_response;
using partition::fetch_sink;
using partition::fetch_sink_ptr;
using partition::partition_description;
using partition::sequence_check;

/// The default handler of the engine's long-lived actors (instead of caf::drop): a message no
/// handler matches (a signature that changed, a stray reply) is logged to stderr with the
/// actor's name and counted, and a requester gets sec::unexpected_message. Never silent.
caf::result<caf::message> log_unexpected_message(caf::scheduled_actor* self, caf::message_view& x);
/// How many messages log_unexpected_message saw in this process.
uint64_t unexpected_message_count();

/// lkstream::error <-> caf::error, keeping the message text as the error's context.
caf::error to_caf_error(const error& e);
caf::error to_caf_error(errc code, std::string message);
error from_caf_error(const caf::error& e);

/// A response promise an actor keeps in the handlers of the requests it made to answer it
/// (fan-out: retention rounds, group listings, topic deletion). CAF 0.17 drops an undelivered
/// promise silently: if the actor ends (shutdown) before every handler ran, the handlers are
/// destroyed and the original requester would wait forever. The last copy of a shared_promise
/// answers errc::closed instead when nothing was delivered.
class shared_promise {
 public:
  explicit shared_promise(caf::response_promise rp)
      : st_(std::make_shared<state>(std::move(rp))) {}
  template <class... Ts>
  void deliver(Ts&&... xs) const {
    st_->rp.deliver(std::forward<Ts>(xs)...);
  }

 private:
  struct state {
    explicit state(caf::response_promise p) : rp(std::move(p)) {}
    state(const state&) = delete;
    state& operator=(const state&) = delete;
    ~state() {
      if (rp.pending()) rp.deliver(to_caf_error(errc::closed, "shut down before answering"));
    }
    caf::response_promise rp;
  };
  std::shared_ptr<state> st_;
};

/// Put at the top of every call from an application thread into CAF that spawns an actor or
/// makes a blocking request: drops, when it ends, the reference to the actor system's logger
/// that CAF 0.17 leaves in the calling thread (a thread-local strong reference, taken by the
/// actor_system constructor, every top-level spawn and every scoped_actor; caf/logger.cpp).
/// ~actor_system waits until the logger is destroyed, so an application thread that once
/// spawned or made a blocking call would keep engine::close() on another thread from ever
/// returning. Only on a thread that held no logger when the scope began (an application
/// thread): CAF's own threads keep theirs.
class caf_thread_scope {
 public:
  caf_thread_scope() : app_thread_(caf::logger::current_logger() == nullptr) {}
  caf_thread_scope(const caf_thread_scope&) = delete;
  caf_thread_scope& operator=(const caf_thread_scope&) = delete;
  ~caf_thread_scope() {
    if (app_thread_) caf::logger::set_current_actor_system(nullptr);
  }

 private:
  bool app_thread_;
};

/// caf::scoped_actor for blocking calls from any thread (use it instead of scoped_actor): the
/// same, inside a caf_thread_scope.
class blocking_caller {
 public:
  explicit blocking_caller(caf::actor_system& sys) : self_(sys) {}
  caf::blocking_actor* operator->() const { return self_.operator->(); }

 private:
  caf_thread_scope scope_;  // destroyed after self_
  caf::scoped_actor self_;
};

/// A request from a plain (non-actor) thread that blocks for the reply; CAF errors come back
/// as lkstream errors. For rare calls (admin, group membership): hot paths use sinks.
/// `dest` is a typed handle (the compiler checks the message) or a caf::actor.
template <class T, class Handle, class... Ts>
result<T> blocking_request(caf::actor_system& sys, const Handle& dest, Ts&&... xs) {
  if (!dest) return error{errc::closed, "the engine is shut down"};
  blocking_caller self{sys};
  std::optional<result<T>> out;
  self->request(dest, caf::infinite, std::forward<Ts>(xs)...)
      .receive([&](T& v) { out.emplace(std::move(v)); },
               [&](caf::error& e) { out.emplace(from_caf_error(e)); });
  return std::move(*out);
}

}  // namespace lkstream::actors


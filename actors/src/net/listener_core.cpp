#include "net/listener_core.hpp"

#include <caf/detail/disposer.hpp>

#include <algorithm>

#include "lkstream/process/open_files.hpp"
#include "net/connection.hpp"

namespace lkstream::net {

namespace {

using process::open_files_limit;

uint64_t connection_limit(int64_t configured) {
  if (configured == config::connections_unlimited) return open_files_limit::no_limit;
  if (configured != config::connections_auto) return static_cast<uint64_t>(configured);
  auto limit = process::current_open_files_limit();
  return process::auto_max_connections(limit ? limit->soft : open_files_limit::no_limit);
}

}  // namespace

listener_core::listener_core(engine_services e, listener_options o)
    : eng(e),
      opts(std::move(o)),
      max_connections(connection_limit(opts.limits.max_connections)),
      max_connections_per_ip(connection_limit(opts.limits.max_connections_per_ip)) {}

void listener_core::start_io_actor(caf::actor_system& sys) {
  io_context_unit_ = std::make_unique<caf::scoped_execution_unit>(&sys);
  io_actor_handle_ = sys.spawn<io_actor>();
  io_actor_ = static_cast<io_actor*>(caf::actor_cast<caf::abstract_actor*>(io_actor_handle_));
  // Replies (the only messages it gets) arrive on any thread: run them on the io thread.
  io_actor_->on_enqueue([weak = weak_from_this()](caf::mailbox_element_ptr msg) {
    std::shared_ptr<caf::mailbox_element> m(msg.release(), caf::detail::disposer{});
    post(weak, [weak, m] {
      auto core = weak.lock();
      if (core && core->io_actor_) core->io_actor_->activate(core->io_context_unit_.get(), *m);
    });
  });
  // A behavior keeps it alive between replies (an actor without one ends once idle).
  asio::post(io, [weak = weak_from_this()] {
    if (auto core = weak.lock(); core && core->io_actor_)
      core->io_actor_->become([](int32_t) {});  // nobody sends it anything but replies
  });
}

void listener_core::stop_io_actor() {
  if (!io_actor_) return;
  // Pending replies' handlers are dropped: by now every connection is closed.
  io_actor_->cleanup(caf::exit_reason::user_shutdown, io_context_unit_.get());
  io_actor_ = nullptr;
  io_actor_handle_ = caf::actor{};
}

bool listener_core::try_reserve(size_t n) {
  // A single request may always proceed when nothing else is buffered, so one request of
  // max_request_bytes works even with max_buffered_bytes set equal to it.
  if (buffered_ != 0 && buffered_ + n > opts.limits.max_buffered_bytes) return false;
  buffered_ += n;
  return true;
}

void listener_core::release(size_t n) {
  buffered_ -= std::min<uint64_t>(n, buffered_);
  auto waiters = std::move(budget_waiters_);
  budget_waiters_.clear();
  for (auto& w : waiters)
    if (auto c = w.lock()) c->resume_reading();
}

void listener_core::wait_for_budget(const std::shared_ptr<connection>& conn) {
  budget_waiters_.push_back(conn);
}

int64_t listener_core::next_producer_id() { return eng.allocate_producer_id(); }

std::optional<std::string> listener_core::refusal(const std::string& peer_host) {
  if (connections_.size() >= max_connections) {
    ++counters->refused_limit;
    return "broker.max_connections (" + std::to_string(max_connections) + ") reached";
  }
  auto it = connections_per_ip_.find(peer_host);
  if (it != connections_per_ip_.end() && it->second >= max_connections_per_ip) {
    ++counters->refused_per_ip;
    return "broker.max_connections_per_ip (" + std::to_string(max_connections_per_ip) +
           ") reached for " + peer_host;
  }
  return std::nullopt;
}

void listener_core::add(const std::shared_ptr<connection>& conn) {
  connections_.emplace(conn->id(), conn);
  ++connections_per_ip_[conn->peer_host()];
  ++counters->connections_accepted;
  counters->connections_open = connections_.size();
}

void listener_core::remove(uint64_t id) {
  if (auto it = connections_.find(id); it != connections_.end()) {
    if (auto ip = connections_per_ip_.find(it->second->peer_host());
        ip != connections_per_ip_.end() && --ip->second == 0)
      connections_per_ip_.erase(ip);
    connections_.erase(it);
    counters->connections_open = connections_.size();
  }
  if (connections_.empty() && on_all_closed_) std::exchange(on_all_closed_, nullptr)();
}

void listener_core::drain_all(std::function<void()> on_all_closed) {
  if (connections_.empty()) {
    on_all_closed();
    return;
  }
  on_all_closed_ = std::move(on_all_closed);
  auto all = connections_;  // drain() may remove entries
  for (auto& [id, c] : all) c->drain();
}

void listener_core::close_all(const std::string& why) {
  auto all = connections_;
  for (auto& [id, c] : all) c->close(why);
}

// ---- sinks ------------------------------------------------------------------------------

net_append_sink::~net_append_sink() {
  if (answered_) return;
  actors::append_outcome out;
  out.code = errc::closed;
  out.message = "the partition is gone";
  listener_core::post(core_, [done = std::move(done_), out] { done(out); });
}

void net_append_sink::on_appended(const actors::append_outcome& outcome) {
  answered_ = true;
  listener_core::post(core_, [done = done_, outcome] { done(outcome); });
}

net_fetch_sink::~net_fetch_sink() {
  if (answered_) return;
  actors::fetch_response resp;
  resp.code = errc::closed;
  resp.message = "the partition is gone";
  listener_core::post(core_, [done = std::move(done_), resp]() mutable { done(resp); });
}

void net_fetch_sink::on_fetched(actors::fetch_response response) {
  answered_ = true;
  listener_core::post(core_, [done = done_, r = std::move(response)]() mutable { done(r); });
}

}  // namespace lkstream::net

#include "net/listener_core.hpp"

#include <algorithm>

#include "net/connection.hpp"

namespace lkstream::net {

listener_core::listener_core(engine::impl& e, listener_options o) : eng(e), opts(std::move(o)) {}

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

int64_t listener_core::next_producer_id() {
  last_producer_id_ = std::max(last_producer_id_ + 1, eng.clock() * 1024);
  return last_producer_id_;
}

void listener_core::add(const std::shared_ptr<connection>& conn) {
  connections_.emplace(conn->id(), conn);
}

void listener_core::remove(uint64_t id) {
  connections_.erase(id);
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

#include "net/connection.hpp"

#include <algorithm>
#include <cstring>

#include "lkstream/kafka/api_versions.hpp"
#include "lkstream/model/byte_order.hpp"
#include "lkstream/process/log_throttle.hpp"
#include "net/handlers/handler.hpp"
#include "net/listener_core.hpp"
#include "net/request_metrics.hpp"

namespace lkstream::net {
namespace {

// Smallest request: the v1 header prefix (api_key int16, api_version int16, correlation_id
// int32) = 8 bytes; shorter frames cannot even be answered.
constexpr int32_t min_request_bytes = 8;

// Frames up to this size are allocated whole when their size prefix arrives; larger ones
// start here and double as their bytes arrive (the slow-client defence, README.md).
constexpr size_t large_frame_bytes = 1 << 20;

// Frames up to this size (most requests but Produce) are read into one buffer per connection,
// reused while no request in flight still holds it: this much memory stays with an idle
// connection. Larger frames get a buffer of their own size, which a Produce handler can hand
// over whole (its batch slices go to the partitions without a copy, and pin little more than
// themselves); in a 64 KiB spare, batches under 32 KiB were copied out instead (see
// append_batch::slice_or_copy).
constexpr size_t spare_frame_bytes = 4 << 10;

// Largest frame before a SASL listener authenticated the connection (Kafka's
// sasl.server.max.receive.size): an unauthenticated client cannot make the broker hold more.
constexpr uint64_t max_unauthenticated_request_bytes = 512 << 10;

// A buffer the socket read fills: no value-initialisation (std::vector::resize would zero it).
std::shared_ptr<std::byte[]> allocate_frame(size_t n) {
  return std::make_shared_for_overwrite<std::byte[]>(n);
}

std::string describe_endpoint(const asio::ip::tcp::socket& s) {
  asio::error_code ec;
  auto ep = s.remote_endpoint(ec);
  if (ec) return "unknown peer";
  auto addr = ep.address();
  std::string host = addr.to_string();
  if (addr.is_v6()) host = "[" + host + "]";
  return host + ":" + std::to_string(ep.port());
}

std::string_view kind_name(kafka::request_error_kind k) {
  switch (k) {
    case kafka::request_error_kind::truncated_header: return "truncated header";
    case kafka::request_error_kind::unknown_api: return "unknown API";
    case kafka::request_error_kind::unsupported_version: return "unsupported version";
    case kafka::request_error_kind::malformed: return "malformed request";
  }
  return "bad request";
}

}  // namespace

connection::connection(listener_core& core, asio::ip::tcp::socket socket, uint64_t id)
    : core_(core), socket_(std::move(socket)), idle_timer_(std::in_place, core.io), id_(id) {
  peer_ = describe_endpoint(*socket_);
  asio::error_code ec;
  auto ep = socket_->remote_endpoint(ec);
  peer_host_ = ec ? std::string("unknown") : ep.address().to_string();
  socket_->set_option(asio::ip::tcp::no_delay(true), ec);
  auth_.authenticated = !core_.requires_sasl();
}

std::optional<std::string> connection::refuse_before_authentication(kafka::api_key key) const {
  if (key == kafka::api_key::api_versions || key == kafka::api_key::sasl_handshake ||
      key == kafka::api_key::sasl_authenticate)
    return std::nullopt;
  if (auth_.failed) return "a request after a failed authentication";
  if (!auth_.authenticated)
    return std::string(kafka::to_string(key)) + " request before SASL authentication";
  if (auth_.session_end && std::chrono::steady_clock::now() >= *auth_.session_end)
    return std::string(kafka::to_string(key)) +
           " request after the SASL session ended (the client did not re-authenticate)";
  return std::nullopt;
}

void connection::start() {
  arm_idle_timer();
  read_size();
}

void connection::arm_idle_timer() {
  if (core_.opts.limits.idle_timeout_ms <= 0 || closed_) return;
  active_since_timer_ = false;
  idle_timer_->expires_after(std::chrono::milliseconds(core_.opts.limits.idle_timeout_ms));
  idle_timer_->async_wait([self = shared_from_this()](const asio::error_code& ec) {
    if (ec || self->closed_) return;
    // Idle = no complete request during a whole period and nothing in flight.
    if (self->active_since_timer_ || !self->pending_.empty()) {
      self->arm_idle_timer();
      return;
    }
    self->close("connection from " + self->peer_ + " idle for " +
                std::to_string(self->core_.opts.limits.idle_timeout_ms) + " ms; closing");
  });
}

void connection::read_size() {
  if (closed_ || draining_) return;
  reading_ = true;
  asio::async_read(*socket_, asio::buffer(size_buf_),
                   [self = shared_from_this()](const asio::error_code& ec, size_t) {
                     self->reading_ = false;
                     if (self->closed_) return;
                     if (ec) {
                       if (self->draining_) return self->check_drained();
                       // A clean EOF between requests is a normal client disconnect.
                       return self->close(ec == asio::error::eof
                                              ? std::string{}
                                              : "connection from " + self->peer_ +
                                                    ": read failed: " + ec.message());
                     }
                     const int32_t size = model::load_be<int32_t>(self->size_buf_.data());
                     if (!self->auth_.authenticated && size > 0 &&
                         static_cast<uint64_t>(size) > max_unauthenticated_request_bytes) {
                       return self->close(
                           "connection from " + self->peer_ + ": request size prefix " +
                           std::to_string(size) + " before SASL authentication (at most " +
                           std::to_string(max_unauthenticated_request_bytes) + "); closing");
                     }
                     if (size < min_request_bytes ||
                         static_cast<uint64_t>(size) > self->core_.opts.limits.max_request_bytes) {
                       return self->close(
                           "connection from " + self->peer_ + ": request size prefix " +
                           std::to_string(size) + " outside [" +
                           std::to_string(min_request_bytes) + ", max_request_bytes " +
                           std::to_string(self->core_.opts.limits.max_request_bytes) +
                           "]; closing");
                     }
                     self->want_ = static_cast<size_t>(size);
                     self->start_body();
                   });
}

void connection::start_body() {
  if (closed_ || draining_) return;
  if (pending_.size() >= core_.opts.limits.max_in_flight_per_connection) {
    paused_ = true;  // resumed by complete()
    return;
  }
  if (!core_.try_reserve(want_)) {
    paused_ = true;
    core_.wait_for_budget(shared_from_this());
    return;
  }
  paused_ = false;
  reserved_ = want_;
  read_body();
}

void connection::resume_reading() {
  if (!paused_ || closed_ || draining_) return;
  start_body();
}

void connection::read_body() {
  got_ = 0;
  // use_count 1: only this connection holds the spare (handlers run on the io thread and the
  // frames they keep alive are dropped there too).
  if (want_ <= spare_frame_bytes) {
    if (!spare_ || spare_.use_count() > 1) spare_ = allocate_frame(spare_frame_bytes);
    frame_ = spare_;
    frame_capacity_ = spare_frame_bytes;
  } else {
    frame_capacity_ = std::min(want_, large_frame_bytes);
    frame_ = allocate_frame(frame_capacity_);
  }
  read_body_chunk();
}

void connection::read_body_chunk() {
  if (got_ == frame_capacity_) {  // only frames above large_frame_bytes get here before the end
    const size_t capacity = std::min(want_, 2 * frame_capacity_);
    auto grown = allocate_frame(capacity);
    std::memcpy(grown.get(), frame_.get(), got_);
    frame_ = std::move(grown);
    frame_capacity_ = capacity;
  }
  reading_ = true;
  const size_t target = std::min(want_, frame_capacity_);  // a spare may be larger than want_
  asio::async_read(*socket_, asio::buffer(frame_.get() + got_, target - got_),
                   [self = shared_from_this()](const asio::error_code& ec, size_t n) {
                     self->reading_ = false;
                     if (self->closed_) return;
                     if (ec) {
                       self->frame_.reset();
                       self->core_.release(std::exchange(self->reserved_, 0));
                       if (self->draining_) return self->check_drained();
                       return self->close("connection from " + self->peer_ +
                                          ": disconnected in the middle of a " +
                                          std::to_string(self->want_) + "-byte request after " +
                                          std::to_string(self->got_ + n) + " bytes (" +
                                          ec.message() + ")");
                     }
                     self->got_ += n;
                     if (self->got_ < self->want_) return self->read_body_chunk();
                     self->on_frame(std::move(self->frame_), self->want_);
                     self->read_size();
                   });
}

void connection::on_frame(std::shared_ptr<std::byte[]> frame, size_t size) {
  const size_t frame_bytes = std::exchange(reserved_, 0);
  active_since_timer_ = true;
  auto decoded = kafka::decode_request(bytes_view(frame.get(), size));
  if (auto* err = std::get_if<kafka::request_error>(&decoded)) {
    if (err->answer_unsupported_version()) {
      const uint64_t seq = next_seq_++;
      pending_[seq] = {.correlation_id = err->prefix->correlation_id, .frame_bytes = frame_bytes};
      complete(seq, kafka::response_body{kafka::make_unsupported_version_response()});
      return;
    }
    core_.release(frame_bytes);
    std::string what = "connection from " + peer_ + ": " + std::string(kind_name(err->kind));
    if (err->prefix)
      what += " (api key " + std::to_string(err->prefix->api_key) + " v" +
              std::to_string(err->prefix->api_version) + ", correlation id " +
              std::to_string(err->prefix->correlation_id) + ")";
    if (!err->message.empty()) what += ": " + err->message;
    close(what + "; closing");
    return;
  }
  auto& req = std::get<kafka::request>(decoded);
  if (auto why = refuse_before_authentication(req.header.key)) {
    // Kafka closes such a connection without an answer (SaslServerAuthenticator: "Unexpected
    // Kafka request ... during SASL handshake"; KafkaChannel: expired session).
    core_.release(frame_bytes);
    close("connection from " + peer_ + ": " + *why + "; closing");
    return;
  }
  const uint64_t seq = next_seq_++;
  request_metrics::instance().on_request(req.header.key, size, id_, seq);
  pending_[seq] = {.correlation_id = req.header.correlation_id,
                   .version = req.header.api_version,
                   .key = req.header.key,
                   .frame_bytes = frame_bytes};
  waiting_.push_back({seq, std::move(req.header), std::move(req.body), std::move(frame),
                      frame_capacity_});
  dispatch_waiting();
}

void connection::dispatch_waiting() {
  if (dispatching_) return;  // the loop below goes on once the handler returns
  dispatching_ = true;
  while (!waiting_.empty() && !closed_ && !exclusive_running_) {
    auto& next = waiting_.front();
    const bool exclusive = order_of(core_, next.body) == request_order::exclusive;
    if (exclusive && running_ > 0) break;
    auto w = std::move(next);
    waiting_.pop_front();
    auto& p = pending_.at(w.seq);
    p.running = true;
    p.exclusive = exclusive;
    ++running_;
    exclusive_running_ = exclusive;
    request_context ctx{core_, shared_from_this(), std::move(w.header), std::move(w.frame),
                        w.frame_capacity};
    dispatch(std::move(ctx), std::move(w.body), reply_slot{shared_from_this(), w.seq});
  }
  dispatching_ = false;
}

void connection::frame_handed_over(const std::byte* frame) noexcept {
  if (spare_ && spare_.get() == frame) spare_.reset();
}

void connection::complete(uint64_t seq, std::optional<kafka::response_body> body) {
  if (closed_) return;
  auto it = pending_.find(seq);
  if (it == pending_.end() || it->second.done) return;  // answered twice: keep the first
  auto& p = it->second;
  p.done = true;
  if (p.running) {
    p.running = false;
    --running_;
    if (p.exclusive) exclusive_running_ = false;
  }
  if (body) {
    auto w = kafka::encode_response(p.correlation_id, p.version, *body);
    if (!w) {
      close("connection from " + peer_ + ": cannot encode the " +
            std::string(kafka::to_string(p.key)) + " v" + std::to_string(p.version) +
            " response: " + w.err().message + "; closing");
      return;
    }
    p.out.emplace(std::move(*w));
  }
  request_metrics::instance().on_response(p.key, p.out ? p.out->size() : 0, id_, seq);
  dispatch_waiting();
  flush();
}

void connection::flush() {
  const size_t before = pending_.size();
  while (!pending_.empty() && pending_.begin()->second.done) {
    auto& p = pending_.begin()->second;
    if (p.out) queued_.push_back(std::move(*p.out));
    core_.release(p.frame_bytes);
    pending_.erase(pending_.begin());
  }
  write_ready();
  if (pending_.size() < before && paused_) resume_reading();
  if (draining_) check_drained();
}

void connection::write_ready() {
  if (writing_now_ || queued_.empty() || closed_) return;
  writing_ = std::move(queued_);
  queued_.clear();
  std::vector<asio::const_buffer> bufs;
  for (auto& w : writing_)
    for (auto seg : w.segments()) bufs.emplace_back(seg.data(), seg.size());
  writing_now_ = true;
  asio::async_write(*socket_, bufs, [self = shared_from_this()](const asio::error_code& ec, size_t) {
    self->writing_now_ = false;
    self->writing_.clear();
    if (self->closed_) return;
    if (ec) {
      return self->close("connection from " + self->peer_ + ": write failed: " + ec.message());
    }
    self->write_ready();
    if (self->draining_) self->check_drained();
  });
}

void connection::drain() {
  if (closed_ || draining_) return;
  draining_ = true;
  paused_ = false;
  asio::error_code ec;
  // Wakes the outstanding read with end-of-file without touching an outstanding write.
  if (reading_) socket_->shutdown(asio::ip::tcp::socket::shutdown_receive, ec);
  if (reserved_ && !reading_) core_.release(std::exchange(reserved_, 0));
  check_drained();
}

void connection::check_drained() {
  if (closed_ || reading_) return;
  if (pending_.empty() && queued_.empty() && !writing_now_) close({});
}

void connection::close(const std::string& why) {
  if (closed_) return;
  closed_ = true;
  // A flood of misbehaving clients must not flood the log: lines that differ only in numbers
  // (peer, sizes) are rate-limited together.
  if (!why.empty()) core_.log_limited(process::similar_key(why), why);
  asio::error_code ec;
  idle_timer_.reset();  // cancels the wait
  socket_->shutdown(asio::ip::tcp::socket::shutdown_both, ec);
  socket_->close(ec);
  socket_.reset();
  size_t held = std::exchange(reserved_, 0);
  for (auto& [seq, p] : pending_) held += p.frame_bytes;
  pending_.clear();
  waiting_.clear();
  running_ = 0;
  exclusive_running_ = false;
  queued_.clear();
  if (held) core_.release(held);
  core_.remove(id_);
}

}  // namespace lkstream::net

#pragma once
// Shared by the Kafka listener tests: an in-process broker (engine + listener on a free port
// of 127.0.0.1, in a temporary data directory) and a blocking raw-socket client that speaks
// frames through the project's own codec.

#include <doctest/doctest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "lkstream/engine.hpp"
#include "lkstream/kafka/request.hpp"
#include "lkstream/kafka/response.hpp"
#include "lkstream/kafka/supported_apis.hpp"
#include "lkstream/kafka_listener.hpp"
#include "lkstream/model/byte_order.hpp"
#include "lkstream/model/record_batch.hpp"
#include "test_util.hpp"

namespace lkstream::kafka_test {

/// Engine + listener in this process. Log lines are kept for assertions.
class broker {
 public:
  explicit broker(listener_limits limits = {}, std::string data_dir = {},
                  listener_security security = {})
      : security_(std::move(security)) {
    if (data_dir.empty()) data_dir = dir_.path();
    data_dir_ = data_dir;
    open(limits);
  }
  ~broker() { close(); }

  void open(listener_limits limits) {
    auto cfg = config::defaults();
    cfg.broker.data_dir = data_dir_;
    cfg.topic_defaults.partitions = 1;
    engine_options eo;
    eo.config = cfg;
    eo.log = [this](std::string_view line) {
      std::lock_guard<std::mutex> g(m_);
      lines_.emplace_back(line);
    };
    auto e = engine::open(std::move(eo));
    REQUIRE_MESSAGE(e, (e ? "" : e.err().to_string()));
    eng_ = std::move(*e);
    listener_options lo;
    lo.listen = "127.0.0.1:0";
    lo.limits = limits;
    lo.security = security_;
    auto l = kafka_listener::start(*eng_, lo);
    REQUIRE_MESSAGE(l, (l ? "" : l.err().to_string()));
    lst_ = std::move(*l);
  }

  void close() {
    if (lst_) lst_->stop();
    lst_.reset();
    if (eng_) (void)eng_->close();
    eng_.reset();
  }

  /// Closes and reopens on the same data directory (a restart).
  void restart(listener_limits limits = {}) {
    close();
    open(limits);
  }

  engine& eng() { return *eng_; }
  kafka_listener& listener() { return *lst_; }
  uint16_t port() const { return lst_->bound_port(); }
  std::string bootstrap() const { return lst_->bound_address(); }

  bool logged(const std::string& needle) {
    std::lock_guard<std::mutex> g(m_);
    for (auto& l : lines_)
      if (l.find(needle) != std::string::npos) return true;
    return false;
  }
  std::string log_text() {
    std::lock_guard<std::mutex> g(m_);
    std::string all;
    for (auto& l : lines_) all += l + "\n";
    return all;
  }

 private:
  test::temp_dir dir_;
  std::string data_dir_;
  listener_security security_;
  std::unique_ptr<engine> eng_;
  std::unique_ptr<kafka_listener> lst_;
  std::mutex m_;
  std::vector<std::string> lines_;
};

/// A blocking TCP client with deadlines (poll), for hand-made frames.
class raw_client {
 public:
  /// Connects to 127.0.0.1:port, from `source` (another loopback address such as 127.0.0.2,
  /// for per-address limits) when given.
  explicit raw_client(uint16_t port, const char* source = nullptr) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    if (source) {
      sockaddr_in from{};
      from.sin_family = AF_INET;
      REQUIRE(::inet_pton(AF_INET, source, &from.sin_addr) == 1);
      REQUIRE(::bind(fd_, reinterpret_cast<sockaddr*>(&from), sizeof from) == 0);
    }
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::connect(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
    int one = 1;
    ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  }
  ~raw_client() {
    if (fd_ >= 0) ::close(fd_);
  }
  raw_client(const raw_client&) = delete;
  raw_client& operator=(const raw_client&) = delete;

  void send_raw(bytes_view b) {
    size_t done = 0;
    while (done < b.size()) {
      auto n = ::send(fd_, b.data() + done, b.size() - done, MSG_NOSIGNAL);
      if (n <= 0) return;  // the server may have closed: later reads tell
      done += static_cast<size_t>(n);
    }
  }

  /// Encodes and sends a request; returns its correlation id.
  int32_t send(const kafka::request_body& body, int16_t version, int32_t correlation_id = -1) {
    if (correlation_id < 0) correlation_id = next_id_++;
    kafka::request req{{kafka::key_of(body), version, correlation_id, std::string("raw-test")}, body};
    auto w = kafka::encode_request(req);
    REQUIRE_MESSAGE(w, (w ? "" : w.err().message));
    send_raw(w->to_bytes());
    return correlation_id;
  }

  /// Reads exactly n bytes, or fewer when the peer closed or the deadline passed.
  bytes read_exact(size_t n, std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
    bytes out;
    auto until = std::chrono::steady_clock::now() + timeout;
    std::byte buf[65536];
    while (out.size() < n) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                      until - std::chrono::steady_clock::now())
                      .count();
      if (left <= 0) break;
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, static_cast<int>(left)) <= 0) break;
      auto r = ::recv(fd_, buf, std::min(sizeof buf, n - out.size()), 0);
      if (r <= 0) {
        closed_ = true;
        break;
      }
      out.insert(out.end(), buf, buf + r);
    }
    return out;
  }

  /// The next response frame (after its size prefix), or nullopt on close/timeout.
  std::optional<bytes> read_frame(std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
    auto hdr = read_exact(4, timeout);
    if (hdr.size() != 4) return std::nullopt;
    auto size = model::load_be<int32_t>(hdr.data());
    if (size < 0) return std::nullopt;
    auto body = read_exact(static_cast<size_t>(size), timeout);
    if (body.size() != static_cast<size_t>(size)) return std::nullopt;
    return body;
  }

  template <class Response>
  Response receive(int16_t version, int32_t expect_correlation_id = -1,
                   std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
    auto frame = read_frame(timeout);
    REQUIRE_MESSAGE(frame, "no response frame");
    auto r = kafka::decode_response(*frame, Response::key, version);
    REQUIRE_MESSAGE(r, (r ? "" : r.err().message));
    if (expect_correlation_id >= 0) CHECK(r->correlation_id == expect_correlation_id);
    last_frame_ = std::move(*frame);  // decoded views (Fetch records) point into it
    return std::get<Response>(std::move(r->body));
  }

  /// True when the server closed the connection (reads end of file) within the timeout.
  bool closed_by_peer(std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
    auto until = std::chrono::steady_clock::now() + timeout;
    std::byte buf[4096];
    while (std::chrono::steady_clock::now() < until) {
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, 100) <= 0) continue;
      auto r = ::recv(fd_, buf, sizeof buf, 0);
      if (r <= 0) return true;  // EOF or reset
    }
    return false;
  }

  void shutdown_write() { ::shutdown(fd_, SHUT_WR); }
  int fd() const { return fd_; }

 private:
  int fd_ = -1;
  int32_t next_id_ = 1;
  bool closed_ = false;
  bytes last_frame_;
};

/// One uncompressed batch of `n` records "key-i" -> "value-i" (optionally idempotent).
inline bytes make_batch(int n, int64_t producer_id = -1, int16_t epoch = -1, int32_t base_seq = -1,
                        size_t value_size = 0) {
  bytes b;
  model::batch_builder builder(b, producer_id, epoch, base_seq);
  for (int i = 0; i < n; ++i) {
    std::string k = "key-" + std::to_string(i);
    std::string v = value_size ? std::string(value_size, 'v') : "value-" + std::to_string(i);
    builder.append(1700000000000 + i, as_bytes(k), as_bytes(v));
  }
  builder.finish();
  return b;
}

inline kafka::produce_request produce_one(const std::string& topic, int32_t partition,
                                          const bytes& batch, int16_t acks = -1) {
  kafka::produce_request rq;
  rq.acks = acks;
  rq.timeout_ms = 10000;
  rq.topics.push_back({topic, {{partition, bytes_view(batch)}}});
  return rq;
}

}  // namespace lkstream::kafka_test

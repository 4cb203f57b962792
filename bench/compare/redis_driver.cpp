// hiredis driver for Redis Streams: one stream per partition (`<topic>-<p>`), XADD with the value
// in field `v` (and the key in field `k` when keyed), pipelined on one connection with at most
// `workload::max_in_flight` commands awaiting a reply. The consumer is one member of group
// `workload::group` reading all streams with XREADGROUP ... COUNT 1000 BLOCK 100 NOACK: the
// group's last-delivered id is its position and no per-record acknowledgement is kept, as with
// Kafka's periodic offset commit.

#include "system_driver.hpp"

#ifdef LKSTREAM_BENCH_HAVE_HIREDIS

#include <hiredis/hiredis.h>
#include <poll.h>

#include <atomic>
#include <deque>
#include <thread>
#include <vector>

namespace lkstream::bench {

namespace {

std::optional<std::pair<std::string, int>> split_address(const std::string& address) {
  auto colon = address.rfind(':');
  if (colon == std::string::npos) return std::nullopt;
  int port = std::atoi(address.c_str() + colon + 1);
  if (port <= 0 || port > 65535) return std::nullopt;
  return std::pair{address.substr(0, colon), port};
}

redisContext* connect(const std::string& address, std::string& error) {
  auto hp = split_address(address);
  if (!hp) {
    error = "redis: bad address " + address + " (want HOST:PORT)";
    return nullptr;
  }
  redisContext* c = redisConnect(hp->first.c_str(), hp->second);
  if (!c || c->err) {
    error = "redis: cannot connect to " + address + ": " + (c ? c->errstr : "out of memory");
    if (c) redisFree(c);
    return nullptr;
  }
  return c;
}

/// Runs one command synchronously; the reply (or the connection error) as text for errors.
std::optional<std::string> command(redisContext* c, const std::vector<std::string>& args,
                                   bool allow_error = false) {
  std::vector<const char*> argv;
  std::vector<size_t> lens;
  for (auto& a : args) {
    argv.push_back(a.data());
    lens.push_back(a.size());
  }
  auto* r = static_cast<redisReply*>(
      redisCommandArgv(c, static_cast<int>(argv.size()), argv.data(), lens.data()));
  if (!r) return "redis " + args[0] + ": " + c->errstr;
  std::optional<std::string> result;
  if (r->type == REDIS_REPLY_ERROR && !allow_error)
    result = "redis " + args[0] + ": " + std::string(r->str, r->len);
  freeReplyObject(r);
  return result;
}

class redis_driver final : public system_driver {
 public:
  redis_driver(std::string address, ack_fn on_ack)
      : address_(std::move(address)), on_ack_(std::move(on_ack)) {}

  ~redis_driver() override {
    stop_consumer();
    if (producer_) redisFree(producer_);
  }

  std::optional<std::string> init() {
    std::string error;
    producer_ = connect(address_, error);
    if (!producer_) return error;
    return std::nullopt;
  }

  std::optional<std::string> setup(const workload& w) override {
    workload_ = w;
    streams_.clear();
    for (int p = 0; p < w.partitions; ++p) {
      streams_.push_back(w.topic + "-" + std::to_string(p));
      if (auto e = command(producer_, {"DEL", streams_.back()})) return e;
      if (auto e = command(producer_, {"XGROUP", "CREATE", streams_.back(), w.group, "0",
                                       "MKSTREAM"}))
        return e;
    }
    return std::nullopt;
  }

  std::optional<std::string> start_consumer(value_fn on_value) override {
    std::string error;
    consumer_ = connect(address_, error);
    if (!consumer_) return error;
    on_value_ = std::move(on_value);
    running_ = true;
    thread_ = std::thread([this] { consume_loop(); });
    return std::nullopt;
  }

  void stop_consumer() override {
    running_ = false;
    if (thread_.joinable()) thread_.join();
    if (consumer_) redisFree(consumer_);
    consumer_ = nullptr;
  }

  send_result send(std::string_view key, int partition, std::span<const uint8_t> value,
                   int64_t scheduled_ns) override {
    if (in_flight_.size() >= workload_.max_in_flight) return send_result::backpressure;
    const std::string& stream = streams_[static_cast<size_t>(partition) % streams_.size()];
    const char* argv[7] = {"XADD", stream.c_str(), "*", "v",
                           reinterpret_cast<const char*>(value.data())};
    size_t lens[7] = {4, stream.size(), 1, 1, value.size()};
    int argc = 5;
    if (!key.empty()) {
      argv[5] = "k";
      lens[5] = 1;
      argv[6] = key.data();
      lens[6] = key.size();
      argc = 7;
    }
    if (redisAppendCommandArgv(producer_, argc, argv, lens) != REDIS_OK) return send_result::failed;
    in_flight_.push_back(scheduled_ns);
    return send_result::sent;
  }

  void poll(int timeout_ms) override {
    int done = 0;
    while (!done)
      if (redisBufferWrite(producer_, &done) != REDIS_OK) return fail_all();
    if (in_flight_.empty()) {
      if (timeout_ms > 0) std::this_thread::sleep_for(std::chrono::milliseconds(timeout_ms));
      return;
    }
    // hiredis reads at most 16 KiB per call: keep reading while replies are waiting.
    for (int reads = 0; reads < 64 && !in_flight_.empty(); ++reads) {
      pollfd pfd{producer_->fd, POLLIN, 0};
      if (::poll(&pfd, 1, reads == 0 ? timeout_ms : 0) <= 0) return;
      if (redisBufferRead(producer_) != REDIS_OK) return fail_all();
      void* reply = nullptr;
      while (!in_flight_.empty()) {
        if (redisGetReplyFromReader(producer_, &reply) != REDIS_OK) return fail_all();
        if (!reply) break;
        auto* r = static_cast<redisReply*>(reply);
        on_ack_(in_flight_.front(), r->type != REDIS_REPLY_ERROR);
        in_flight_.pop_front();
        freeReplyObject(r);
      }
    }
  }

  bool flush(int timeout_ms) override {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    while (!in_flight_.empty() && std::chrono::steady_clock::now() < deadline) poll(100);
    return in_flight_.empty();
  }

 private:
  void fail_all() {
    for (auto s : in_flight_) on_ack_(s, false);
    in_flight_.clear();
  }

  void consume_loop() {
    std::vector<std::string> args = {"XREADGROUP", "GROUP", workload_.group, "consumer-1",
                                     "COUNT",      "1000",  "BLOCK",         "100",
                                     "NOACK",      "STREAMS"};
    for (auto& s : streams_) args.push_back(s);
    for (size_t i = 0; i < streams_.size(); ++i) args.push_back(">");
    std::vector<const char*> argv;
    std::vector<size_t> lens;
    for (auto& a : args) {
      argv.push_back(a.data());
      lens.push_back(a.size());
    }
    while (running_.load(std::memory_order_relaxed)) {
      auto* r = static_cast<redisReply*>(
          redisCommandArgv(consumer_, static_cast<int>(argv.size()), argv.data(), lens.data()));
      if (!r) return;  // connection lost: the run reports the missing records
      if (r->type == REDIS_REPLY_ARRAY) {
        for (size_t s = 0; s < r->elements; ++s) {  // [stream, [[id, [field, value, ...]], ...]]
          redisReply* entries = r->element[s]->element[1];
          for (size_t e = 0; e < entries->elements; ++e) {
            redisReply* fields = entries->element[e]->element[1];
            for (size_t f = 0; f + 1 < fields->elements; f += 2)
              if (fields->element[f]->len == 1 && fields->element[f]->str[0] == 'v')
                on_value_({reinterpret_cast<const uint8_t*>(fields->element[f + 1]->str),
                           fields->element[f + 1]->len});
          }
        }
      }
      freeReplyObject(r);
    }
  }

  std::string address_;
  ack_fn on_ack_;
  value_fn on_value_;
  workload workload_;
  std::vector<std::string> streams_;
  redisContext* producer_ = nullptr;
  std::deque<int64_t> in_flight_;
  redisContext* consumer_ = nullptr;
  std::atomic<bool> running_{false};
  std::thread thread_;
};

}  // namespace

std::unique_ptr<system_driver> make_redis_driver(const std::string& address, ack_fn on_ack,
                                                 std::string& error) {
  return initialized(std::make_unique<redis_driver>(address, std::move(on_ack)), error);
}

}  // namespace lkstream::bench

#else

namespace lkstream::bench {
std::unique_ptr<system_driver> make_redis_driver(const std::string&, ack_fn, std::string& error) {
  return missing_client("hiredis", error);
}
}  // namespace lkstream::bench

#endif

#include "net/request_metrics.hpp"

#include "lkstream/kafka_metrics.hpp"

namespace lkstream::net {
namespace {

constexpr size_t start_slots = 4096;  // per io thread; in-flight requests are far fewer

struct start_slot {
  uint64_t key = 0;  // 0 = free
  std::chrono::steady_clock::time_point at;
};

uint64_t slot_key(uint64_t connection_id, uint64_t seq) noexcept {
  // Never 0 (free): connection ids start at 1 and seq is mixed in by multiplication.
  return ((connection_id << 32) ^ (seq * 0x9E3779B97F4A7C15ull)) | 1;
}

size_t slot_index(uint64_t key) noexcept {
  return static_cast<size_t>((key ^ (key >> 29)) * 0xBF58476D1CE4E5B9ull >> 52) % start_slots;
}

// One table per io thread: each listener's connections live on its io thread only.
thread_local std::array<start_slot, start_slots> starts;

size_t index_of(kafka::api_key key) noexcept {
  return static_cast<size_t>(static_cast<uint16_t>(key));
}

}  // namespace

request_metrics& request_metrics::instance() noexcept {
  static request_metrics m;
  return m;
}

void request_metrics::on_request(kafka::api_key key, size_t frame_bytes, uint64_t connection_id,
                                 uint64_t seq) noexcept {
  const size_t i = index_of(key);
  if (i >= api_slots) return;
  apis[i].requests.fetch_add(1, std::memory_order_relaxed);
  apis[i].bytes_in.fetch_add(frame_bytes + 4, std::memory_order_relaxed);
  const uint64_t k = slot_key(connection_id, seq);
  starts[slot_index(k)] = {k, std::chrono::steady_clock::now()};
}

void request_metrics::on_response(kafka::api_key key, size_t bytes, uint64_t connection_id,
                                  uint64_t seq) noexcept {
  const size_t i = index_of(key);
  if (i >= api_slots) return;
  apis[i].responses.fetch_add(1, std::memory_order_relaxed);
  apis[i].bytes_out.fetch_add(bytes, std::memory_order_relaxed);
  const uint64_t k = slot_key(connection_id, seq);
  auto& slot = starts[slot_index(k)];
  if (slot.key != k) return;  // overwritten by a later request: no sample
  slot.key = 0;
  apis[i].latency.observe(std::chrono::steady_clock::now() - slot.at);
}

}  // namespace lkstream::net

namespace lkstream {

std::vector<api_request_stats> kafka_request_stats() {
  std::vector<api_request_stats> out;
  const auto& apis = net::request_metrics::instance().apis;
  for (size_t i = 0; i < apis.size(); ++i) {
    const uint64_t n = apis[i].requests.load(std::memory_order_relaxed);
    if (n == 0) continue;
    out.push_back({.api_key = static_cast<int16_t>(i),
                   .name = std::string(kafka::to_string(static_cast<kafka::api_key>(i))),
                   .requests = n,
                   .responses = apis[i].responses.load(std::memory_order_relaxed),
                   .bytes_in = apis[i].bytes_in.load(std::memory_order_relaxed),
                   .bytes_out = apis[i].bytes_out.load(std::memory_order_relaxed),
                   .latency = apis[i].latency.read()});
  }
  return out;
}

}  // namespace lkstream

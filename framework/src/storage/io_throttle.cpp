#include "lkstream/storage/io_throttle.hpp"

namespace lkstream::storage {
namespace {

constexpr int64_t window_ns = 100'000'000;  // Kafka's checkIntervalMs = 100

}  // namespace

io_throttle::io_throttle(int64_t bytes_per_second, clock_fn now, sleep_fn sleep)
    : rate_(bytes_per_second), now_(std::move(now)), sleep_(std::move(sleep)) {}

void io_throttle::on_io(uint64_t bytes) {
  if (rate_ <= 0) return;
  if (!started_) {
    started_ = true;
    window_start_ = now_();
  }
  window_bytes_ += bytes;
  const int64_t elapsed = now_() - window_start_;
  if (elapsed < window_ns && window_bytes_ < static_cast<uint64_t>(rate_ / 10)) return;
  // The window's bytes at the allowed rate would have taken `wanted` nanoseconds.
  const long double wanted_ld = static_cast<long double>(window_bytes_) * 1e9L / rate_;
  const int64_t wanted = wanted_ld > 9e18L ? INT64_MAX : static_cast<int64_t>(wanted_ld);
  if (wanted > elapsed) {
    sleep_(wanted - elapsed);
    slept_ns_ += wanted - elapsed;
  }
  window_start_ = now_();
  window_bytes_ = 0;
}

}  // namespace lkstream::storage

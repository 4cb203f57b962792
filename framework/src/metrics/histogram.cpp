#include "lkstream/metrics/histogram.hpp"

#include <algorithm>

namespace lkstream::metrics {

void latency_histogram::observe(std::chrono::nanoseconds d) noexcept {
  const int64_t ns = std::max<int64_t>(0, d.count());
  const double seconds = static_cast<double>(ns) / 1e9;
  const size_t i = static_cast<size_t>(
      std::lower_bound(bounds.begin(), bounds.end(), seconds) - bounds.begin());
  buckets_[i].fetch_add(1, std::memory_order_relaxed);
  sum_ns_.fetch_add(static_cast<uint64_t>(ns), std::memory_order_relaxed);
}

latency_histogram::snapshot latency_histogram::read() const noexcept {
  snapshot s;
  for (size_t i = 0; i < buckets_.size(); ++i) {
    s.buckets[i] = buckets_[i].load(std::memory_order_relaxed);
    s.count += s.buckets[i];
  }
  s.sum_seconds = static_cast<double>(sum_ns_.load(std::memory_order_relaxed)) / 1e9;
  return s;
}

latency_histogram& fsync_latency() noexcept {
  static latency_histogram h;
  return h;
}

}  // namespace lkstream::metrics

#pragma once
// latency_histogram: a fixed-bucket histogram of durations for Prometheus, cheap enough for a
// hot path: observe() is a binary search over 16 constants plus two relaxed atomic adds, no
// lock, no allocation. Any number of threads may observe() while any thread read()s; a read
// is a snapshot taken field by field (a concurrent observe may be half in it), which is what
// Prometheus client libraries give as well.

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>

namespace lkstream::metrics {

class latency_histogram {
 public:
  /// Upper bounds of the buckets in seconds (Prometheus `le`), 100 us .. 10 s; one more
  /// bucket (+Inf) counts the rest.
  static constexpr std::array<double, 16> bounds = {0.0001, 0.00025, 0.0005, 0.001, 0.0025,
                                                    0.005,  0.01,    0.025,  0.05,  0.1,
                                                    0.25,   0.5,     1.0,    2.5,   5.0,
                                                    10.0};

  struct snapshot {
    std::array<uint64_t, bounds.size() + 1> buckets{};  // per bucket, not cumulative; last +Inf
    uint64_t count = 0;
    double sum_seconds = 0;
  };

  void observe(std::chrono::nanoseconds d) noexcept;
  snapshot read() const noexcept;

 private:
  std::array<std::atomic<uint64_t>, bounds.size() + 1> buckets_{};
  std::atomic<uint64_t> sum_ns_{0};
};

/// Every fdatasync of the process's posix files (partition segments and indexes, offset
/// stores, topic metadata), timed where it is called: lkstream_storage_fsync_seconds.
latency_histogram& fsync_latency() noexcept;

}  // namespace lkstream::metrics

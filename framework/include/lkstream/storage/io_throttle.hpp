#pragma once
// An I/O rate limit for background work (Kafka's Throttler, used by its log cleaner for
// log.cleaner.io.max.bytes.per.second): the worker reports the bytes it read or wrote, and
// on_io() sleeps whenever the bytes of the current window came faster than the rate allows.
// Windows close every 100ms of work (or every tenth of a second's worth of bytes), so bursts
// are smoothed at that scale.
//
// The clock and the sleep are injected: tests drive a made-up clock and record the sleeps.
// One owner thread (it sleeps in on_io); not thread-safe.

#include <cstdint>
#include <functional>

namespace lkstream::storage {

class io_throttle {
 public:
  using clock_fn = std::function<int64_t()>;      // monotonic nanoseconds
  using sleep_fn = std::function<void(int64_t)>;  // sleeps that many nanoseconds

  /// bytes_per_second <= 0: no limit (on_io never sleeps).
  io_throttle(int64_t bytes_per_second, clock_fn now, sleep_fn sleep);

  /// Accounts `bytes` of I/O just done; sleeps if they came too fast.
  void on_io(uint64_t bytes);

  /// Nanoseconds slept so far.
  int64_t slept_ns() const noexcept { return slept_ns_; }

 private:
  int64_t rate_;
  clock_fn now_;
  sleep_fn sleep_;
  int64_t window_start_ = 0;
  uint64_t window_bytes_ = 0;
  int64_t slept_ns_ = 0;
  bool started_ = false;
};

}  // namespace lkstream::storage

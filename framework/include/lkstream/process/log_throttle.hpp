#pragma once
// log_throttle: one line per interval for each kind of repeated log line (issue 23, item 3).
// A failure that repeats (accept() out of descriptors, a broker that stays unreachable) writes
// its first line at once; further lines of the same key within `interval` are only counted, and
// the next line written after the interval carries that count ("(N similar lines
// suppressed)"). So a flood costs a few lines a minute, not gigabytes of log.
//
// Keys: the caller decides what "similar" means. throttled_log uses the line itself by
// default (identical lines), and call sites whose lines differ in details (a peer address, a
// connection id) pass a key of their own, e.g. similar_key(line).
//
// Counts are reported with the next line of the same key; a burst that stops is not reported
// again (the way nginx and journald do it: no timer thread).
//
// Memory: at most `max_keys` keys are tracked. When full, keys idle for a whole interval are
// forgotten; if none is, a new key is let through untracked (each such line is written).
//
// Threading: any thread; one mutex, held only for the map lookup.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

namespace lkstream::process {

class log_throttle {
 public:
  using clock = std::chrono::steady_clock;
  using clock_fn = std::function<clock::time_point()>;

  static constexpr std::chrono::milliseconds default_interval{10'000};
  static constexpr size_t default_max_keys = 1024;

  /// `now` is injectable for tests; default: steady_clock::now.
  explicit log_throttle(std::chrono::milliseconds interval = default_interval,
                        clock_fn now = {}, size_t max_keys = default_max_keys);

  struct verdict {
    bool write = false;       // write this line
    uint64_t suppressed = 0;  // lines of this key dropped since the last one written
  };
  /// Decides for one line of `key`: written (with the count dropped before it) or dropped.
  verdict admit(std::string_view key);

  std::chrono::milliseconds interval() const noexcept { return interval_; }

 private:
  struct entry {
    clock::time_point last_written;
    uint64_t suppressed = 0;
  };
  void forget_idle(clock::time_point now);

  const std::chrono::milliseconds interval_;
  const clock_fn now_;
  const size_t max_keys_;
  std::mutex mutex_;
  std::unordered_map<std::string, entry> keys_;
};

/// `line` with every run of digits replaced by '#': lines that differ only in numbers (ids,
/// addresses, ports, byte counts) get the same key.
std::string similar_key(std::string_view line);

}  // namespace lkstream::process

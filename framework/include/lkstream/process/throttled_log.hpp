#pragma once
// throttled_log: a log sink with a log_throttle in front. The engine's log goes through one
// (engine::open), so every line of the process that repeats is rate-limited, wherever it
// comes from: identical lines by default, lines that differ in details through write(key, line).
//
//   process::throttled_log log(sink);
//   log("partition t-0: fsync failed: EIO");               // key: the line itself
//   log.write("accept", "kafka listener: accept failed: " + ec.message());
//   // a later line of the key after the interval: "... (1234 similar lines suppressed)"
//
// Threading: any thread. The sink is called outside the throttle's lock, so it may be slow;
// it must itself be safe to call from several threads (as engine_options::log must).

#include <functional>
#include <string_view>

#include "lkstream/process/log_throttle.hpp"

namespace lkstream::process {

class throttled_log {
 public:
  using sink_fn = std::function<void(std::string_view)>;

  explicit throttled_log(sink_fn sink,
                         std::chrono::milliseconds interval = log_throttle::default_interval,
                         log_throttle::clock_fn now = {});

  /// Writes `line` unless an identical line was written within the interval.
  void operator()(std::string_view line) { write(line, line); }
  /// Writes `line` unless a line of `key` was written within the interval.
  void write(std::string_view key, std::string_view line);

 private:
  sink_fn sink_;
  log_throttle throttle_;
};

}  // namespace lkstream::process

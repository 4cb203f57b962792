#include "lkstream/process/throttled_log.hpp"

#include <string>

namespace lkstream::process {

throttled_log::throttled_log(sink_fn sink, std::chrono::milliseconds interval,
                             log_throttle::clock_fn now)
    : sink_(std::move(sink)), throttle_(interval, std::move(now)) {}

void throttled_log::write(std::string_view key, std::string_view line) {
  auto v = throttle_.admit(key);
  if (!v.write) return;
  if (v.suppressed == 0) {
    sink_(line);
    return;
  }
  std::string text(line);
  text += " (" + std::to_string(v.suppressed) + " similar line" +
          (v.suppressed == 1 ? "" : "s") + " suppressed)";
  sink_(text);
}

}  // namespace lkstream::process

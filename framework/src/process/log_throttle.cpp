#include "lkstream/process/log_throttle.hpp"

#include <cctype>
#include <utility>

namespace lkstream::process {

log_throttle::log_throttle(std::chrono::milliseconds interval, clock_fn now, size_t max_keys)
    : interval_(interval), now_(now ? std::move(now) : clock_fn(clock::now)), max_keys_(max_keys) {}

log_throttle::verdict log_throttle::admit(std::string_view key) {
  const auto now = now_();
  std::lock_guard guard{mutex_};
  auto it = keys_.find(std::string(key));
  if (it == keys_.end()) {
    if (keys_.size() >= max_keys_) forget_idle(now);
    if (keys_.size() < max_keys_) keys_.emplace(std::string(key), entry{now, 0});
    return {true, 0};
  }
  entry& e = it->second;
  if (now - e.last_written < interval_) {
    ++e.suppressed;
    return {false, 0};
  }
  e.last_written = now;
  return {true, std::exchange(e.suppressed, 0)};
}

void log_throttle::forget_idle(clock::time_point now) {
  std::erase_if(keys_, [&](const auto& kv) {
    return kv.second.suppressed == 0 && now - kv.second.last_written >= interval_;
  });
}

std::string similar_key(std::string_view line) {
  std::string key;
  key.reserve(line.size());
  for (size_t i = 0; i < line.size(); ++i) {
    if (!std::isdigit(static_cast<unsigned char>(line[i]))) {
      key += line[i];
    } else if (key.empty() || key.back() != '#') {
      key += '#';
    }
  }
  return key;
}

}  // namespace lkstream::process

// The free functions of log.hpp / log_config.hpp, and the factory of the log implementation.

#include "lkstream/storage/log.hpp"

#include <cstdio>

#include "disk_log.hpp"

namespace lkstream::storage {

result<std::unique_ptr<log>> log::open(std::shared_ptr<file_system> fs, std::string dir,
                                       log_config cfg, timestamp_ms now_ms) {
  return disk_log::open(std::move(fs), std::move(dir), cfg, now_ms);
}

std::string partition_dir_name(std::string_view topic, partition_id p) {
  std::string out(topic);
  out += '-';
  out += std::to_string(p.value());
  return out;
}

std::string segment_file_prefix(offset base) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%020lld", static_cast<long long>(base.value()));
  return buf;
}

std::string_view to_string(fsync_policy p) noexcept {
  switch (p) {
    case fsync_policy::always: return "always";
    case fsync_policy::interval: return "interval";
    case fsync_policy::never: return "never";
  }
  return "unknown";
}

std::string_view to_string(cleanup_policy p) noexcept {
  switch (p) {
    case cleanup_policy::remove: return "delete";
    case cleanup_policy::compact: return "compact";
    case cleanup_policy::compact_remove: return "compact,delete";
  }
  return "unknown";
}

std::optional<cleanup_policy> parse_cleanup_policy(std::string_view text) noexcept {
  bool compact = false, remove = false;
  while (true) {
    auto comma = text.find(',');
    auto item = text.substr(0, comma);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
    bool& seen = item == "compact" ? compact : remove;
    if ((item != "compact" && item != "delete") || seen) return std::nullopt;
    seen = true;
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
  }
  if (compact && remove) return cleanup_policy::compact_remove;
  return compact ? cleanup_policy::compact : cleanup_policy::remove;
}

}  // namespace lkstream::storage

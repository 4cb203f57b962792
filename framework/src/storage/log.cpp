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

}  // namespace lkstream::storage

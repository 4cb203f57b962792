#include "lkstream/process/open_files.hpp"

#include <sys/resource.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>

namespace lkstream::process {
namespace {

uint64_t from_rlim(rlim_t v) {
  return v == RLIM_INFINITY ? open_files_limit::no_limit : static_cast<uint64_t>(v);
}

}  // namespace

result<open_files_limit> current_open_files_limit() {
  rlimit rl{};
  if (::getrlimit(RLIMIT_NOFILE, &rl) != 0)
    return error{errc::io_error, std::string("getrlimit(RLIMIT_NOFILE): ") + std::strerror(errno)};
  return open_files_limit{from_rlim(rl.rlim_cur), from_rlim(rl.rlim_max)};
}

result<raised_limit> raise_open_files_limit() {
  LK_ASSIGN_OR_RETURN(auto before, current_open_files_limit());
  if (before.soft == before.hard) return raised_limit{before, before};
  rlimit rl{};
  rl.rlim_cur = before.hard == open_files_limit::no_limit ? RLIM_INFINITY : before.hard;
  rl.rlim_max = rl.rlim_cur;
  if (::setrlimit(RLIMIT_NOFILE, &rl) != 0)
    return error{errc::io_error, "setrlimit(RLIMIT_NOFILE) from " + format_limit(before.soft) +
                                     " to the hard limit " + format_limit(before.hard) + ": " +
                                     std::strerror(errno)};
  return raised_limit{before, {before.hard, before.hard}};
}

uint64_t count_open_files() {
  std::error_code ec;
  std::filesystem::directory_iterator it("/proc/self/fd", ec), end;
  if (ec == std::errc::too_many_files_open) {
    // Listing needs a descriptor: none free means every one up to the soft limit is open.
    auto limit = current_open_files_limit();
    return limit ? limit->soft : 0;
  }
  if (ec) return 0;
  uint64_t n = 0;
  for (; it != end; it.increment(ec)) {
    if (ec) break;
    ++n;
  }
  // The iterator's own descriptor was one of them.
  return n > 0 ? n - 1 : 0;
}

uint64_t auto_max_open_files(uint64_t soft) {
  if (soft == open_files_limit::no_limit) return 1u << 20;
  const uint64_t quarter = std::max<uint64_t>(soft / 4, 32);
  return std::max<uint64_t>(quarter > 32 ? quarter - 32 : 0, 16);
}

uint64_t auto_max_connections(uint64_t soft) {
  if (soft == open_files_limit::no_limit) return open_files_limit::no_limit;
  const uint64_t reserve = std::max<uint64_t>(soft / 4, 32);
  return soft > reserve ? soft - reserve : 1;
}

std::string format_limit(uint64_t limit) {
  return limit == open_files_limit::no_limit ? "unlimited" : std::to_string(limit);
}

}  // namespace lkstream::process

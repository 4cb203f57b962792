#include "lkstream/process/process_stats.hpp"

#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <ctime>
#include <fstream>
#include <sstream>
#include <string>

#include "lkstream/process/open_files.hpp"

namespace lkstream::process {
namespace {

/// Seconds since the epoch at which the machine booted (/proc/stat btime); 0 if unknown.
double boot_time_seconds() {
  std::ifstream in("/proc/stat");
  std::string key;
  while (in >> key) {
    if (key == "btime") {
      double v = 0;
      in >> v;
      return v;
    }
    in.ignore(1 << 20, '\n');
  }
  return 0;
}

}  // namespace

process_stats read_process_stats() {
  process_stats s;
  const double page = static_cast<double>(::sysconf(_SC_PAGESIZE));
  const double ticks = static_cast<double>(::sysconf(_SC_CLK_TCK));
  if (std::ifstream statm("/proc/self/statm"); statm) {
    uint64_t size = 0, resident = 0;
    statm >> size >> resident;
    s.virtual_bytes = static_cast<uint64_t>(size * page);
    s.resident_bytes = static_cast<uint64_t>(resident * page);
  }
  if (std::ifstream stat("/proc/self/stat"); stat) {
    std::string line;
    std::getline(stat, line);
    // "pid (comm) state ppid ..." : comm may hold spaces and parentheses, so fields are
    // counted from the last ')'. After it: field 3 (state) ... 14 utime, 15 stime,
    // 20 num_threads, 22 starttime (clock ticks after boot).
    const auto close = line.rfind(')');
    if (close != std::string::npos) {
      std::istringstream fields(line.substr(close + 2));
      std::string f;
      double utime = 0, stime = 0, start = 0;
      for (int i = 3; fields >> f; ++i) {
        if (i == 14) utime = std::strtod(f.c_str(), nullptr);
        else if (i == 15) stime = std::strtod(f.c_str(), nullptr);
        else if (i == 20) s.threads = std::strtoull(f.c_str(), nullptr, 10);
        else if (i == 22) {
          start = std::strtod(f.c_str(), nullptr);
          break;
        }
      }
      if (ticks > 0) {
        s.cpu_seconds = (utime + stime) / ticks;
        s.start_time_seconds = boot_time_seconds() + start / ticks;
      }
    }
  }
  s.open_files = count_open_files();
  if (auto lim = current_open_files_limit()) s.max_files = lim->soft;
  return s;
}

}  // namespace lkstream::process

#pragma once
// process_stats: what Prometheus' process_* metrics report of this process (the names the
// official client libraries use), read from /proc/self on Linux. Any thread; a few small
// file reads, meant for a scrape, not a hot path.

#include <cstdint>

namespace lkstream::process {

struct process_stats {
  uint64_t resident_bytes = 0;   // RSS (statm pages * page size)
  uint64_t virtual_bytes = 0;    // address space size
  double cpu_seconds = 0;        // user + system CPU time
  double start_time_seconds = 0; // since the epoch
  uint64_t threads = 0;
  uint64_t open_files = 0;       // descriptors open now (count_open_files)
  uint64_t max_files = 0;        // RLIMIT_NOFILE soft; UINT64_MAX = none
};

/// Fields that cannot be read (no /proc) stay 0.
process_stats read_process_stats();

}  // namespace lkstream::process

#pragma once
// The process's open-files limit (RLIMIT_NOFILE) and how many descriptors are open: what the
// service raises at start (issue 23, item 1), what broker.max_connections = "auto" is derived
// from, and what the listener's stats report (item 4).
//
// Threading: any thread. raise_open_files_limit() changes a process-wide setting: call it at
// start, before threads that open files run.

#include <cstdint>
#include <string>

#include "lkstream/base/result.hpp"

namespace lkstream::process {

struct open_files_limit {
  uint64_t soft = 0;  // what open()/accept() are held to; no_limit = RLIM_INFINITY
  uint64_t hard = 0;  // how far an unprivileged process may raise `soft`
  static constexpr uint64_t no_limit = UINT64_MAX;
};

/// The current RLIMIT_NOFILE (soft and hard); io_error if getrlimit fails.
result<open_files_limit> current_open_files_limit();

struct raised_limit {
  open_files_limit before;
  open_files_limit after;
};
/// Raises the soft limit to the hard one (what Go, Redpanda and systemd services do, since the
/// default soft limit of 1024 is far below what a broker with many partitions and clients
/// needs). A soft limit already at the hard one is left alone. io_error naming the values if
/// setrlimit refuses.
result<raised_limit> raise_open_files_limit();

/// Descriptors this process has open now (entries of /proc/self/fd); the soft limit when none
/// is left to list them with (EMFILE); 0 where that directory does not exist.
uint64_t count_open_files();

/// broker.max_connections = "auto": the connections a soft limit of `soft` leaves room for,
/// keeping a quarter of it (at least 32) for segment and index files, the data-dir lock,
/// plugins and the runtime: 1024 -> 768, 64 -> 32. no_limit -> no_limit; at least 1.
uint64_t auto_max_connections(uint64_t soft);

/// broker.max_open_files = "auto": the segment and index files a soft limit of `soft` leaves
/// room for beside auto_max_connections: the quarter (at least 32) it keeps, less 32 for the
/// runtime (data-dir lock, plugins, the listener's own, CAF), at least 16: 1024 -> 224,
/// 64 -> 16; no_limit -> 1048576.
uint64_t auto_max_open_files(uint64_t soft);

/// "1024", or "unlimited" for no_limit.
std::string format_limit(uint64_t limit);

}  // namespace lkstream::process

#pragma once
// cleaner_actor: log compaction for the whole engine (Kafka's LogCleaner, one thread), beside
// retention_actor. Every `backoff` (broker.cleaner_backoff_ms) and on request it goes over the
// partitions of every topic, one at a time: asks the partition for a cleaning snapshot (due by
// min_cleanable_dirty_ratio / max_compaction_lag_ms, storage/log_cleaner.hpp), cleans the
// closed segments of the snapshot with its own file handles, then asks the partition to swap
// the result in. The partition never waits for the cleaner: it keeps appending and serving
// fetches during the cleaning; only the swap (renames and a header scan of the cleaned
// segments) runs in its context, between two of its messages.
//
// The cleaning is blocking disk work: it runs in the cleaner's worker, a detached actor (its
// own thread) linked to the cleaner, with no timer of its own (a detached actor with a pending
// delayed message could not be destroyed at shutdown), under an I/O rate limit
// (broker.cleaner_io_max_bytes_per_second) that sleeps there. `stop` (set by the engine before
// it shuts down) aborts a cleaning in progress at its next read or write, leaving only files
// that open() deletes. The worker's memory is the key map of
// broker.cleaner_dedupe_buffer_bytes, allocated at the first cleaning (an engine without
// compacted topics never allocates it) and kept.
//
// Messages: cleaner_api.hpp.

#include <caf/all.hpp>

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "topic/cleaner_api.hpp"
#include "topic/topic_registry.hpp"

namespace lkstream::actors {

struct cleaner_config {
  std::shared_ptr<metadata_board> board;
  std::shared_ptr<storage::file_system> fs;
  clock_fn now;
  std::chrono::milliseconds backoff{15000};
  uint64_t dedupe_buffer_bytes = 128ull << 20;
  int64_t io_max_bytes_per_second = -1;             // <= 0: unlimited
  std::shared_ptr<std::atomic<bool>> stop;          // true: abort cleanings, shutdown
  std::function<void(const std::string&)> log_line;  // one line per cleaning and error
  bool detached_worker = true;                       // false: the testing scheduler
};

cleaner_actor spawn_cleaner(caf::actor_system& sys, cleaner_config cfg);

}  // namespace lkstream::actors

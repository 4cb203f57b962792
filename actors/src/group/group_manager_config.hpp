#pragma once
// Settings of the consumer-group actors (group manager and coordinators).

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "lkstream/base/types.hpp"
#include "lkstream/group/group_state.hpp"
#include "lkstream/group/offset_store.hpp"
#include "lkstream/storage/file_system.hpp"

namespace lkstream::group {

struct group_manager_config {
  std::string data_dir;                         // offsets live in DATA_DIR/__consumer_offsets
  std::shared_ptr<storage::file_system> fs;     // required
  group_config group;                           // session bounds, initial rebalance delay
  offset_store_config offsets;                  // compaction thresholds
  size_t offset_metadata_max_bytes = 4096;      // offset.metadata.max.bytes
  int64_t offsets_retention_ms = 7LL * 24 * 3600 * 1000;  // 0 = keep forever
  int64_t offsets_retention_check_interval_ms = 600000;   // how often expiry runs
  // Wall clock for commit timestamps and offset expiry (system_clock when empty). Group timers
  // (sessions, rebalances) use the actor clock instead, which the testing scheduler controls.
  std::function<timestamp_ms()> wall_clock_ms;
  // Coordinators run fdatasync on their own actor, not on the manager's sync thread: for tests
  // under CAF's testing scheduler, where a detached thread replying into the test's thread
  // would race.
  bool sync_inline = false;
};

}  // namespace lkstream::group

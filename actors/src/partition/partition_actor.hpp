#pragma once
// partition_actor: the single writer of one partition's log, a thin dispatcher around the
// partition core (lkstream/partition/partition_core.hpp), which owns the log, the hot tail,
// the idempotent-producer state, the appends waiting for a sync and the parked fetches, and
// answers the sinks. The actor adds what needs CAF:
//   - the fdatasync runs on the registry's file_syncer thread (one job at a time per
//     partition): the actor keeps appending (and its CAF worker keeps running other actors)
//     while the disk works. Without a syncer (testing scheduler) it runs inline.
//   - fsync = always: after an append the actor sends itself sync_atom, which runs after every
//     append already queued, so one fdatasync acknowledges all of them (group commit).
//   - fsync = interval: a timer (interval_sync_atom) syncs at most every fsync_interval_ms.
//   - one timer (fetch_deadline_atom) for the earliest parked-fetch deadline.
// Messages: partition_api.hpp.
// On exit the log is synced and closed, parked fetches are answered with `closed`.

#include <caf/all.hpp>

#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "lkstream/partition/transaction_state.hpp"
#include "lkstream/storage/log.hpp"
#include "file_syncer_api.hpp"
#include "partition/partition_api.hpp"

namespace lkstream::actors {

struct partition_actor_config {
  std::string topic;
  partition_id id;
  std::shared_ptr<storage::log> log;
  std::shared_ptr<partition::transaction_state> transactions;  // opened on `log`
  clock_fn now;
  bool log_append_time = false;  // topic uses LogAppendTime: the broker stamps batches
  file_syncer_actor syncer;  // fdatasync off the CAF workers; none: sync inline
  /// Storage errors and the recovery from them (partition_core::config::report); optional.
  std::function<void(std::string_view key, std::string_view line)> report;
};

partition_actor spawn_partition(caf::actor_system& sys, partition_actor_config cfg);

}  // namespace lkstream::actors

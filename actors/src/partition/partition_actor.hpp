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
//   - fsync = interval: a timer (tick_sync_atom) syncs at most every fsync_interval_ms.
//   - one timer (fetch_tmo_atom) for the earliest parked-fetch deadline.
// Messages (see messages.hpp):
//   (append_atom, append_batch, append_sink_ptr, bool validate)   -> sink
//       the batch is stamped in place and kept (no copy) in the hot tail, which counts the
//       memory it pins (append_batch::pinned_bytes) against hot_tail_bytes
//   (fetch_atom, fetch_request, fetch_sink_ptr)                   -> sink (maybe parked)
//   (fetch_now_atom, fetch_sink_ptr)  answers that sink's parked fetch now (no-op if answered)
//   (list_off_atom, int64_t ts)  -> (int64 offset, int64 timestamp)  ts: -2 earliest,
//                                   -1 latest (high watermark), else first offset with time >= ts
//   (describe_atom)              -> partition_description
//   (retention_atom, int64 now)  -> size_t segments deleted
//   (config_atom, log_config, bool log_append_time) -> updates settings
//   (delete_atom)                -> removes the log directory, replies, and quits
// On exit the log is synced and closed, parked fetches are answered with `closed`.

#include <caf/all.hpp>

#include <memory>
#include <string>

#include "lkstream/storage/log.hpp"
#include "messages.hpp"

namespace lkstream::actors {

struct partition_actor_config {
  std::string topic;
  partition_id id;
  std::shared_ptr<storage::log> log;
  clock_fn now;
  bool log_append_time = false;  // topic uses LogAppendTime: the broker stamps batches
  caf::actor syncer;  // file_syncer for fdatasync off the CAF workers; none: sync inline
};

caf::actor spawn_partition(caf::actor_system& sys, partition_actor_config cfg);

}  // namespace lkstream::actors

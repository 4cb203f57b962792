#pragma once
// partition_actor: the single writer of one partition's log.
//
// Owns the storage::log, the hot in-memory tail and the parked (long-poll) fetches. Appends
// assign offsets and are acknowledged per the topic's fsync policy:
//   always   ack after fdatasync; appends queued in the mailbox share one sync (group commit):
//            each append writes, then a sync message is sent to self, which runs after every
//            append already queued, so one fdatasync acknowledges all of them.
//   interval ack after write(2); a timer syncs at most every fsync_interval_ms.
//   never    ack after write(2).
// The fdatasync itself runs on the registry's file_syncer thread (log::begin_sync), one job
// at a time per partition: the actor keeps appending (and its CAF worker keeps running other
// actors) while the disk works; appends that arrive meanwhile go with the next job. Without a
// syncer (testing scheduler) it runs inline.
// Appends run, in order: the max_batch_bytes check, CRC/structure validation (when asked),
// the idempotent-producer sequence check (producer_state.hpp: duplicates are acknowledged
// with the original offsets and not appended; gaps and stale epochs fail), then the write.
// Readers see offsets below the high watermark: the synced end for `always` (a consumer never
// sees a record a crash could take back), the log end otherwise.
//
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

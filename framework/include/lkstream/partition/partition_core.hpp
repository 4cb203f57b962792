#pragma once
// partition_core: everything one partition does, without actors. The partition actor
// (actors/src/partition/) owns one, hands it each message, and carries out what the core
// cannot do itself: run an fdatasync off the CAF workers and arm timers.
//
// It owns the log, the hot in-memory tail, the idempotent-producer state, the appends that
// wait for a sync (fsync = always) and the parked (long-poll) fetches. Appends and fetches are
// answered through their sinks (partition_types.hpp), from inside the call that settles them;
// each method returns what the owner must do next (core_todo) and takes the time it needs as
// an argument, so tests drive it with made-up clocks and a memory_file_system.
//
// Appends are acknowledged per the topic's fsync policy:
//   always   after the fdatasync that covers them; appends made while no sync was started yet
//            share one (group commit): append() asks for a sync (sync_wanted), the owner
//            starts it once the appends already queued ran; acks wait in the core until
//            end_sync() reports the outcome.
//   interval after write(2); append() asks for a sync within fsync_interval_ms.
//   never    after write(2).
// An append runs, in order: the max_batch_bytes check, CRC/structure validation (when asked),
// the idempotent-producer sequence check (producer_state.hpp: a duplicate is acknowledged with
// the original offsets and not appended, never acknowledged before the original is as durable
// as the policy promises; gaps and stale epochs fail), then the write, LogAppendTime
// stamping, and the hot tail (the batch is kept in place, not copied).
//
// Transactions (transaction_state.hpp): a transactional batch opens its producer's
// transaction here; append_marker() writes the commit/abort marker the transaction
// coordinator decided and closes it. Client batches that are control batches are refused
// (invalid_record), as are plain batches of a producer with an open transaction
// (invalid_txn_state) and transactional batches or markers of an older epoch
// (invalid_producer_epoch). The Last Stable Offset is the lower of the high watermark and the
// first offset of a transaction not yet decided below the high watermark; read_committed
// fetches stop there and carry the aborted transactions of what they return. Retention never
// deletes a segment holding offsets at or above the LSO; a compaction never cleans at or
// above it and drops aborted transactional data (log_cleaner.hpp).
//
// Readers see offsets below the high watermark: the synced end for `always` (a consumer never
// sees a record a crash could take back), the log end otherwise. When an append or a sync
// moves it, parked fetches that can now be satisfied are answered first and the producer's
// acknowledgements second (the end-to-end latency's path).
//
// Syncs: one job at a time. begin_sync() hands out the job (the owner runs job.file->sync()
// wherever it likes, e.g. on a sync thread) and end_sync() takes the outcome. A failed sync
// fails the appends it covered ("append written but fdatasync failed") and leaves the rest to
// the next sync.
//
// Storage errors (an OS call failing: descriptors exhausted, a full disk, EIO) fail the append
// or sync at hand at once, answered with the error (Kafka's KAFKA_STORAGE_ERROR), never left
// waiting; the log stays as it was, and the next append tries again (log.hpp). The first
// failure is logged through config::report with its cause, repeats of it are keyed to the
// partition (so a throttled log writes one line per interval), and the first success after
// failures says how many there were.
//
// Not thread-safe: one owner. No CAF.

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "lkstream/base/result.hpp"
#include "lkstream/base/types.hpp"
#include "lkstream/model/compression.hpp"
#include "lkstream/partition/hot_tail.hpp"
#include "lkstream/partition/partition_types.hpp"
#include "lkstream/partition/producer_state.hpp"
#include "lkstream/partition/transaction_state.hpp"
#include "lkstream/storage/log.hpp"
#include "lkstream/storage/log_cleaner.hpp"

namespace lkstream::partition {

/// What the owner must do after a call (the core answered every sink it could itself).
struct core_todo {
  bool sync_wanted = false;        // start a sync (fsync = always: once queued appends ran)
  bool arm_interval_sync = false;  // sync within the log's fsync_interval_ms
};

class partition_core {
 public:
  using time_point = std::chrono::steady_clock::time_point;

  struct config {
    std::string topic;
    partition_id id;
    std::shared_ptr<storage::log> log;  // opened (recovered); the core closes it
    bool log_append_time = false;       // the broker stamps batches (LogAppendTime)
    /// The partition's transactions, opened on `log` (transaction_state::open); required.
    std::shared_ptr<transaction_state> transactions;
    /// Where storage errors and the recovery from them are reported: a key naming the kind
    /// of line and the partition (for a rate-limiting log), and the line. Optional.
    std::function<void(std::string_view key, std::string_view line)> report;
  };

  explicit partition_core(config cfg);
  /// close() unless removed or closed already.
  ~partition_core();
  partition_core(const partition_core&) = delete;
  partition_core& operator=(const partition_core&) = delete;

  // ---- appends --------------------------------------------------------------------------

  /// Appends `batch` (stamped in place, kept in the hot tail) at wall time `now_ms` and
  /// answers `sink` now, or after the sync that covers it (always). `validate`: check the
  /// client's CRC and structure first.
  core_todo append(append_batch batch, append_sink_ptr sink, bool validate, timestamp_ms now_ms);

  /// Appends the end-of-transaction marker of producer `producer_id` at `epoch` (written by
  /// the transaction coordinator) and answers `sink` as append() does. Refused with
  /// invalid_producer_epoch if the producer has a newer epoch here.
  core_todo append_marker(int64_t producer_id, int16_t epoch, model::transaction_marker marker,
                          append_sink_ptr sink, timestamp_ms now_ms);

  // ---- syncs ----------------------------------------------------------------------------

  /// The next fdatasync to run, or nullopt: one is out already, the partition is closed, or
  /// nothing needs one (then waiting appends are acknowledged here; if starting it failed,
  /// they are failed here).
  std::optional<storage::log_sync_job> begin_sync();
  /// The outcome of the job begin_sync() handed out: publishes the new high watermark
  /// (always), wakes readers, then settles the appends the job covered.
  core_todo end_sync(const storage::log_sync_job& job, const status& outcome);

  // ---- fetches --------------------------------------------------------------------------

  /// Answers at once (an error, enough bytes, or max_wait_ms <= 0), else parks the fetch
  /// until data arrives or `now + max_wait_ms`. Returns true if parked: the owner makes sure
  /// expire() runs at next_deadline().
  bool fetch(const fetch_request& rq, fetch_sink_ptr sink, time_point now);
  /// Answers `sink`'s parked fetch now with what is readable (no-op if it was answered).
  void fetch_now(const fetch_sink_ptr& sink);
  /// Answers the parked fetches whose wait is over at `now`.
  void expire(time_point now);
  /// The earliest deadline of the parked fetches, if any.
  std::optional<time_point> next_deadline() const;
  size_t parked_count() const noexcept { return parked_.size(); }

  // ---- the rest -------------------------------------------------------------------------

  /// ListOffsets: {offset, timestamp} for `ts` = -2 (earliest), -1 (latest: the high
  /// watermark, or the LSO when `read_committed`) or a time (the first record with a
  /// timestamp >= ts and that record's timestamp; {-1, -1} if none, or if it is not below
  /// the latest offset).
  result<std::pair<int64_t, int64_t>> list_offset(int64_t ts, bool read_committed = false) const;
  partition_description describe() const;
  /// The producers with state here and their open transactions (DescribeProducers).
  producer_description_list describe_producers();
  /// Time and size retention at wall time `now_ms`, never at or above the LSO; then a
  /// checkpoint of the transaction state. Returns the segments deleted.
  result<uint64_t> apply_retention(timestamp_ms now_ms);
  /// DeleteRecords: moves the log start offset to `before` (-1: the high watermark), durably
  /// (log::advance_start); returns the new log start. A start above the high watermark, or a
  /// negative one other than -1, is offset_out_of_range; one below the current start changes
  /// nothing. Fetches below the new start then answer offset_out_of_range.
  result<int64_t> delete_records(int64_t before);

  /// Writes the transaction state's checkpoint if the log is durable up to its end now (a
  /// sync is run inline for interval/never, none while one is out).
  status checkpoint_transactions();
  void update_config(const storage::log_config& c, bool log_append_time);

  // ---- compaction (storage/log_cleaner.hpp) ---------------------------------------------

  /// What a cleaner may read now: nullopt unless the topic compacts, the partition is open and
  /// assess_cleaning finds it due at `now_ms`.
  std::optional<storage::cleaning_input> cleaning_snapshot(timestamp_ms now_ms) const;
  /// Swaps in a finished cleaning (log::swap_cleaned) and drops the hot tail, whose copies of
  /// replaced batches would be stale. Appends and fetches go on around it: the swap is a few
  /// renames and a header scan of the cleaned segments.
  result<uint64_t> swap_cleaned(const storage::cleaning_swap& swap);
  /// Deletes the partition: waiting appends fail and parked fetches are answered (closed),
  /// the directory is removed. Every later call answers `closed`.
  status remove();
  /// Shutdown: syncs (inline), acknowledges or fails what waits, answers parked fetches with
  /// `closed`, closes the log.
  void close();
  bool closed() const noexcept { return closed_; }

  offset high_watermark() const;
  /// min(high watermark, first offset of a transaction not decided below it).
  offset last_stable_offset() const;
  const transaction_state& transactions() const noexcept { return *txns_; }
  /// The idempotent-producer state (rebuilt from the log first if it was not yet).
  const producer_state& producers();
  storage::fsync_policy policy() const { return log_->config().fsync; }
  const storage::log_config& log_config() const { return log_->config(); }
  const std::string& topic() const noexcept { return topic_; }
  partition_id id() const noexcept { return id_; }

 private:
  struct parked_fetch {
    fetch_request request;
    fetch_sink_ptr sink;
    time_point deadline;
  };
  struct pending_ack {
    append_sink_ptr sink;
    storage::append_result info;
  };

  std::string where() const;
  fetch_response read(const fetch_request& rq) const;
  core_todo settle_append(append_batch batch, std::optional<model::batch_header> hdr,
                          const storage::append_result& r, append_sink_ptr sink);
  void reject(const append_sink_ptr& sink, const error& e, bool with_log_start = true);
  void wake_parked(bool all, time_point now = {});
  void load_producers();
  /// Compacted topics: invalid_record unless every record of the batch has a key.
  status check_keys(bytes_view batch);
  core_todo wait_for_sync(append_sink_ptr sink, const storage::append_result& info);
  void ack(pending_ack& a, const status& st);
  void ack_all_unsynced(const status& st);
  void settle_unsynced(offset covers, const status& st);
  /// Reports a failed write or sync if `e` is a storage error (see the header comment).
  void note_write_failure(const error& e);
  /// Reports the first successful write after storage errors.
  void note_write_success();

  std::string topic_;
  partition_id id_;
  std::shared_ptr<storage::log> log_;
  bool log_append_time_ = false;
  hot_tail tail_{0};
  offset synced_end_;                  // end offset covered by the last successful sync
  std::vector<pending_ack> unsynced_;  // always: acks waiting for the next sync
  bool sync_in_flight_ = false;
  std::vector<parked_fetch> parked_;
  producer_state producers_;
  std::shared_ptr<transaction_state> txns_;
  bool producers_loaded_ = false;  // rebuilt lazily, at the first idempotent batch
  model::decompressor decompressor_;  // check_keys of compressed batches
  bytes scratch_;
  bool closed_ = false;
  std::function<void(std::string_view, std::string_view)> report_;  // config::report
  uint64_t storage_failures_ = 0;  // since the last successful write
};

}  // namespace lkstream::partition

#pragma once
// Log compaction (Kafka's LogCleaner), the part below the actors: which partition is worth
// cleaning, and the cleaning itself, writing cleaned copies of closed segments that the log's
// owner then swaps in (log::swap_cleaned).
//
// Kafka's semantics, kept here:
// - The active segment is never cleaned, nor segments whose newest record is younger than
//   min_compaction_lag_ms (the "first uncleanable offset" is the lower of the two).
// - For each key the latest record is kept at its original offset: offsets never change, gaps
//   appear. Records are copied byte for byte (their offset and timestamp deltas stay valid
//   because a rewritten batch keeps its base offset, base timestamp, last offset delta and
//   producer fields); the batch header gets the new record count, length and CRC.
// - A tombstone (null value) that is the latest for its key is kept until its batch is older
//   than delete_retention_ms, then removed with the key's older records.
// - A record without a key has no latest value and is removed (Kafka counts it invalid).
// - Transactions: nothing at or above the partition's Last Stable Offset is cleaned (the
//   partition bounds first_uncleanable). Records of aborted transactions are removed and never
//   supersede others; commit and abort markers are kept (a read_committed reader needs an
//   abort marker while any of its transaction's data is left; keeping them always is simpler
//   than Kafka's two-pass removal and costs one small batch per transaction and partition).
// - The last batch of each producer id is kept, emptied of its superseded records if need be
//   (a batch of zero records keeps the producer id, epoch and sequence range), so idempotent
//   producers continue after cleaning and after restarts.
// - Output is RecordBatch v2. A compressed batch kept whole is copied as it is; one that
//   loses records is written uncompressed (no compressor here yet).
//
// Memory: one key map of dedupe_buffer_bytes (24 bytes per key), allocated at the first
// cleaning and kept, plus buffers sized by the largest batch; no allocation per record. When the dirty
// range has more keys than the map holds, a prefix of it is cleaned (up to a batch boundary)
// and the rest is left for the next cleaning, as Kafka does.
//
// Crash safety: the cleaner writes only DIR/<base>.log.cleaned files (synced before it
// returns) and never touches a live segment; log::swap_cleaned commits the swap (log.hpp).
// Reading happens through the cleaner's own file handles, on closed segments only, so a
// cleaner may run on another thread than the log's owner (the owner snapshots the log with
// snapshot_for_cleaning first). A segment deleted meanwhile by retention makes the swap stale.
//
// Thread-safety: one log_cleaner is used by one thread at a time.

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "lkstream/base/result.hpp"
#include "lkstream/model/transaction_marker.hpp"
#include "lkstream/storage/file_system.hpp"
#include "lkstream/storage/log.hpp"

namespace lkstream::storage {

/// What the cleaner may read of one log, taken on the log's owner (snapshot_for_cleaning).
struct cleaning_input {
  std::string dir;
  std::vector<segment_info> closed;  // every segment but the active one, oldest first
  offset first_dirty;        // below it the log was cleaned before (log::cleaned_offset)
  offset first_uncleanable;  // the active segment's base, or an earlier segment's for the lag
  log_config cfg;
  timestamp_ms now_ms = 0;
  /// The partition's aborted transactions (by marker offset): their data is removed, and
  /// never maps a key. first_uncleanable is at or below the partition's LSO.
  std::vector<model::aborted_txn> aborted;
};

/// The snapshot of `lg` for a cleaning at `now_ms`.
cleaning_input snapshot_for_cleaning(const log& lg, timestamp_ms now_ms);

/// How dirty a log is (Kafka's LogToClean), and whether it should be cleaned now.
struct cleanability {
  uint64_t clean_bytes = 0;   // closed segments entirely below first_dirty
  uint64_t dirty_bytes = 0;   // closed segments from first_dirty up to first_uncleanable
  double dirty_ratio = 0;     // dirty / (clean + dirty), 0 when both are 0
  bool due = false;           // compacting policy, dirty bytes, and the ratio reaches
                              //   min_cleanable_dirty_ratio or max_compaction_lag_ms passed
};
cleanability assess_cleaning(const cleaning_input& in);

struct cleaning_stats {
  uint64_t bytes_read = 0;
  uint64_t bytes_written = 0;
  uint64_t records_read = 0;
  uint64_t records_removed = 0;      // superseded, keyless and expired tombstones
  uint64_t tombstones_removed = 0;
  uint64_t batches_emptied = 0;      // kept with zero records for their producer id
  uint32_t segments_rewritten = 0;
  offset clean_end;                  // the map covered the dirty range up to here
  bool partial = false;              // the key map filled before first_uncleanable
};

struct cleaner_config {
  uint64_t dedupe_buffer_bytes = 128ull << 20;  // Kafka's log.cleaner.dedupe.buffer.size
  size_t io_chunk_bytes = 1 << 20;              // read and write unit
};

class log_cleaner {
 public:
  /// Called with the bytes of each read and write the cleaner does; an I/O rate limit sleeps
  /// here (the cleaner's thread is its own, see io_throttle.hpp). Returning false stops the
  /// cleaning (errc::closed, its files deleted): shutdown. May be empty.
  using io_hook = std::function<bool(uint64_t bytes)>;

  log_cleaner(std::shared_ptr<file_system> fs, cleaner_config cfg);
  ~log_cleaner();
  log_cleaner(const log_cleaner&) = delete;
  log_cleaner& operator=(const log_cleaner&) = delete;

  /// Cleans the closed segments of `in` below the end of what the key map covers: writes a
  /// synced DIR/<base>.log.cleaned for each segment that changes, and returns the swap for
  /// log::swap_cleaned (no segments when nothing changed; clean_end still advances). Errors
  /// (I/O, a damaged segment, a batch with more records than the key map holds) leave no
  /// .cleaned file behind when they can be deleted, and never touch the log.
  result<cleaning_swap> clean(const cleaning_input& in, cleaning_stats& stats,
                              const io_hook& on_io = {});

  /// Deletes the .cleaned files of a swap that will not happen.
  void discard(const std::string& dir, const cleaning_swap& swap);

  /// Bytes of the key map once allocated (the configured dedupe buffer, rounded down to whole
  /// slots); nothing is allocated before the first clean().
  uint64_t map_memory_bytes() const noexcept;

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

/// DIR/<base>.log.cleaned, the cleaner's output for the segment with that base.
std::string cleaned_segment_path(const std::string& dir, offset base);

}  // namespace lkstream::storage

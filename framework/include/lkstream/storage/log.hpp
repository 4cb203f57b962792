#pragma once
// One partition's append-only log: a directory of segments in Kafka's layout,
//   DIR/00000000000000000000.log        RecordBatch v2 batches, offsets assigned
//   DIR/00000000000000000000.index      sparse: (relative offset u32, file position u32), BE
//   DIR/00000000000000000000.timeindex  (timestamp i64, relative offset u32), BE
// named by the 20-digit base offset of each segment.
//
// Contract: single writer. A log is owned by one partition actor (or one thread); it is not
// thread-safe. Reads return copies of the bytes (a shared immutable slice), so callers may hand
// them to other threads. Nothing here throws.

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "lkstream/base/result.hpp"
#include "lkstream/base/shared_slice.hpp"
#include "lkstream/base/types.hpp"
#include "lkstream/storage/file_system.hpp"
#include "lkstream/storage/log_config.hpp"

namespace lkstream::storage {

/// What recovery found and did when opening a log; also exposed by describe.
struct recovery_report {
  uint64_t truncated_bytes = 0;      // bytes cut from the tail of the last segment
  std::string truncation_reason;     // e.g. "torn batch at position 8123 of 0000...0.log"
  uint32_t rebuilt_indexes = 0;      // index/timeindex files rebuilt
  std::vector<std::string> corrupt_segments;  // older segments with invalid data (still served up to the damage)
  /// A cleaning interrupted by a crash: "" if none, else what open() did about it
  /// ("completed the swap of N cleaned segments" / "discarded N unfinished cleaned files").
  std::string interrupted_cleaning;
};

/// One segment rewritten by the cleaner (log_cleaner.hpp) as DIR/<base>.log.cleaned, synced,
/// replacing the closed segment of the same base that had `source_bytes` when it was read.
struct cleaned_segment {
  offset base;
  uint64_t source_bytes = 0;
};

/// A finished cleaning to swap in (log::swap_cleaned): its segments, oldest first, and the
/// offset below which the log is now clean (the next cleaning's first dirty offset).
struct cleaning_swap {
  std::vector<cleaned_segment> segments;
  offset clean_end;
};

struct append_result {
  offset base_offset;
  offset last_offset;
  timestamp_ms log_append_time = -1;  // -1 unless the topic uses LogAppendTime
};

struct read_config {
  offset start;                 // first offset wanted
  size_t max_bytes = 1 << 20;   // soft limit: the first batch is always returned whole
  offset max_offset{INT64_MAX}; // inclusive: no batch whose base offset is above this
};

struct read_result {
  shared_slice data;            // zero or more whole batches, concatenated (empty: none)
  offset next_offset;           // offset after the last returned batch (== start if none)
  size_t batch_count = 0;
};

/// An fdatasync to run on another thread (log::begin_sync). `file` stays valid even if the log
/// rolls, closes or deletes the segment meanwhile; syncing it makes durable every offset below
/// `covers`.
struct log_sync_job {
  std::shared_ptr<storage::file> file;
  offset covers;
  uint64_t file_size = 0;  // bytes of `file` the job covers
};

struct segment_info {
  offset base_offset;
  uint64_t size_bytes = 0;
  timestamp_ms max_timestamp = -1;
};

class log {
 public:
  /// Opens (creating if missing) the log in `dir`, running recovery: validates the last
  /// segment batch by batch, truncates a torn or corrupt tail, rebuilds missing or damaged
  /// indexes. `now_ms` is the wall clock (segment age for segment_ms).
  static result<std::unique_ptr<log>> open(std::shared_ptr<file_system> fs, std::string dir,
                                           log_config cfg, timestamp_ms now_ms);

  virtual ~log() = default;

  /// Appends one batch (validated by the caller, or validated here when `validate` is true:
  /// CRC and structure). Assigns base_offset = end_offset(), writes it, updates indexes, rolls
  /// the segment first if needed. Does not sync; see sync(). On a write error (no_space,
  /// io_error) the log is truncated back and unchanged, and the error returned.
  /// `batch` is modified in place (base offset stamped).
  virtual result<append_result> append(mutable_bytes_view batch, timestamp_ms now_ms,
                                       bool validate = true) = 0;

  /// fdatasync of the active segment (and any rolled segment not yet synced).
  virtual status sync() = 0;

  /// sync() split for owners that keep appending while a sync thread waits on the disk:
  /// begin_sync() does the owner's part now (a cut-back after a failed
  /// append, rolled segments and the directory, synchronously since they are rare) and returns
  /// the job for the active segment, or nullopt when everything is already durable. Any thread
  /// may then call job.file->sync(); hand its outcome to end_sync() on the owner. Errors of
  /// the synchronous part are returned here.
  virtual result<std::optional<log_sync_job>> begin_sync() = 0;
  virtual void end_sync(const log_sync_job& job, const status& outcome) = 0;

  /// Reads whole batches starting with the one containing `cfg.start`.
  /// offset_out_of_range if start < start_offset() or start > end_offset().
  virtual result<read_result> read(const read_config& cfg) const = 0;

  /// A record found by time: its offset and its own timestamp.
  struct timed_offset {
    offset at;
    timestamp_ms timestamp = 0;
  };

  /// The first record with timestamp >= ts (Kafka ListOffsets by time), or nullopt if none
  /// (then callers answer -1 as Kafka does). A compressed batch is answered by its base offset
  /// and base timestamp.
  virtual result<std::optional<timed_offset>> find_by_timestamp(timestamp_ms ts) const = 0;

  /// find_by_timestamp's offset alone.
  result<std::optional<offset>> offset_for_timestamp(timestamp_ms ts) const {
    auto r = find_by_timestamp(ts);
    if (!r) return std::move(r).take_error();
    if (!r->has_value()) return std::optional<offset>{};
    return std::optional<offset>((*r)->at);
  }

  /// Deletes whole closed segments whose newest record is older than retention_ms, then the
  /// oldest closed segments while the total exceeds retention_bytes. Never the active one, nor
  /// a segment holding offsets at or above `keep_from` (the partition's Last Stable Offset:
  /// an open transaction's data stays). Returns the number of segments deleted;
  /// start_offset() moves forward.
  virtual result<size_t> apply_retention(timestamp_ms now_ms,
                                         offset keep_from = offset{INT64_MAX}) = 0;

  /// Moves the log start offset forward to `new_start` (Kafka's DeleteRecords): offsets below
  /// it are no longer readable (read() answers offset_out_of_range, as for retention), the
  /// closed segments entirely below it are deleted, and the new start is durable before this
  /// returns (DIR/log-start.checkpoint, written to .tmp, synced, renamed; open() restores it,
  /// so it survives a restart). The active segment is never deleted: a start inside it only
  /// hides the records below. `new_start` <= start_offset() changes nothing; `new_start` >
  /// end_offset() is offset_out_of_range. Returns start_offset() after the call.
  virtual result<offset> advance_start(offset new_start) = 0;

  /// Closes the active segment and starts a new one at end_offset() (also done automatically).
  virtual status roll(timestamp_ms now_ms) = 0;

  virtual offset start_offset() const = 0;  // log start offset (first retained)
  virtual offset end_offset() const = 0;    // next offset to assign (log end offset)
  virtual uint64_t size_bytes() const = 0;  // all segments
  virtual std::vector<segment_info> segments() const = 0;
  virtual const recovery_report& recovery() const = 0;
  virtual const log_config& config() const = 0;
  virtual void update_config(const log_config& cfg) = 0;

  /// The log's directory (the cleaner reads closed segments and writes cleaned ones there).
  virtual const std::string& directory() const = 0;
  /// Everything below this offset has been compacted (DIR/cleaner.checkpoint; 0 if never).
  virtual offset cleaned_offset() const = 0;
  /// Replaces closed segments by their cleaned rewrites, crash-safely: the swap is committed
  /// by DIR/cleaning.commit (written, synced, renamed into place) before any segment changes;
  /// open() completes a committed swap and deletes the *.cleaned files of an uncommitted one.
  /// Refused (stale, with the .cleaned files deleted and the log unchanged) when a listed
  /// segment is gone, is the active one, or changed size since it was read. Returns the bytes
  /// the log shrank by.
  virtual result<uint64_t> swap_cleaned(const cleaning_swap& swap) = 0;

  /// Calls fn(batch bytes) for each batch from `from` on (used to rebuild producer state after
  /// a restart). Stops early if fn returns false.
  virtual status scan(offset from, const std::function<bool(bytes_view batch)>& fn) const = 0;

  /// Closes files after a final sync. Further calls return errc::closed.
  virtual status close() = 0;

  /// Removes the log directory with all segments (topic deletion). The log is closed first.
  virtual status remove() = 0;
};

/// "<topic>-<partition>" as Kafka names partition directories.
std::string partition_dir_name(std::string_view topic, partition_id p);

/// 20-digit zero-padded base offset, e.g. 00000000000000000042.
std::string segment_file_prefix(offset base);

}  // namespace lkstream::storage

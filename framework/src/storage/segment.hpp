#pragma once
// One segment of a log: DIR/<20-digit base>.log plus its .index and .timeindex (see log.hpp,
// offset_index.hpp, time_index.hpp for the byte layouts).
//
// The .log is the authority; both indexes live in memory (sparse, ~20 bytes per
// index_interval_bytes of log) and reach their files in one write per flush: at seal() (roll),
// close(), and from append() whenever sparse_index::flush_threshold entries are pending, not
// at each sync of the .log (a group commit would pay two index opens and writes each time). Index
// files are fdatasync'ed at seal() and close() only: recovery validates each index against the
// log (every entry must name a batch start / batch maximum) and extends, or rebuilds, it.
//
// Valid bytes: the prefix of the .log holding a chain of batches with contiguous offsets. For
// the active (last) segment it is the whole file (recovery truncates a bad tail); an older
// segment damaged in the middle keeps its file but serves only its valid prefix.
//
// Single owner (the log); not thread-safe. Reads are const and touch no mutable state.

#include <memory>
#include <optional>
#include <string>

#include "index_builder.hpp"
#include "lkstream/model/record_batch.hpp"
#include "lkstream/storage/file_system.hpp"
#include "lkstream/storage/log.hpp"
#include "offset_index.hpp"
#include "time_index.hpp"

namespace lkstream::storage {

class segment {
 public:
  /// A batch found in the .log: where it starts and its header.
  struct located_batch {
    uint64_t position = 0;
    model::batch_header header;
  };

  struct recovery_options {
    bool is_last = false;              // validate fully and truncate a bad tail
    std::optional<offset> next_base;   // base of the following segment, if any
    bool allow_gaps = false;           // compacted segment: offsets increase, gaps allowed
    uint32_t index_interval_bytes = 4096;
    timestamp_ms now_ms = 0;
  };

  /// Creates the three files of an empty segment (emptying leftovers of the same name). If one
  /// cannot be made (descriptors exhausted, a full disk), the files it made are removed again:
  /// a failed roll leaves no half-made segment behind, and the next roll starts afresh.
  static result<std::unique_ptr<segment>> create(file_system& fs, const std::string& dir,
                                                 offset base, timestamp_ms now_ms);

  /// Opens an existing segment and checks it (segment_recovery.cpp): the last segment batch by
  /// batch (size, CRC, structure, contiguous offsets), truncating at the first bad batch; an
  /// older one by its header chain. Findings go to `report`. Fails only when the .log cannot
  /// be opened or read; index problems are repaired, never fatal.
  static result<std::unique_ptr<segment>> recover(file_system& fs, const std::string& dir,
                                                  offset base, const recovery_options& opts,
                                                  recovery_report& report);

  offset base_offset() const noexcept { return base_; }
  /// One past the last offset of the valid batches (base_offset() when there are none).
  offset next_offset() const noexcept { return next_; }
  /// Size of the .log file on disk.
  uint64_t size_bytes() const noexcept { return size_; }
  /// Bytes of the .log that hold valid batches (== size_bytes() unless damaged).
  uint64_t valid_bytes() const noexcept { return valid_; }
  bool empty() const noexcept { return valid_ == 0; }
  timestamp_ms max_timestamp() const noexcept { return builder_.max_timestamp(); }
  /// Start of the segment's age for segment_ms: creation time, or on reopen the first batch's
  /// max timestamp when it is plausible (not in the future, not negative).
  timestamp_ms rolling_base_ms() const noexcept { return rolling_base_ms_; }
  const std::string& log_path() const noexcept { return log_path_; }

  /// Writes `batch` (offset already assigned, header `h`) at the end of the .log and adds index
  /// entries. On a write error the .log is cut back to its previous size and the error
  /// returned; the segment is unchanged.
  status append(bytes_view batch, const model::batch_header& h, uint32_t index_interval_bytes);

  /// fdatasyncs the .log if it changed since the last sync; when `with_indexes`, first writes
  /// pending index entries and afterwards syncs the index files too. Only .log errors are returned: an index
  /// write that fails leaves its entries pending for the next flush (and recovery rebuilds
  /// whatever a crash loses), so index trouble never fails an append, a sync or a roll.
  status sync(bool with_indexes);

  /// sync(false) for another thread: redoes a pending cut-back here, then returns the .log file to fdatasync (shared, so it outlives a close),
  /// or nullptr when the .log has not changed since the last sync. mark_synced() records a
  /// successful job (ignored if `f` is no longer this segment's file).
  result<std::shared_ptr<file>> prepare_sync();
  void mark_synced(const file& f, uint64_t size);

  /// The segment takes no more batches: final time entry, flush, fdatasync of all three files
  /// when `durable`, index files released.
  status seal(bool durable);

  /// sync(true) when `durable`, then releases every file. The segment is unusable afterwards.
  status close(bool durable);

  /// Deletes the files (.log first: a crash in between leaves index files without a .log,
  /// which open() ignores) and releases them. If the .log cannot be deleted the segment is
  /// left as it was.
  status remove();

  /// The first batch whose last offset is >= target (the batch containing `target` if
  /// present), or nullopt if the valid data ends before.
  result<std::optional<located_batch>> locate(offset target) const;

  /// The first batch whose max_timestamp is >= ts, or nullopt.
  result<std::optional<located_batch>> locate_time(timestamp_ms ts) const;

  /// Reads bytes of the .log at `pos`; io_error if fewer than out.size() are there.
  status read(uint64_t pos, mutable_bytes_view out) const;

 private:
  segment(file_system& fs, const std::string& dir, offset base);

  /// Shared scan of locate/locate_time: first batch from `pos` on satisfying `match`.
  template <class Match>
  result<std::optional<located_batch>> scan_from(uint64_t pos, Match match) const;

  void flush_indexes();

  file_system& fs_;
  offset base_;
  std::string log_path_;
  std::shared_ptr<file> log_;  // shared with sync jobs in flight (prepare_sync)
  offset_index offsets_;
  time_index times_;
  index_builder builder_;
  uint64_t size_ = 0;
  uint64_t valid_ = 0;
  uint64_t synced_size_ = 0;  // .log bytes known durable
  offset next_;
  timestamp_ms rolling_base_ms_ = 0;
  bool needs_truncate_ = false;  // a failed append could not be cut back yet
};

}  // namespace lkstream::storage

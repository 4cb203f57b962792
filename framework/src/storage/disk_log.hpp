#pragma once
// The log implementation (log.hpp): an ordered vector of segments, the last one active.
//
// Durability: append() only writes (one write(2) per batch); sync() fdatasyncs the .log of the
// active segment and of segments rolled since the last sync, and writes (without fsync)
// pending index entries. Rolling seals the old segment (fdatasync of its .log and index files
// and of the directory) unless the policy is `never`. close() syncs everything. Index files
// are therefore durable only at roll/close; recovery re-derives what a crash lost.
//
// Reads locate the segment by binary search over base offsets, the batch through the sparse
// offset index plus a short header scan, then fetch the whole range with one read_at per
// segment into a fresh buffer.
//
// Single owner (one partition actor); not thread-safe.

#include <memory>
#include <string>
#include <vector>

#include "lkstream/storage/log.hpp"
#include "segment.hpp"

namespace lkstream::storage {

class disk_log final : public log {
 public:
  static result<std::unique_ptr<log>> open(std::shared_ptr<file_system> fs, std::string dir,
                                           log_config cfg, timestamp_ms now_ms);

  ~disk_log() override;

  result<append_result> append(mutable_bytes_view batch, timestamp_ms now_ms,
                               bool validate) override;
  status sync() override;
  result<std::optional<log_sync_job>> begin_sync() override;
  void end_sync(const log_sync_job& job, const status& outcome) override;
  result<read_result> read(const read_config& cfg) const override;
  result<std::optional<timed_offset>> find_by_timestamp(timestamp_ms ts) const override;
  result<size_t> apply_retention(timestamp_ms now_ms, offset keep_from) override;
  result<offset> advance_start(offset new_start) override;
  status roll(timestamp_ms now_ms) override;
  offset start_offset() const override { return start_offset_; }
  offset end_offset() const override { return end_offset_; }
  uint64_t size_bytes() const override;
  std::vector<segment_info> segments() const override;
  const recovery_report& recovery() const override { return report_; }
  const log_config& config() const override { return cfg_; }
  void update_config(const log_config& cfg) override { cfg_ = cfg; }
  const std::string& directory() const override { return dir_; }
  offset cleaned_offset() const override { return cleaned_offset_; }
  result<uint64_t> swap_cleaned(const cleaning_swap& swap) override;
  status scan(offset from, const std::function<bool(bytes_view batch)>& fn) const override;
  status close() override;
  status remove() override;

 private:
  disk_log(std::shared_ptr<file_system> fs, std::string dir, log_config cfg);

  status check_open() const;
  segment& active() { return *segments_.back(); }
  /// Index of the segment whose range holds `o` (the first one if o is below all).
  size_t segment_for(offset o) const;
  bool needs_roll(size_t batch_bytes, int32_t last_offset_delta, timestamp_ms now_ms) const;
  status roll_active(timestamp_ms now_ms);
  status remove_oldest();
  status restore_start();
  /// Open-time: completes a committed swap (DIR/cleaning.commit) or deletes the leftovers of
  /// an uncommitted one, then loads DIR/cleaner.checkpoint.
  status recover_cleaning();
  /// Replaces segment `base`'s files by its .log.cleaned (indexes removed: recovery rebuilds
  /// them). Idempotent: nothing to do once the .cleaned file is gone.
  status install_cleaned_files(offset base);
  status write_checkpoint(offset clean_end);

  std::shared_ptr<file_system> fs_;
  std::string dir_;
  log_config cfg_;
  std::vector<std::unique_ptr<segment>> segments_;
  std::vector<segment*> unsynced_rolled_;  // sealed without fdatasync (policy never)
  recovery_report report_;
  offset start_offset_{0};
  offset end_offset_{0};
  offset cleaned_offset_{0};      // DIR/cleaner.checkpoint: below it segments may have gaps
  bool directory_dirty_ = false;  // a segment was created or removed since the last dir sync
  bool closed_ = false;
};

}  // namespace lkstream::storage

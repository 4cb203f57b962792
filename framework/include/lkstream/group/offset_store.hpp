#pragma once
// Durable committed offsets of one consumer group, keyed by (topic, partition), each with the
// committed offset, leader epoch, metadata string and commit timestamp.
//
// Layout: DATA_DIR/__consumer_offsets/<escaped group>.log, an append-only log of records:
//
//   record := crc u32 | length u32 | type u8 | body      (big-endian)
//     length = 1 + body size; crc = CRC-32C over [length, type, body] (bytes 4 .. end)
//   type 1 header:  u16 format (=1) | group name (i32 length + bytes)   -- first record
//   type 2 commit:  u32 n | n x entry; entry := topic (i16 length + bytes) | i32 partition |
//                   i64 offset | i32 leader_epoch | i64 commit_ms | metadata (i32 len + bytes)
//   type 3 delete topic:      topic (i16 length + bytes)
//   type 4 delete partitions: u32 n | n x (topic (i16 length + bytes) | i32 partition)
//
// One commit() call = one record + one fdatasync, so a multi-partition commit is atomic and
// durable when commit() returns. The file is created on the first write, not by open().
//
// Group commit, for an owner that must not block on fdatasync (the coordinator actor):
// write_commit() appends the record without syncing and returns a sequence number;
// begin_sync() hands out the file to fdatasync on another thread, covering every record
// written so far; end_sync() takes the outcome. Success publishes the covered commits (only
// then do find()/offsets() show them: nothing is visible that a crash could take back);
// failure cuts the file back to its last durable size and fails every unpublished commit.
// Records written while a sync runs wait for the next one, so concurrent commits share one
// fdatasync. While writes are unpublished the store does not compact (a compaction rewrites
// the file from the published state).
//
// Recovery (open): records are replayed in order. A torn tail (a record cut short, or a bad
// CRC on the very last record) is truncated away; a record with a bad CRC followed by valid
// data is skipped; a record whose length field is impossible ends the readable part (the rest
// is truncated, as nothing after it can be framed). Everything is listed in recovery().
// Compaction: when the log is larger than compact_ratio x the live state (and at least
// compact_min_bytes), or recovery found damage, the live state is written to
// "<name>.log.compact", synced, and renamed over the log (atomic; the directory is synced).
// This runs at open and after writes.
//
// Group names may hold any bytes. File names keep [A-Za-z0-9_-] and non-leading '.', and
// write every other byte as %XX; the empty name is "%". Names whose escaped form exceeds 200
// bytes are shortened to a prefix + '~' + a 64-bit hash; the header record then names the
// group (list_groups reads it). So names map to files reversibly and listing survives restarts.
//
// Errors are result/status with the path in the message. If a write or sync fails, the file
// is cut back to its previous size and the in-memory state is unchanged; the commit may still
// reappear after a crash if the failed sync had in fact reached the disk (at-least-once).
//
// Not thread-safe: one owner (the group's coordinator actor).

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "lkstream/base/result.hpp"
#include "lkstream/base/types.hpp"
#include "lkstream/group/group_requests.hpp"
#include "lkstream/storage/file_system.hpp"

namespace lkstream::group {

struct committed_offset {
  int64_t offset = -1;
  int32_t leader_epoch = -1;
  std::string metadata;
  timestamp_ms commit_timestamp = -1;
  friend bool operator==(const committed_offset&, const committed_offset&) = default;
};

struct offset_store_config {
  double compact_ratio = 4.0;               // rewrite when file > ratio x live state ...
  uint64_t compact_min_bytes = 64 * 1024;   // ... and file > this
  uint32_t max_record_bytes = 64u << 20;    // a length field above this is corruption
};

/// What open() found and did.
struct offset_store_recovery {
  uint64_t records_replayed = 0;
  uint64_t truncated_bytes = 0;   // cut from the tail (torn or unframeable)
  uint32_t skipped_records = 0;   // bad CRC or undecodable, with valid data after them
  bool compacted = false;
  std::vector<std::string> problems;  // one line per finding, with path and byte position
};

class offset_store {
 public:
  /// Name of the directory under DATA_DIR holding every group's file.
  static constexpr std::string_view directory_name = "__consumer_offsets";

  /// Opens (reads and recovers) the offsets of `group`. A missing file is an empty store.
  static result<std::unique_ptr<offset_store>> open(std::shared_ptr<storage::file_system> fs,
                                                    const std::string& data_dir,
                                                    std::string group,
                                                    offset_store_config cfg = {});

  /// Groups that have a file under DATA_DIR/__consumer_offsets (sorted). Files that are not
  /// ours are ignored.
  static result<std::vector<std::string>> list_groups(storage::file_system& fs,
                                                      const std::string& data_dir);

  /// The file name ("<escaped>.log") of a group, and the inverse for names that are not
  /// shortened (nullopt for shortened or foreign names).
  static std::string file_name(std::string_view group);
  static std::optional<std::string> group_from_file_name(std::string_view file_name);

  /// Stores the offsets (later entries for the same partition win) stamped with `now_ms`.
  /// One record, one sync. Topic names longer than 32767 bytes are invalid_argument.
  status commit(std::span<const offset_commit_partition> commits, timestamp_ms now_ms);

  /// Group commit (see the header comment). write_commit() validates and writes like
  /// commit() but does not sync; it returns the record's sequence number (1, 2, ...).
  result<uint64_t> write_commit(std::span<const offset_commit_partition> commits,
                                timestamp_ms now_ms);

  /// What a sync thread needs: the file (kept alive by the job even if the store compacts
  /// or closes meanwhile) and the last sequence number it covers.
  struct sync_job {
    std::shared_ptr<storage::file> file;
    uint64_t covers = 0;
  };
  /// A job covering every record written so far; nullopt when nothing is unsynced or a job is
  /// already out (one at a time: records written meanwhile go with the next job).
  std::optional<sync_job> begin_sync();
  /// The outcome of the job begin_sync() handed out. Returns the sequence numbers settled:
  /// on success [first, job.covers] are published; on failure every unpublished one is failed
  /// (the file is cut back to its last durable size) and the range says which.
  struct settled {
    uint64_t first = 0;
    uint64_t last = 0;  // inclusive; last < first when nothing was settled
  };
  settled end_sync(const sync_job& job, const status& outcome);
  /// Writes not yet published (written, or syncing).
  bool has_unpublished() const { return !unpublished_.empty(); }
  bool sync_in_flight() const { return sync_in_flight_; }

  /// nullptr when nothing is committed for `tp`.
  const committed_offset* find(const topic_partition& tp) const;
  const std::map<topic_partition, committed_offset>& offsets() const { return live_; }

  /// Forgets every offset of `topic` (topic deletion); returns how many were removed.
  result<size_t> remove_topic(std::string_view topic);
  /// Forgets the offsets of these partitions (OffsetDelete); returns how many were removed.
  /// Partitions without an offset are skipped. Durable when it returns.
  result<size_t> remove_partitions(std::span<const topic_partition> partitions);
  /// Deletes the group's file (DeleteGroups): every offset is forgotten, durably, and the
  /// group is no longer listed by list_groups(). A later commit creates the file again.
  /// Refused (invalid_argument) while commits are written but not yet published.
  status remove_file();

  /// Forgets offsets committed at or before now_ms - retention_ms; returns how many.
  result<size_t> expire(timestamp_ms now_ms, int64_t retention_ms);

  /// Rewrites the file with only the live state (see the header comment).
  status compact();

  const std::string& group() const { return group_; }
  const std::string& path() const { return path_; }
  const offset_store_recovery& recovery() const { return recovery_; }
  /// Current file size (0 before the first write).
  uint64_t file_bytes() const { return file_size_; }
  /// The last failure of a compaction that ran after a successful write (the write itself
  /// stood); empty if none.
  const std::string& last_compaction_error() const { return last_compaction_error_; }

  ~offset_store();

 private:
  offset_store(std::shared_ptr<storage::file_system> fs, std::string dir, std::string group,
               offset_store_config cfg);

  status recover();
  status append_durably(const bytes& record);
  status append_unsynced(const bytes& record);
  result<bytes> commit_record(std::span<const offset_commit_partition> commits,
                              timestamp_ms now_ms) const;
  bool should_compact() const;
  void maybe_compact();

  std::shared_ptr<storage::file_system> fs_;
  std::string dir_;
  std::string group_;
  std::string path_;
  offset_store_config cfg_;
  std::shared_ptr<storage::file> file_;  // null until the file exists
  uint64_t file_size_ = 0;
  // Group commit: records written but not yet published, in sequence order.
  struct unpublished_commit {
    uint64_t seq;
    std::vector<offset_commit_partition> commits;
    timestamp_ms now_ms;
  };
  std::vector<unpublished_commit> unpublished_;
  uint64_t next_seq_ = 1;
  uint64_t durable_size_ = 0;  // file size covered by the last successful sync
  uint64_t job_size_ = 0;      // file size when the job out was handed out
  bool sync_in_flight_ = false;
  std::map<topic_partition, committed_offset> live_;
  offset_store_recovery recovery_;
  std::string last_compaction_error_;
};

}  // namespace lkstream::group

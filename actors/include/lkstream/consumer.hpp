#pragma once
// The embedded consumer, with Kafka's consumer-group semantics: subscribe to topics with a
// group id and the group coordinator spreads the partitions over the group's members (embedded
// consumers and Kafka clients over the wire can share one group); or assign() partitions by
// hand without a group.
//
// poll() returns records whose key/value/headers are views into shared immutable batch
// buffers held by the returned record_set: no copy per record. Positions advance as records
// are returned; commit() stores them durably for the group (sync or async). With
// enable_auto_commit, positions are committed every auto_commit_interval_ms from poll() and
// when partitions are revoked or the consumer closes.
//
// Threading: a consumer is used by one application thread at a time (like Kafka's), except
// close() and wakeup() which any thread may call.

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "lkstream/base/result.hpp"
#include "lkstream/base/types.hpp"

namespace lkstream {

enum class offset_reset : uint8_t { earliest, latest, none };

/// What poll() returns of transactional data (Kafka's isolation.level).
///   read_uncommitted  everything below the high watermark, aborted transactions included
///   read_committed    only below the Last Stable Offset (no open transaction before it),
///                     without the records of aborted transactions; the end offsets of
///                     seek_to_end(), lag() and auto_offset_reset latest are the LSO too
enum class isolation_level : uint8_t { read_uncommitted, read_committed };

/// The group identity a transactional producer commits offsets for
/// (producer::send_offsets_to_transaction): the group's checks see a member of this
/// generation, as Kafka's KIP-447 does.
struct consumer_group_metadata {
  std::string group_id;
  int32_t generation_id = -1;  // -1 with member_id "": a commit without group membership
  std::string member_id;
};

struct consumer_options {
  std::string group_id;                  // empty = no group (assign() only, no commits)
  std::string client_id = "lkstream";
  offset_reset auto_offset_reset = offset_reset::latest;
  bool enable_auto_commit = true;
  int64_t auto_commit_interval_ms = 5000;
  int64_t session_timeout_ms = 10000;
  int64_t heartbeat_interval_ms = 3000;
  int64_t rebalance_timeout_ms = 30000;
  std::string assignment_strategy = "range";  // "range" or "roundrobin"
  size_t max_poll_records = 500;
  size_t fetch_max_bytes = 1 << 20;      // per partition fetch
  size_t buffer_max_bytes = 64ull << 20; // fetched but not yet polled, across partitions
  // A compressed batch (gzip, snappy, lz4, zstd from Kafka clients) larger than this once
  // decompressed makes poll() fail with message_too_large instead of taking the memory.
  size_t max_decompressed_batch_bytes = 64ull << 20;
  // close() waits at most this long for commits still pending (commit_async) to be written.
  int64_t close_timeout_ms = 30000;
  isolation_level isolation = isolation_level::read_uncommitted;
};

struct consumed_header {
  std::string_view key;
  std::optional<bytes_view> value;
};

struct consumed_record {
  const std::string* topic = nullptr;
  int32_t partition = 0;
  int64_t offset = 0;
  timestamp_ms timestamp = 0;
  std::optional<bytes_view> key;
  std::optional<bytes_view> value;
  std::vector<consumed_header> headers;  // decoded only for records that have headers
};

/// The records of one poll. Views stay valid while the record_set lives.
class record_set {
 public:
  std::vector<consumed_record>::const_iterator begin() const { return records_.begin(); }
  std::vector<consumed_record>::const_iterator end() const { return records_.end(); }
  size_t size() const { return records_.size(); }
  bool empty() const { return records_.empty(); }
  const consumed_record& operator[](size_t i) const { return records_[i]; }

  // Filled by the consumer: the records, and what keeps their views alive.
  std::vector<consumed_record> records_;
  std::vector<std::shared_ptr<const void>> keep_alive_;  // owners of the fetched bytes
  std::vector<std::shared_ptr<const std::string>> topic_names_;
};

struct partition_lag {
  topic_partition tp;
  int64_t position = -1;      // next offset poll() returns
  int64_t committed = -1;     // last committed offset, -1 if none
  int64_t end_offset = -1;    // high watermark (read_committed: the Last Stable Offset)
  int64_t lag() const { return end_offset < 0 || position < 0 ? -1 : end_offset - position; }
};

class consumer {
 public:
  struct impl;
  explicit consumer(std::unique_ptr<impl> i);
  /// close(): commits (if auto-commit) and leaves the group.
  ~consumer();

  /// Joins the group (group_id required) for these topics; replaces an earlier subscription.
  status subscribe(std::vector<std::string> topics);
  /// Consumes exactly these partitions without group management.
  status assign(std::vector<topic_partition> partitions);
  /// The partitions currently assigned (after the last rebalance).
  std::vector<topic_partition> assignment() const;

  /// Waits up to `timeout` for records; returns at most max_poll_records.
  result<record_set> poll(std::chrono::milliseconds timeout);

  /// Commits the current positions (of every assigned partition) and waits for durability.
  status commit_sync();
  /// Commits explicit offsets (the next offset to read, as in Kafka). Every partition must
  /// exist and be assigned to this consumer, and every offset be >= 0, else nothing is written
  /// and the status says which (unknown_topic or invalid_argument).
  status commit_sync(const std::map<topic_partition, int64_t>& offsets);

  /// Asynchronous commits. Contract (both overloads):
  /// - Never block the caller: the offsets are queued and written by an engine actor.
  /// - Issue order: the commits of one consumer (async, sync, auto-commit and close()) are
  ///   written in the order they were issued, so an older commit never overwrites a newer
  ///   one. While a write is in flight, commits issued meanwhile are coalesced into the next
  ///   write (the newest offset per partition; consecutive commits of the same group
  ///   generation only).
  /// - `done` runs exactly once, in issue order, with the outcome of the write that covered
  ///   its offsets (ok, or the first failed partition: rebalance_in_progress,
  ///   illegal_generation, unknown_member, closed when the engine shut down, ...). It runs on
  ///   an engine thread (a CAF worker): keep it short and non-blocking, and do not call
  ///   commit_sync() or close() from it. Exception: a commit refused before anything was
  ///   queued (consumer or engine closed, no group_id, invalid offsets) with no earlier commit
  ///   pending calls `done` on the calling thread before commit_async returns; with commits
  ///   pending, the refusal is delivered in its turn. Exceptions thrown by `done` are dropped.
  /// - close() waits (at most close_timeout_ms) until every pending commit was written.
  /// Commits the current positions of every assigned partition.
  void commit_async(std::function<void(const status&)> done = {});
  /// Commits explicit offsets (the next offset to read). Every partition must exist and be
  /// assigned to this consumer, and every offset be >= 0, else `done` gets invalid_argument
  /// or unknown_topic naming the partition and nothing is written: a member never
  /// overwrites the progress of a partition another member owns.
  void commit_async(const std::map<topic_partition, int64_t>& offsets,
                    std::function<void(const status&)> done = {});
  /// The group, generation and member id of this consumer now (for
  /// producer::send_offsets_to_transaction); generation -1 before it joined.
  consumer_group_metadata group_metadata();
  /// The group's committed offset of a partition, -1 if none.
  result<int64_t> committed(const topic_partition& tp);

  status seek(const topic_partition& tp, int64_t offset);
  status seek_to_beginning(const std::vector<topic_partition>& tps = {});  // {} = all assigned
  status seek_to_end(const std::vector<topic_partition>& tps = {});
  /// Seeks to the first offset with timestamp >= ts (end of the log when there is none).
  status seek_to_timestamp(const topic_partition& tp, timestamp_ms ts);
  result<int64_t> position(const topic_partition& tp) const;
  std::vector<partition_lag> lag();

  /// Makes a poll() in progress return early (from any thread).
  void wakeup();
  /// Commits (auto-commit), waits for pending async commits (close_timeout_ms), leaves the
  /// group, stops fetching. Idempotent; returns the status of its own commit, or timeout when
  /// pending commits were not written in time (their callbacks still run later).
  status close();

 private:
  std::unique_ptr<impl> impl_;
};

}  // namespace lkstream

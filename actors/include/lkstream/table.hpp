#pragma once
// A topic read as a table: the latest value per key (the embedded counterpart of Kafka
// Streams' KTable), meant for compacted topics (cleanup_policy = "compact") such as the last
// price per symbol or the last state per device.
//
//   auto prices = lkstream::table::open(*eng, {.topic = "prices"});
//   if (!prices) { std::cerr << prices.err().to_string(); return 1; }
//   for (auto& [symbol, e] : (*prices)->snapshot()) show(symbol, e.value);
//   while (running)
//     if (auto ups = (*prices)->poll(500ms))      // the changes after the snapshot, in order
//       for (auto& u : *ups)
//         u.value ? show(u.key, *u.value) : erase(u.key);
//
// open() reads every partition of the topic from its log start up to its high watermark at the
// time of the call (the snapshot point): when it returns, snapshot() holds the latest value of
// every key written before open(). poll() then reads what came after, applies it to the table
// and returns it as updates, in offset order per partition. A key lives in one partition (the
// producer's partitioner), so per-key order is the log's order. Records past the snapshot point
// that open() happened to fetch are not folded into the snapshot: the first poll() returns them.
//
// Semantics:
// - A record with a null value (a tombstone) deletes its key; the update says so (no value).
//   A tombstone for a key the table does not hold is still reported (another reader may).
// - Offset gaps (records removed by the cleaner, retention or delete_records) are skipped:
//   the table needs only what the log still holds. A gap at the very end of a partition (the
//   last records were expired tombstones) does not hold open() up.
// - Records without a key (possible only in topics that are not compacted) have no place in a
//   table: they are skipped and counted (skipped_keyless()).
// - Transactions: read_uncommitted, as the embedded consumer reads.
// - The table starts from the log start, every time: it keeps no offsets of its own (no group).
//
// Memory: the table holds a copy of every live key and value. max_bytes bounds it, counted as
// key bytes + value bytes + entry_overhead_bytes per key; the record that would exceed it makes
// open() or poll() fail with errc::message_too_large naming the topic and the bound, and the
// table stops (later calls give the same error): a table that silently drops keys would give
// wrong answers. Besides the table, the underlying consumer buffers at most
// consumer.buffer_max_bytes of fetched batches.
//
// Threading: one application thread at a time, like a consumer; close() and wakeup() from any
// thread. Destroy a table before its engine.

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "lkstream/base/result.hpp"
#include "lkstream/base/types.hpp"
#include "lkstream/consumer.hpp"

namespace lkstream {

class engine;

struct table_options {
  std::string topic;
  /// Bound on what the table holds (keys + values + entry_overhead_bytes per key).
  uint64_t max_bytes = 256ull << 20;
  /// open() fails with errc::timeout if the snapshot point is not reached in this time.
  std::chrono::milliseconds snapshot_timeout{120000};
  /// Fetch settings of the underlying consumer (group_id and offsets are the table's own).
  size_t fetch_max_bytes = 1 << 20;
  size_t buffer_max_bytes = 64ull << 20;
  size_t max_poll_records = 2000;
};

/// The latest value of one key, where it was written.
struct table_entry {
  std::string value;
  int32_t partition = 0;
  int64_t offset = 0;
  timestamp_ms timestamp = 0;
};

/// One change after the snapshot. No value = the key was deleted (a tombstone). Key and
/// value view the fetched batches, kept alive by the table_updates that holds this update.
struct table_update {
  std::string_view key;
  std::optional<std::string_view> value;
  int32_t partition = 0;
  int64_t offset = 0;
  timestamp_ms timestamp = 0;
};

/// The updates of one poll(), oldest first per partition. Views stay valid while it lives.
class table_updates {
 public:
  std::vector<table_update>::const_iterator begin() const { return updates_.begin(); }
  std::vector<table_update>::const_iterator end() const { return updates_.end(); }
  size_t size() const { return updates_.size(); }
  bool empty() const { return updates_.empty(); }
  const table_update& operator[](size_t i) const { return updates_[i]; }

 private:
  friend class table;
  record_set records_;  // owns the bytes the updates view
  std::vector<table_update> updates_;
};

class table {
 public:
  /// Per key: the map's node, the key and value strings (a conservative estimate).
  static constexpr uint64_t entry_overhead_bytes = 96;

  struct impl;
  /// Reads `opts.topic` up to its high watermarks at the call. Errors: unknown_topic,
  /// invalid_argument (empty topic, max_bytes 0), message_too_large (max_bytes reached),
  /// timeout (snapshot_timeout), closed (engine closed).
  static result<std::unique_ptr<table>> open(engine& eng, table_options opts);

  explicit table(std::unique_ptr<impl> i);
  ~table();
  table(const table&) = delete;
  table& operator=(const table&) = delete;

  /// The table now (after open(): the snapshot; after poll(): with its updates applied),
  /// ordered by key. The reference is valid until the next poll() or close().
  const std::map<std::string, table_entry, std::less<>>& snapshot() const;
  /// The entry of one key, nullptr if the table does not hold it. Valid until the next poll().
  const table_entry* get(std::string_view key) const;
  size_t size() const;
  /// What the table holds, as counted against max_bytes.
  uint64_t bytes() const;
  /// Keyless records skipped so far.
  uint64_t skipped_keyless() const;
  /// The snapshot point: per partition, the high watermark open() read up to.
  const std::map<int32_t, int64_t>& snapshot_offsets() const;
  /// Per partition, the next offset poll() reads.
  std::map<int32_t, int64_t> positions() const;

  /// Waits up to `timeout` for records written after what was read so far, applies them and
  /// returns them as updates (empty when none came). Partitions added to the topic meanwhile
  /// are not picked up (open a new table). Errors: message_too_large (max_bytes), closed.
  result<table_updates> poll(std::chrono::milliseconds timeout);

  /// Makes a poll() in progress return early (any thread).
  void wakeup();
  /// Stops reading; snapshot() stays readable. Idempotent.
  void close();

 private:
  std::unique_ptr<impl> impl_;
};

}  // namespace lkstream

#pragma once
// Per-partition storage settings (a topic's settings, resolved from topic_defaults and the
// topic's own table). Durations in milliseconds, sizes in bytes.

#include <cstdint>
#include <optional>
#include <string_view>

namespace lkstream::storage {

/// How much an acknowledgement promises.
enum class fsync_policy : uint8_t {
  always,    // ack only after fdatasync; concurrent appends share one sync (group commit)
  interval,  // fdatasync at most every fsync_interval_ms; ack after the write(2)
  never,     // OS page cache only
};

std::string_view to_string(fsync_policy p) noexcept;

/// What happens to old data (Kafka's cleanup.policy): `delete` drops whole closed segments by
/// retention_ms / retention_bytes; `compact` keeps the latest record per key forever (the
/// cleaner, log_cleaner.hpp) and applies no retention; `compact_delete` does both.
enum class cleanup_policy : uint8_t { remove, compact, compact_remove };

/// "delete", "compact" or "compact,delete".
std::string_view to_string(cleanup_policy p) noexcept;
/// Kafka's list syntax: "delete", "compact", or both in either order separated by a comma
/// (spaces around items allowed, no repeats, not empty); nullopt otherwise.
std::optional<cleanup_policy> parse_cleanup_policy(std::string_view text) noexcept;
inline bool compacts(cleanup_policy p) noexcept { return p != cleanup_policy::remove; }
inline bool deletes(cleanup_policy p) noexcept { return p != cleanup_policy::compact; }

struct log_config {
  uint64_t segment_bytes = 64ull << 20;   // roll when the active segment would exceed this
  int64_t segment_ms = 7LL * 24 * 3600 * 1000;  // roll when the active segment is older
  int64_t retention_ms = 7LL * 24 * 3600 * 1000;  // -1 = keep forever
  int64_t retention_bytes = -1;           // -1 = no size limit (per partition)
  fsync_policy fsync = fsync_policy::interval;
  int64_t fsync_interval_ms = 5;
  uint32_t max_batch_bytes = 1u << 20;    // larger batches: message_too_large
  uint32_t index_interval_bytes = 4096;   // a sparse index entry per this many log bytes
  uint64_t hot_tail_bytes = 1ull << 20;   // bytes of recent batches kept in memory for readers
  // Compaction (Kafka's names and defaults); used only when `cleanup` compacts.
  cleanup_policy cleanup = cleanup_policy::remove;  // cleanup.policy
  double min_cleanable_dirty_ratio = 0.5;  // clean when dirty / total bytes reaches this (0..1)
  int64_t min_compaction_lag_ms = 0;       // a record stays uncompacted at least this long
  int64_t max_compaction_lag_ms = INT64_MAX;  // ... and becomes cleanable at most this late
  int64_t delete_retention_ms = 24LL * 3600 * 1000;  // tombstones kept this long (>= 0)
};

}  // namespace lkstream::storage

#pragma once
// Per-partition storage settings (a topic's settings, resolved from topic_defaults and the
// topic's own table). Durations in milliseconds, sizes in bytes.

#include <cstdint>
#include <string_view>

namespace lkstream::storage {

/// How much an acknowledgement promises.
enum class fsync_policy : uint8_t {
  always,    // ack only after fdatasync; concurrent appends share one sync (group commit)
  interval,  // fdatasync at most every fsync_interval_ms; ack after the write(2)
  never,     // OS page cache only
};

std::string_view to_string(fsync_policy p) noexcept;

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
};

}  // namespace lkstream::storage

#pragma once
// The hot in-memory tail of a partition: the most recent batches, exactly as appended (offsets
// assigned), bounded in bytes. Consumers reading near the head are served from here and never
// touch the disk. Owned by the partition actor; not thread-safe. The batches themselves are
// immutable shared slices and may be handed to any thread.
// The byte bound counts what each batch keeps allocated (shared_slice::pinned_bytes: a batch
// held inside a larger Produce frame counts the whole frame), not only its own bytes.

#include <cstdint>
#include <deque>
#include <vector>

#include "lkstream/base/shared_slice.hpp"
#include "lkstream/base/types.hpp"

namespace lkstream::partition {

struct tail_batch {
  offset base;
  offset last;
  timestamp_ms max_timestamp;
  shared_slice data;
};

class hot_tail {
 public:
  explicit hot_tail(uint64_t max_bytes) : max_bytes_(max_bytes) {}

  /// Adds the newest batch; evicts the oldest ones beyond the byte bound (always keeps the
  /// newest batch, even if it alone exceeds the bound... unless max_bytes is 0). Counts
  /// b.data.pinned_bytes().
  void push(tail_batch b);

  /// True if the batch containing `start` is held here.
  bool covers(offset start) const noexcept;

  /// Appends to `out` the batches from the one containing `start`, up to `max_bytes` (the
  /// first batch always, whole), never past `max_offset`. Returns the bytes added (batch
  /// sizes, not pinned bytes).
  size_t read(offset start, size_t max_bytes, offset max_offset,
              std::vector<shared_slice>& out) const;

  /// Drops batches whose last offset is below `start` (log start moved by retention).
  void trim_before(offset start);
  void clear() noexcept { batches_.clear(); bytes_ = 0; }
  void set_max_bytes(uint64_t b) { max_bytes_ = b; evict(); }

  /// Memory held: the sum of the batches' pinned_bytes().
  uint64_t size_bytes() const noexcept { return bytes_; }
  size_t batch_count() const noexcept { return batches_.size(); }

 private:
  void evict();
  std::deque<tail_batch> batches_;
  uint64_t bytes_ = 0;
  uint64_t max_bytes_;
};

}  // namespace lkstream::partition

#pragma once
// Decides which batches get index entries, following Kafka's LogSegment.append:
//   - track the largest max_timestamp so far and the last offset of the batch that first had it;
//   - if more than index_interval_bytes were appended since the last entry (counting the
//     batch that got it), add (batch last offset -> batch position) to the offset index and,
//     if the maximum grew since the last time entry, (max so far -> its offset) to the time
//     index;
//   - when the segment is sealed, add a final time entry if the maximum grew.
// The first batch of a segment therefore gets no entry (lookups below the first entry start
// at position 0). Used for appends and, replaying the batches, for recovery, so both produce
// the same entries.

#include <cstdint>

#include "lkstream/base/types.hpp"
#include "lkstream/model/record_batch.hpp"
#include "offset_index.hpp"
#include "time_index.hpp"

namespace lkstream::storage {

class index_builder {
 public:
  explicit index_builder(offset base) noexcept : base_(base) {}

  /// Accounts for the batch `h` written at `position` of the segment's log.
  void add_batch(uint64_t position, const model::batch_header& h, uint32_t index_interval_bytes,
                 offset_index& offsets, time_index& times);

  /// Adds the final time entry of a segment that takes no more batches.
  void seal(time_index& times) const;

  /// Largest batch max_timestamp seen, -1 if none.
  timestamp_ms max_timestamp() const noexcept { return max_timestamp_; }

  /// After recovery kept an offset index that this builder did not produce: bytes since its
  /// last entry's batch start (or since the segment start).
  void set_bytes_since_last_entry(uint64_t n) noexcept { bytes_since_last_entry_ = n; }

 private:
  void maybe_add_time_entry(time_index& times) const;

  offset base_;
  uint64_t bytes_since_last_entry_ = 0;
  timestamp_ms max_timestamp_ = -1;
  uint32_t offset_of_max_ = 0;  // relative
};

}  // namespace lkstream::storage

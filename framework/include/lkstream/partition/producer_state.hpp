#pragma once
// producer_state: the idempotent-producer bookkeeping of one partition (Kafka's
// ProducerStateManager, reduced to what a non-transactional broker needs).
//
// Per producer id it keeps the current epoch and the sequence/offset ranges of the last
// `batches_retained` (5, Kafka's NUM_BATCHES_TO_RETAIN) appended batches. check() applies the
// rules of kafka-protocol-notes.md §1.5 to an incoming batch header without changing anything;
// record() is called once the batch is in the log. A producer id without state (never seen,
// or older than what rebuild() scanned) is accepted with any sequence, as Kafka does.
//
// Owned by the partition core (partition_core.hpp); not thread-safe.

#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <unordered_map>

#include "lkstream/base/result.hpp"
#include "lkstream/model/record_batch.hpp"
#include "lkstream/storage/log.hpp"
#include "lkstream/partition/partition_types.hpp"

namespace lkstream::partition {

struct sequence_verdict {
  sequence_check check = sequence_check::ok;
  storage::append_result original;  // duplicate: the offsets of the retained batch
  std::string message;              // errors: what was expected, for logs and clients
};

class producer_state {
 public:
  static constexpr size_t batches_retained = 5;

  /// The verdict on appending a batch with header `h` now. Batches with producer_id < 0 are ok.
  sequence_verdict check(const model::batch_header& h) const;

  /// Records a batch that was appended at [base, last]. A higher epoch replaces the state of
  /// the producer id; a lower one is ignored.
  void record(const model::batch_header& h, offset base, offset last);

  /// A transaction marker of `producer_id` at `epoch` was appended: a newer epoch replaces
  /// the producer's state (the coordinator bumped it), as a batch of that epoch would.
  void record_marker(int64_t producer_id, int16_t epoch);

  /// The producer's current epoch, if it has state here.
  std::optional<int16_t> epoch_of(int64_t producer_id) const;

  /// What DescribeProducers shows of one producer.
  struct producer_view {
    int64_t producer_id;
    int16_t epoch;
    int32_t last_sequence;   // -1 without a retained batch
    offset last_offset;      // -1 without a retained batch
    int64_t last_timestamp;  // the last batch's max timestamp, -1 without one
  };
  template <class Fn>
  void for_each(Fn&& fn) const {
    for (const auto& [pid, e] : entries_)
      fn(producer_view{pid, e.epoch, e.batches.empty() ? -1 : e.batches.back().last_seq,
                       e.batches.empty() ? offset{-1} : e.batches.back().last_offset,
                       e.batches.empty() ? -1 : e.batches.back().max_timestamp});
  }

  /// Records every idempotent batch of `log` from offset `from` on (after a restart).
  status rebuild(const storage::log& log, offset from);

  size_t producer_count() const noexcept { return entries_.size(); }

 private:
  struct batch_meta {
    int32_t first_seq;
    int32_t last_seq;
    offset first_offset;
    offset last_offset;
    int64_t max_timestamp;
  };
  struct entry {
    int16_t epoch = 0;
    std::deque<batch_meta> batches;  // oldest first, at most batches_retained
  };
  std::unordered_map<int64_t, entry> entries_;
};

}  // namespace lkstream::partition

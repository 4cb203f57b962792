#pragma once
// What goes into and comes out of a partition (partition_core.hpp): batches to append, fetch
// requests, their outcomes, and the completion "sinks" through which a partition answers.
//
// Sinks are the reply path to plain threads and network sessions: the partition calls the
// sink from its own context (the partition actor's), and the sink hands the result to whoever
// waits (a producer's callbacks, a consumer's queue, an io thread). No CAF here: the actor
// layer passes these types in its messages (actors/src/messages.hpp).

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "lkstream/base/result.hpp"
#include "lkstream/base/shared_slice.hpp"
#include "lkstream/base/types.hpp"
#include "lkstream/model/transaction_marker.hpp"
#include "lkstream/storage/log.hpp"

namespace lkstream::partition {

/// Idempotent-producer verdict on a batch with producer_id >= 0 (kafka-protocol-notes.md §1.5).
/// The partition keeps, per producer id, the current epoch and the last 5 batches' sequence
/// and offset ranges; the state is rebuilt from the log's tail the first time it is needed.
enum class sequence_check : uint8_t {
  ok,             // appended (or not idempotent)
  duplicate,      // same epoch and sequence range as a retained batch: NOT appended again;
                  //   `info` holds the offsets the original append got (code stays ok)
  out_of_order,   // gap or new epoch not starting at 0: code = out_of_order_sequence
  stale_epoch,    // epoch older than the producer's current one: code = invalid_argument
  missing_sequence,  // producer_id set but base_sequence < 0: code = corrupt_batch
};

/// Result of one append, delivered to an append_sink.
struct append_outcome {
  errc code = errc::ok;
  std::string message;
  storage::append_result info;
  sequence_check sequence = sequence_check::ok;
  offset log_start{-1};  // the partition's log start offset when answered (Produce v5+ reports it)
};

class append_sink {
 public:
  virtual ~append_sink() = default;
  /// Called exactly once per append, from the partition, after the append is as durable as
  /// the topic's fsync policy promises (or failed). Must not block.
  virtual void on_appended(const append_outcome& outcome) = 0;
};

struct fetch_request {
  offset start;
  size_t max_bytes = 1 << 20;
  size_t min_bytes = 1;
  int64_t max_wait_ms = 0;  // 0 = answer at once
  /// read_committed: only offsets below the Last Stable Offset, with the aborted
  /// transactions of the returned range; otherwise (read_uncommitted) up to the high watermark.
  bool read_committed = false;
};

struct fetch_response {
  errc code = errc::ok;
  std::string message;
  offset start;                       // the requested offset
  std::vector<shared_slice> chunks;   // whole batches; the first may begin before `start`
  size_t bytes = 0;
  offset high_watermark;              // offsets below this are visible (durable per policy)
  offset log_start;
  offset last_stable;                 // the LSO: below it no transaction is open
  /// read_committed: the aborted transactions overlapping the returned batches (by marker
  /// offset); empty otherwise.
  std::vector<model::aborted_txn> aborted;
};

class fetch_sink {
 public:
  virtual ~fetch_sink() = default;
  /// Called exactly once per fetch, from the partition. Must not block. A parked fetch is
  /// answered when data arrives, at max_wait_ms, or when asked to answer now (fetch_now):
  /// then at once with what is readable.
  virtual void on_fetched(fetch_response response) = 0;
};

using append_sink_ptr = std::shared_ptr<append_sink>;
using fetch_sink_ptr = std::shared_ptr<fetch_sink>;

/// A record batch handed to a partition for append: `data` views bytes inside the buffer that
/// `owner` keeps alive (a Kafka request frame, an embedded producer's buffer), `pinned_bytes` is
/// that buffer's size. Ownership: the sender hands the bytes over with the message and never
/// reads or writes them again, nor lets anyone else (the listener does not reuse a frame it
/// handed over). The partition stamps them in place (base offset, LogAppendTime, CRC), then
/// keeps them read-only in its hot tail (accounted at pinned_bytes), where Fetch serves them.
/// Makers keep pinned_bytes close to data.size(): a batch that is less than half of its
/// buffer is copied into one of its own (copy_of), so a small batch never pins a large frame.
struct append_batch {
  std::shared_ptr<void> owner;
  mutable_bytes_view data;
  size_t pinned_bytes = 0;

  /// All of a vector (the embedded producer's batch buffer); pins its capacity.
  static append_batch of(std::shared_ptr<bytes> buffer);
  /// A copy of `b` in a buffer of exactly its size (not zero-filled first).
  static append_batch copy_of(bytes_view b);
  /// `b` inside `owner`'s buffer of `buffer_bytes` if it is at least half of it, else copy_of(b).
  static append_batch slice_or_copy(std::shared_ptr<void> owner, mutable_bytes_view b,
                                    size_t buffer_bytes);
  /// The (stamped) batch as the read-only slice the hot tail and Fetch keep.
  shared_slice freeze() &&;
};

/// One producer with state in a partition (DescribeProducers).
struct producer_description {
  int64_t producer_id = -1;
  int32_t producer_epoch = -1;
  int32_t last_sequence = -1;
  int64_t last_timestamp = -1;
  int32_t coordinator_epoch = -1;
  int64_t current_txn_start_offset = -1;  // -1: no transaction open here
};
struct producer_description_list {
  errc code = errc::ok;
  std::vector<producer_description> producers;
};

/// Offsets and size of one partition, as describe and lag reports show them.
struct partition_description {
  partition_id id;
  offset log_start;
  offset end;
  offset high_watermark;
  uint64_t size_bytes = 0;
  size_t segments = 0;
  uint64_t hot_tail_bytes = 0;
  offset last_stable;       // the Last Stable Offset
  size_t open_transactions = 0;
  storage::recovery_report recovery;
};

}  // namespace lkstream::partition

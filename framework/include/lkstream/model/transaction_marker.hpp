#pragma once
// Transaction markers: the control batches a transaction coordinator writes into every
// partition of a transaction when it ends (Kafka's EndTransactionMarker), and the aborted
// ranges a read_committed reader needs.
//
// A marker is a RecordBatch v2 (record_batch.hpp) with attributes transactional | control
// (0x30), the producer's id and epoch, base_sequence -1 and one record:
//   key   (4 bytes, BE)  version int16 = 0, type int16 (0 abort, 1 commit)
//   value (6 bytes, BE)  version int16 = 0, coordinator_epoch int32
// as Kafka writes them (ControlRecordType, EndTransactionMarker). Clients never send control
// batches; a partition refuses them from a producer.

#include <cstdint>

#include "lkstream/base/result.hpp"
#include "lkstream/base/types.hpp"

namespace lkstream::model {

inline constexpr int16_t transactional_bit = 0x10;
inline constexpr int16_t control_bit = 0x20;

enum class marker_type : int16_t { abort = 0, commit = 1 };

struct transaction_marker {
  marker_type type = marker_type::abort;
  int32_t coordinator_epoch = 0;
};

/// Builds the marker batch (one record, timestamp `now`) into `out` (cleared first).
void build_marker_batch(bytes& out, int64_t producer_id, int16_t producer_epoch,
                        transaction_marker marker, timestamp_ms now);

/// The marker of a control batch. corrupt_batch if the batch is not a control batch or its
/// first record is not a commit/abort control record of version 0 (other control types,
/// such as KRaft's, are `unsupported`).
result<transaction_marker> read_marker(bytes_view batch);

/// One aborted transaction of one partition (Kafka's AbortedTxn): the producer's data from
/// `first` up to its abort marker at `last` is to be dropped by read_committed readers.
/// `last_stable` is the partition's last stable offset when the marker was written.
struct aborted_txn {
  int64_t producer_id = -1;
  offset first;
  offset last;
  offset last_stable;
  friend bool operator==(const aborted_txn&, const aborted_txn&) = default;
};

}  // namespace lkstream::model

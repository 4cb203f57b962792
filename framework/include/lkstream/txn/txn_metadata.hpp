#pragma once
// The state of one transactional id, as the transaction coordinator keeps it (Kafka's
// TransactionMetadata), and its durable encoding in the coordinator's log (txn_log.hpp).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "lkstream/base/result.hpp"
#include "lkstream/base/types.hpp"

namespace lkstream::txn {

/// Kafka's TransactionState, with its names (DescribeTransactions and ListTransactions show
/// them). prepare_* mean the outcome is decided and durable; its markers may still be out.
enum class txn_status : uint8_t {
  empty,            // a producer id, no transaction yet (or none since the last one)
  ongoing,          // partitions or offsets were added
  prepare_commit,   // EndTxn(commit) decided: markers being written
  prepare_abort,    // EndTxn(abort), a timeout or a fenced producer: markers being written
  complete_commit,
  complete_abort,
};

/// "Empty", "Ongoing", "PrepareCommit", "PrepareAbort", "CompleteCommit", "CompleteAbort".
std::string_view to_string(txn_status s) noexcept;
std::optional<txn_status> parse_txn_status(std::string_view s) noexcept;

/// An offset committed inside the transaction (TxnOffsetCommit): it reaches the group only
/// when the transaction commits.
struct pending_offset {
  std::string group_id;
  topic_partition tp;
  int64_t offset = -1;
  int32_t leader_epoch = -1;
  std::string metadata;
  friend bool operator==(const pending_offset&, const pending_offset&) = default;
};

struct txn_metadata {
  std::string transactional_id;
  int64_t producer_id = -1;
  int16_t producer_epoch = -1;
  int32_t timeout_ms = 60000;
  txn_status status = txn_status::empty;
  std::vector<topic_partition> partitions;  // sorted, unique
  std::vector<std::string> groups;          // AddOffsetsToTxn, sorted, unique
  std::vector<pending_offset> offsets;      // TxnOffsetCommit, latest per (group, partition)
  int64_t start_ms = -1;                    // when the transaction began (-1: none)
  int64_t update_ms = 0;                    // last state change
  friend bool operator==(const txn_metadata&, const txn_metadata&) = default;
};

/// One record of the coordinator's log: the whole metadata of one transactional id (the last
/// record of an id wins, as in Kafka's compacted __transaction_state). Layout, big-endian:
///   version u8 = 1, transactional_id (u16 length, bytes), producer_id i64, epoch i16,
///   timeout_ms i32, status u8, start_ms i64, update_ms i64,
///   partitions u32 count, each (topic u16+bytes, partition i32),
///   groups u32 count, each (u16+bytes),
///   offsets u32 count, each (group u16+bytes, topic u16+bytes, partition i32, offset i64,
///                            leader_epoch i32, metadata u32+bytes)
void encode_txn_metadata(const txn_metadata& m, bytes& out);
result<txn_metadata> decode_txn_metadata(bytes_view in);

}  // namespace lkstream::txn

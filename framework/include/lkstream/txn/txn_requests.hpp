#pragma once
// The payloads of the transaction coordinator's messages (actors/src/txn/txn_coordinator_api.hpp)
// that are not plain scalars: plain copyable structs, allowed in actors/src/message_types.hpp.

#include <cstdint>
#include <string>
#include <vector>

#include "lkstream/base/types.hpp"
#include "lkstream/txn/txn_metadata.hpp"

namespace lkstream::txn {

/// AddPartitionsToTxn's partitions.
struct txn_partition_list {
  std::vector<topic_partition> partitions;
};

/// TxnOffsetCommit, after the group's own checks passed.
struct txn_offset_commit_args {
  std::string transactional_id;
  int64_t producer_id = -1;
  int16_t producer_epoch = -1;
  std::string group_id;
  std::vector<pending_offset> offsets;
};

/// DescribeTransactions / ListTransactions answers: the metadata of the ids asked for (an
/// unknown id is answered with producer_id -1).
struct txn_metadata_list {
  std::vector<txn_metadata> txns;
};

}  // namespace lkstream::txn

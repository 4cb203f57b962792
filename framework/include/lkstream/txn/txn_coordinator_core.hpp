#pragma once
// txn_coordinator_core: Kafka's transaction coordinator for one node, without actors. The
// txn_coordinator actor (actors/src/txn/) owns one, hands it each request, and carries out
// what it cannot do itself: write markers into partitions and offsets into groups.
//
// State: one txn_metadata per transactional id, durable in DIR/transactions.log (txn_log):
// every change is appended and synced before the call returns, so an answer never claims
// more than a restart keeps. The rules follow Kafka's TransactionCoordinator:
//
//   InitProducerId   a new id gets a producer id, epoch 0. An existing one gets its epoch
//                    bumped (a new producer id when the epoch is exhausted), which fences the
//                    previous producer. If its transaction is open, that one is aborted first
//                    with the bumped epoch (the answer is CONCURRENT_TRANSACTIONS, the client
//                    retries); while markers are out, CONCURRENT_TRANSACTIONS.
//   AddPartitions/   producer id and epoch must be the id's current ones
//   AddOffsets/      (INVALID_PRODUCER_ID_MAPPING, PRODUCER_FENCED); not while an outcome is
//   TxnOffsetCommit  being written (CONCURRENT_TRANSACTIONS). The transaction becomes Ongoing.
//   EndTxn           Ongoing -> PrepareCommit/PrepareAbort (the decision, durable), then the
//                    owner writes the markers (and on commit the offsets) and calls complete().
//                    A retry of a finished outcome answers NONE, the other outcome
//                    INVALID_TXN_STATE; Empty answers INVALID_TXN_STATE.
//   timeout          an Ongoing transaction older than its timeout_ms is aborted with a bumped
//                    epoch (expire()).
//   recovery         after open(), recovered() lists the decided transactions whose markers
//                    may not all be written: the owner completes them (writing a marker twice
//                    is harmless). Ongoing transactions stay open and time out.
//
// Not thread-safe: one owner. No CAF.

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "lkstream/base/result.hpp"
#include "lkstream/kafka/error_code.hpp"
#include "lkstream/storage/file_system.hpp"
#include "lkstream/txn/txn_metadata.hpp"

namespace lkstream::txn {

/// Kafka's TRANSACTIONAL_ID_NOT_FOUND (DescribeTransactions of an unknown id).
inline constexpr auto transactional_id_not_found = static_cast<kafka::error_code>(105);

struct coordinator_config {
  std::shared_ptr<storage::file_system> fs;
  std::string dir;                    // DATA_DIR/__transactions
  int32_t max_timeout_ms = 900000;    // Kafka's transaction.max.timeout.ms
  /// A producer id no other producer of the engine holds (shared with idempotent producers).
  std::function<int64_t()> allocate_producer_id;
  uint64_t compact_bytes = 4u << 20;  // rewrite the log at open when it is larger than this
                                      //   and four times its live records
};

/// A decided transaction to finish: markers of `commit`/abort with (producer_id, epoch) into
/// `partitions`; on commit, `offsets` into their groups; then complete().
struct completion {
  std::string transactional_id;
  int64_t producer_id = -1;
  int16_t epoch = -1;
  bool commit = false;
  std::vector<topic_partition> partitions;
  std::vector<pending_offset> offsets;
};

class txn_coordinator_core {
 public:
  static result<std::unique_ptr<txn_coordinator_core>> open(coordinator_config cfg);
  ~txn_coordinator_core();

  /// The decided transactions open() found unfinished (see the header comment).
  const std::vector<completion>& recovered() const noexcept { return recovered_; }

  struct init_result {
    kafka::error_code error = kafka::error_code::none;
    int64_t producer_id = -1;
    int16_t epoch = -1;
    std::optional<completion> abort;  // an open transaction was fenced: finish this abort
  };
  init_result init_producer_id(const std::string& id, int32_t timeout_ms, int64_t now_ms);

  kafka::error_code add_partitions(const std::string& id, int64_t producer_id, int16_t epoch,
                                   const std::vector<topic_partition>& tps, int64_t now_ms);
  kafka::error_code add_offsets(const std::string& id, int64_t producer_id, int16_t epoch,
                                const std::string& group_id, int64_t now_ms);
  /// Records offsets of `group_id` in the transaction (the latest per partition wins); the
  /// group's own checks (KIP-447 generation and member) are the caller's, before this.
  kafka::error_code txn_offset_commit(const std::string& id, int64_t producer_id, int16_t epoch,
                                      const std::string& group_id,
                                      const std::vector<pending_offset>& offsets, int64_t now_ms);

  struct end_result {
    kafka::error_code error = kafka::error_code::none;
    std::optional<completion> todo;  // decided now: write it, then complete()
  };
  end_result end_txn(const std::string& id, int64_t producer_id, int16_t epoch, bool commit,
                     int64_t now_ms);
  /// The markers (and offsets) of `id`'s decided transaction are written: Complete*.
  status complete(const std::string& id, int64_t now_ms);

  /// Aborts, with a bumped epoch, every Ongoing transaction whose timeout passed at `now_ms`.
  std::vector<completion> expire(int64_t now_ms);
  /// When expire() next has something to do.
  std::optional<int64_t> next_deadline() const;

  const txn_metadata* find(const std::string& id) const;
  /// The partitions of `group_id` whose TxnOffsetCommit waits in a transaction that is not
  /// complete (ongoing or prepare_*), sorted and unique: OffsetFetch with require_stable
  /// (KIP-447) answers them UNSTABLE_OFFSET_COMMIT until the markers are written.
  std::vector<topic_partition> pending_offsets(const std::string& group_id) const;
  const std::map<std::string, txn_metadata>& all() const noexcept { return txns_; }
  /// The decided transaction of `id` to finish (prepare_* only).
  std::optional<completion> pending_completion(const std::string& id) const;

 private:
  struct log_file;
  explicit txn_coordinator_core(coordinator_config cfg);
  /// Makes `m` the state of its id durably; on failure nothing changes.
  kafka::error_code persist(const txn_metadata& m);
  kafka::error_code check_producer(const txn_metadata* m, int64_t producer_id,
                                   int16_t epoch) const;
  static completion completion_of(const txn_metadata& m);
  /// Bumps m's epoch (a new producer id when exhausted).
  void bump_epoch(txn_metadata& m);

  coordinator_config cfg_;
  std::unique_ptr<log_file> log_;
  std::map<std::string, txn_metadata> txns_;
  std::vector<completion> recovered_;
};

}  // namespace lkstream::txn

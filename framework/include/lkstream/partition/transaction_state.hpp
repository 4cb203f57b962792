#pragma once
// transaction_state: the transactions of one partition (Kafka's ongoing-transaction part of
// ProducerStateManager plus its TransactionIndex): which producers have a transaction open
// here and where it began, the transactions completed but not yet below the high watermark,
// the aborted transactions, and from these the first unstable offset, which bounds the Last
// Stable Offset (LSO = min(first unstable offset, high watermark)).
//
// Files in the partition's directory (beside the segments):
//   aborted.txnindex          append-only, one 34-byte entry per aborted transaction, as
//                             Kafka's .txnindex entries: version int16 = 0, producer_id int64,
//                             first_offset int64, last_offset int64 (the abort marker),
//                             last_stable_offset int64; big-endian. A torn last entry is
//                             ignored.
//   transactions.checkpoint   the state at an offset: magic "LKTX" (4), version uint16 = 1,
//                             covered_end int64, open_count uint32, per open transaction
//                             producer_id int64, epoch int16, first_offset int64; then a
//                             CRC-32C uint32 over everything before it. Replaced atomically
//                             (written to .tmp, synced, renamed).
//
// Recovery (open): the checkpoint gives the open transactions at covered_end; the index
// entries whose marker lies below covered_end are kept, and the log is scanned from
// covered_end to its end to find the rest (transactional batches open transactions, markers
// close them, abort markers add index entries). Without a usable checkpoint (none, damaged, or
// beyond the recovered log end, which an unsynced tail lost in a crash) the whole log is
// scanned. The index file is rewritten if it disagreed with the log (entries past a truncated
// tail, entries a crash lost), and a new checkpoint written. checkpoint() writes one (the
// partition calls it at retention ticks and at close), so the scan after a crash covers what
// came after the last one.
//
// Invariant kept by the owner (partition_core): retention never deletes offsets at or above
// the first unstable offset, so no open transaction begins below the log start.
//
// Memory: one entry per open transaction, per completed-but-unstable one, and per aborted
// transaction whose marker is at or above the log start (trim() drops older ones).
//
// Not thread-safe: owned by one partition core. No CAF.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "lkstream/base/result.hpp"
#include "lkstream/base/types.hpp"
#include "lkstream/model/record_batch.hpp"
#include "lkstream/model/transaction_marker.hpp"
#include "lkstream/storage/file_system.hpp"
#include "lkstream/storage/log.hpp"

namespace lkstream::partition {

/// A producer's transaction open in this partition: its data begins at `first`.
struct open_transaction {
  int64_t producer_id = -1;
  int16_t epoch = -1;
  offset first;
};

/// What open() found and did, for logs and describe.
struct transaction_recovery {
  offset scanned_from;          // where the log scan began (the checkpoint, or the log start)
  bool checkpoint_used = false;
  std::string note;             // why no checkpoint was used, or what was repaired ("" if none)
};

class transaction_state {
 public:
  static constexpr std::string_view index_file_name = "aborted.txnindex";
  static constexpr std::string_view checkpoint_file_name = "transactions.checkpoint";
  static constexpr size_t index_entry_bytes = 34;

  /// The state of the (recovered, open) log `lg`, from its directory's files and a scan.
  static result<std::unique_ptr<transaction_state>> open(std::shared_ptr<storage::file_system> fs,
                                                         const storage::log& lg);

  /// Whether a data (non-control) batch with header `h` from a producer may be appended now:
  /// invalid_producer_epoch for a transactional batch older than the open transaction's
  /// epoch, invalid_txn_state for a non-transactional batch of a producer with a transaction
  /// open here. Batches without a producer id are fine.
  status check_data(const model::batch_header& h) const;
  /// A transactional batch was appended at `base`: opens the producer's transaction here if
  /// it has none.
  void on_data(const model::batch_header& h, offset base);

  /// Whether a marker of `producer_id` at `epoch` may be written: invalid_producer_epoch if
  /// the open transaction has a newer epoch.
  status check_marker(int64_t producer_id, int16_t epoch) const;
  /// A marker was appended at `at` while the partition's LSO was `last_stable`: closes the
  /// producer's transaction (which stays unstable until the high watermark passes `at`) and,
  /// for an abort, adds (and appends to the index file) its aborted entry. A marker for a
  /// producer without an open transaction changes nothing. The error is the index file's
  /// write error: the entry is kept in memory and a later checkpoint rewrites the file.
  status on_marker(int64_t producer_id, model::marker_type type, offset at, offset last_stable);

  /// The first offset a read_committed reader may not see yet, given the high watermark `hw`
  /// (which it returns when nothing is unstable): the lowest first offset of the open
  /// transactions and of the completed ones whose marker is not below `hw`.
  offset first_unstable(offset hw) const;
  /// Forgets completed transactions whose marker is below `hw`.
  void on_high_watermark(offset hw);

  /// Appends to `out` the aborted transactions a reader of [start, upper) needs: those with
  /// last >= start and first < upper, by marker offset.
  void aborted_between(offset start, offset upper, std::vector<model::aborted_txn>& out) const;
  const std::vector<model::aborted_txn>& aborted() const noexcept { return aborted_; }
  const std::vector<open_transaction>& open_transactions() const noexcept { return open_; }
  /// The open transaction of `producer_id`, if any.
  const open_transaction* find_open(int64_t producer_id) const;

  /// Drops aborted entries whose marker is below `log_start` (retention moved it) and
  /// rewrites the index file without them.
  status trim(offset log_start);
  /// Writes the checkpoint at `log_end` (the caller synced the log up to it); the index file
  /// is synced first (and rewritten if an append to it failed). No-op if nothing changed since
  /// the last checkpoint at the same end.
  status checkpoint(offset log_end);

  const transaction_recovery& recovery() const noexcept { return recovery_; }

 private:
  struct completed {
    int64_t producer_id;
    offset first;
    offset marker;
  };
  transaction_state(std::shared_ptr<storage::file_system> fs, std::string dir);
  void apply_batch(bytes_view batch, std::vector<model::aborted_txn>& found);
  void close_open(int64_t producer_id, model::marker_type type, offset at, offset last_stable,
                  std::vector<model::aborted_txn>& into);
  status append_index_entry(const model::aborted_txn& a);
  status rewrite_index();
  std::string path(std::string_view name) const;

  std::shared_ptr<storage::file_system> fs_;
  std::string dir_;
  std::vector<open_transaction> open_;      // by first offset (appended in log order)
  std::vector<completed> completed_;        // marker at or above the high watermark
  std::vector<model::aborted_txn> aborted_; // by marker offset
  std::unique_ptr<storage::file> index_;    // aborted.txnindex, open for appends
  bool index_damaged_ = false;              // an append failed: rewrite at the next checkpoint
  bool dirty_ = true;                       // changed since the last checkpoint
  offset checkpointed_end_{-1};
  transaction_recovery recovery_;
};

}  // namespace lkstream::partition

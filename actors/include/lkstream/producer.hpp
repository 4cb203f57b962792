#pragma once
// The embedded producer. send() copies the record into a per-partition batch under
// construction (no allocation or actor message per record); a batch is handed to the partition
// actor when it reaches batch_bytes or is linger_ms old, or on flush(). Keyed records go to the
// partition Kafka's default partitioner picks (murmur2), unkeyed ones stick to one partition per
// batch (KIP-480 sticky partitioning).
//
// Delivery: each record's callback runs once, after the append is as durable as the topic's
// fsync policy promises, or failed. Callbacks run on an engine thread: keep them short and
// never call flush() or block inside one. The future-returning send_future() is the
// convenience on top.
//
// Threading: send/flush may be called from several threads at once.
// Backpressure: when buffer_bytes are waiting for acknowledgement, send() blocks until space
// frees up (or returns errc::timeout after max_block_ms).
//
// Transactions (Kafka's, with the same coordinator as `lkstream serve`): a producer with a
// transactional_id calls init_transactions() once, then per transaction begin_transaction(),
// send()s, optionally send_offsets_to_transaction(), and commit_transaction() or
// abort_transaction(). Its records are written as transactional batches (producer id, epoch,
// sequence) and become visible to read_committed consumers only once committed; the offsets
// sent reach the group only then too. The transactional id is shared with Kafka clients over
// the wire: init_transactions() here fences a Kafka client with the same id and vice versa
// (its next call fails with producer_fenced). Errors:
//   producer_fenced    another producer (embedded or Kafka) took the id, or the coordinator
//                      aborted the transaction after transaction_timeout_ms: fatal, only
//                      destroying the producer (and making a new one) helps
//   invalid_txn_state  a call out of order (send() outside a transaction, commit without
//                      begin, begin twice, ...); nothing changed
//   timeout            the call did not finish in time; retry the same call (or abort)
//   others             a record of the transaction failed (disk full, ...):
//                      commit_transaction() returns that error and the transaction must be
//                      aborted
// The transactional calls are made by one application thread at a time; send() may still
// come from several threads inside a transaction.

#include <chrono>
#include <functional>
#include <future>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "lkstream/base/result.hpp"
#include "lkstream/base/types.hpp"

namespace lkstream {

struct consumer_group_metadata;  // consumer.hpp

struct record_header {
  std::string_view key;
  std::optional<bytes_view> value;  // nullopt = null
};

struct producer_record {
  std::string_view topic;
  std::optional<bytes_view> key;     // nullopt = null key (sticky partitioning)
  std::optional<bytes_view> value;   // nullopt = null value (tombstone)
  std::span<const record_header> headers = {};
  timestamp_ms timestamp = -1;       // -1 = now
  int32_t partition = -1;            // -1 = chosen by the partitioner
};

struct delivery_report {
  errc code = errc::ok;
  std::string_view message;          // valid during the callback only
  std::string_view topic;            // valid during the callback only
  int32_t partition = -1;
  int64_t offset = -1;
  timestamp_ms timestamp = -1;
};

/// A delivery report that owns its strings (for futures).
struct delivery_result {
  errc code = errc::ok;
  std::string message;
  int32_t partition = -1;
  int64_t offset = -1;
  timestamp_ms timestamp = -1;
};

using delivery_callback = std::function<void(const delivery_report&)>;

struct producer_options {
  int64_t linger_ms = 5;                 // 0 = hand every record over at once
  size_t batch_bytes = 256 * 1024;       // seal a batch at this size
  size_t buffer_bytes = 64ull << 20;     // unacknowledged bytes before send() blocks
  int64_t max_block_ms = 60000;          // longest send() blocks for buffer space
  bool auto_create_topics = false;       // create unknown topics with topic_defaults
  /// Non-empty: a transactional producer (init_transactions() before anything is sent).
  std::string transactional_id;
  /// The coordinator aborts a transaction open longer than this (and fences the producer).
  int32_t transaction_timeout_ms = 60000;
};

class producer {
 public:
  struct impl;
  explicit producer(std::unique_ptr<impl> i);
  /// Flushes (waits for every outstanding delivery) and stops the linger thread.
  ~producer();

  /// Queues one record. Errors at once for: unknown topic (unless auto_create_topics),
  /// partition out of range, a record larger than the topic's max batch size, a record
  /// without a key for a compacted topic (errc::invalid_record), a closed engine, a timeout
  /// waiting for buffer space. Later errors (disk full) reach the callback.
  status send(const producer_record& rec, delivery_callback cb = {});

  /// Queues several records under one lock (cheaper than a send() each); `cb` (copied per
  /// record) reports each record's delivery. Stops at the first record send() would refuse and
  /// returns its error, prefixed "record N: "; the records before it are queued.
  status send_batch(std::span<const producer_record> records, const delivery_callback& cb = {});

  /// send_batch() for callers that handle the refusal themselves (the Python binding):
  /// `queued` is set to the number of records queued (all on success, those before the
  /// refused one otherwise) and the error is the refused record's, without the prefix.
  status send_batch(std::span<const producer_record> records, const delivery_callback& cb,
                    size_t& queued);

  /// send() with a future for the delivery result.
  std::future<delivery_result> send_future(const producer_record& rec);

  /// Hands over every open batch and waits until all outstanding records are acknowledged.
  /// errc::timeout if that takes longer than `timeout`.
  status flush(std::chrono::milliseconds timeout = std::chrono::milliseconds::max());

  /// Records sent but not yet acknowledged.
  size_t in_flight() const;

  // ---- transactions (transactional_id set) ------------------------------------------------

  /// Registers the transactional id with the coordinator: fences any earlier producer with
  /// the same id (embedded or Kafka client) and aborts its open transaction. Once per
  /// producer; again only after an error that says so. invalid_txn_state without a
  /// transactional_id.
  status init_transactions(std::chrono::milliseconds timeout = std::chrono::seconds(60));
  /// Starts a transaction (local: the coordinator learns of it with the first record).
  status begin_transaction();
  /// Adds `offsets` (the next offsets to read, as commit_sync takes them) of the consumer
  /// group `group` to the transaction: they are committed for the group when the
  /// transaction commits, never otherwise. The group checks the member's generation
  /// (illegal_generation, unknown_member, rebalance_in_progress: abort then).
  status send_offsets_to_transaction(const std::map<topic_partition, int64_t>& offsets,
                                     const consumer_group_metadata& group,
                                     std::chrono::milliseconds timeout = std::chrono::seconds(60));
  /// Flushes, then commits: when this returns ok, read_committed consumers see every record
  /// of the transaction and the group its offsets. On a record's failure the error is
  /// returned and abort_transaction() must follow; on timeout call it again.
  status commit_transaction(std::chrono::milliseconds timeout = std::chrono::seconds(60));
  /// Waits for the records in flight, then aborts: none of them is ever seen by a
  /// read_committed consumer, the offsets are dropped.
  status abort_transaction(std::chrono::milliseconds timeout = std::chrono::seconds(60));

 private:
  std::unique_ptr<impl> impl_;
};

}  // namespace lkstream

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

#include <chrono>
#include <functional>
#include <future>
#include <memory>
#include <optional>
#include <span>
#include <string_view>

#include "lkstream/base/result.hpp"
#include "lkstream/base/types.hpp"

namespace lkstream {

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

 private:
  std::unique_ptr<impl> impl_;
};

}  // namespace lkstream

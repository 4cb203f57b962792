#pragma once
// Atoms and message types shared by the engine's actors (internal; CAF stays out of the public
// headers). Messages carry whole batches in shared buffers, never single records.
//
// Completion "sinks" are the reply path to plain threads and network sessions: the actor calls
// the sink from its own context, and the sink hands the result to whoever waits (a producer's
// callbacks, a consumer's queue, an io thread). This avoids a blocking scoped_actor per call.

#include <caf/all.hpp>

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "lkstream/base/result.hpp"
#include "lkstream/base/shared_slice.hpp"
#include "lkstream/base/types.hpp"
#include "lkstream/storage/log.hpp"

namespace lkstream::actors {

using append_atom = caf::atom_constant<caf::atom("append")>;
using sync_atom = caf::atom_constant<caf::atom("sync")>;
using tick_sync_atom = caf::atom_constant<caf::atom("tick_sync")>;
using fetch_atom = caf::atom_constant<caf::atom("fetch")>;
using fetch_tmo_atom = caf::atom_constant<caf::atom("fetch_tmo")>;
using offsets_atom = caf::atom_constant<caf::atom("offsets")>;
using list_off_atom = caf::atom_constant<caf::atom("list_off")>;
using retention_atom = caf::atom_constant<caf::atom("retention")>;
using tick_atom = caf::atom_constant<caf::atom("tick")>;
using describe_atom = caf::atom_constant<caf::atom("describe")>;
using delete_atom = caf::atom_constant<caf::atom("delete")>;
using create_atom = caf::atom_constant<caf::atom("create")>;
using list_atom = caf::atom_constant<caf::atom("list")>;
using config_atom = caf::atom_constant<caf::atom("config")>;
using partitions_atom = caf::atom_constant<caf::atom("partitions")>;
using fetch_now_atom = caf::atom_constant<caf::atom("fetch_now")>;

/// Wall-clock milliseconds. Injected so tests can drive retention and segment age.
using clock_fn = std::function<timestamp_ms()>;
timestamp_ms system_clock_ms();

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
  /// Called exactly once per append, from the partition actor, after the append is as durable
  /// as the topic's fsync policy promises (or failed). Must not block.
  virtual void on_appended(const append_outcome& outcome) = 0;
};

struct fetch_request {
  offset start;
  size_t max_bytes = 1 << 20;
  size_t min_bytes = 1;
  int64_t max_wait_ms = 0;  // 0 = answer at once
};

struct fetch_response {
  errc code = errc::ok;
  std::string message;
  offset start;                       // the requested offset
  std::vector<shared_slice> chunks;   // whole batches; the first may begin before `start`
  size_t bytes = 0;
  offset high_watermark;              // offsets below this are visible (durable per policy)
  offset log_start;
};

class fetch_sink {
 public:
  virtual ~fetch_sink() = default;
  /// Called exactly once per fetch, from the partition actor. Must not block.
  /// A parked fetch is answered when data arrives, at max_wait_ms, or when the partition
  /// receives (fetch_now_atom, the same sink): then at once with what is readable.
  virtual void on_fetched(fetch_response response) = 0;
};

/// A record batch handed to a partition for append: `data` views bytes inside the buffer that
/// `owner` keeps alive (a Kafka request frame, an embedded producer's buffer), `pinned_bytes` is
/// that buffer's size. Ownership: the sender hands the bytes over with the message and never
/// reads or writes them again, nor lets anyone else (the listener does not reuse a frame it
/// handed over). The partition actor stamps them in place (base offset, LogAppendTime, CRC),
/// then keeps them read-only in its hot tail (accounted at pinned_bytes), where Fetch serves
/// them. Makers keep pinned_bytes close to data.size(): a batch that is less than half of its
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

using append_sink_ptr = std::shared_ptr<append_sink>;
using fetch_sink_ptr = std::shared_ptr<fetch_sink>;

/// Offsets and size of one partition, as describe and lag reports show them.
struct partition_description {
  partition_id id;
  offset log_start;
  offset end;
  offset high_watermark;
  uint64_t size_bytes = 0;
  size_t segments = 0;
  uint64_t hot_tail_bytes = 0;
  storage::recovery_report recovery;
};

/// lkstream::error <-> caf::error, keeping the message text as the error's context.
caf::error to_caf_error(const error& e);
caf::error to_caf_error(errc code, std::string message);
error from_caf_error(const caf::error& e);

/// A request from a plain (non-actor) thread that blocks for the reply; CAF errors come back
/// as lkstream errors. For rare calls (admin, group membership): hot paths use sinks.
template <class T, class... Ts>
result<T> blocking_request(caf::actor_system& sys, const caf::actor& dest, Ts&&... xs) {
  if (!dest) return error{errc::closed, "the engine is shut down"};
  caf::scoped_actor self{sys};
  std::optional<result<T>> out;
  self->request(dest, caf::infinite, std::forward<Ts>(xs)...)
      .receive([&](T& v) { out.emplace(std::move(v)); },
               [&](caf::error& e) { out.emplace(from_caf_error(e)); });
  return std::move(*out);
}

}  // namespace lkstream::actors

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(lkstream::actors::append_batch)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(lkstream::actors::append_sink_ptr)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(lkstream::actors::fetch_sink_ptr)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(lkstream::actors::fetch_request)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(lkstream::actors::partition_description)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(lkstream::storage::log_config)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(lkstream::offset)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(lkstream::partition_id)

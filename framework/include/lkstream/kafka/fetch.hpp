#pragma once
// Fetch (key 1), versions 4-11 (flexible from 12, not served).
//
//   request  replica_id, max_wait_ms, min_bytes, max_bytes (v3+), isolation_level (v4+),
//            session_id + session_epoch (v7+),
//            topics [topic, partitions [partition, current_leader_epoch (v9+), fetch_offset,
//                                       log_start_offset (v5+), partition_max_bytes]],
//            forgotten_topics_data [topic, partitions] (v7+), rack_id (v11+)
//   response throttle_time_ms (v1+), error_code + session_id (v7+),
//            responses [topic, partitions [index, error, high_watermark,
//                                         last_stable_offset (v4+), log_start_offset (v5+),
//                                         aborted_transactions (v4+, nullable),
//                                         preferred_read_replica (v11+), records]]
//
// Zero copy: a response partition's `records` is a list of shared chunks (whole batches as
// storage::log::read returns them). encode_fetch_response writes the int32 size of each
// partition's record set as the sum of its chunks and then references the chunks in the
// writer; wire_writer::segments() hands them to writev. Records are never null on the wire:
// an empty list is written as size 0 (librdkafka 2.0.2 rejects null, notes §1.5).
// Decoding (client side) yields one chunk per non-empty partition, viewing the frame.
// Sessions (KIP-227) are not implemented by the broker: answer session_id = 0.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "lkstream/base/result.hpp"
#include "lkstream/kafka/api_key.hpp"
#include "lkstream/kafka/error_code.hpp"
#include "lkstream/kafka/wire_reader.hpp"
#include "lkstream/kafka/wire_types.hpp"
#include "lkstream/kafka/wire_writer.hpp"

namespace lkstream::kafka {

inline constexpr int8_t isolation_read_uncommitted = 0;
inline constexpr int8_t isolation_read_committed = 1;

struct fetch_partition {
  int32_t partition = 0;
  int32_t current_leader_epoch = -1;  // v9+
  int64_t fetch_offset = 0;
  int64_t log_start_offset = -1;      // v5+, followers only
  int32_t partition_max_bytes = 0;

  friend bool operator==(const fetch_partition&, const fetch_partition&) = default;
};

struct fetch_topic {
  std::string topic;
  std::vector<fetch_partition> partitions;

  friend bool operator==(const fetch_topic&, const fetch_topic&) = default;
};

struct fetch_forgotten_topic {
  std::string topic;
  std::vector<int32_t> partitions;

  friend bool operator==(const fetch_forgotten_topic&, const fetch_forgotten_topic&) = default;
};

struct fetch_request {
  static constexpr api_key key = api_key::fetch;
  static constexpr bool is_request = true;

  int32_t replica_id = -1;  // -1 for consumers
  int32_t max_wait_ms = 0;
  int32_t min_bytes = 0;
  int32_t max_bytes = INT32_MAX;                    // v3+
  int8_t isolation_level = isolation_read_uncommitted;  // v4+
  int32_t session_id = 0;                           // v7+
  int32_t session_epoch = -1;                       // v7+
  std::vector<fetch_topic> topics;
  std::vector<fetch_forgotten_topic> forgotten_topics_data;  // v7+
  std::string rack_id;                                       // v11+

  friend bool operator==(const fetch_request&, const fetch_request&) = default;
};

struct fetch_aborted_transaction {
  int64_t producer_id = 0;
  int64_t first_offset = 0;

  friend bool operator==(const fetch_aborted_transaction&,
                         const fetch_aborted_transaction&) = default;
};

struct fetch_partition_response {
  int32_t partition_index = 0;
  error_code error = error_code::none;
  int64_t high_watermark = -1;
  int64_t last_stable_offset = -1;  // v4+; = high watermark without transactions
  int64_t log_start_offset = -1;    // v5+
  // v4+; empty by default (non-null), as Kafka sends without aborted transactions.
  std::optional<std::vector<fetch_aborted_transaction>> aborted_transactions{std::in_place};
  int32_t preferred_read_replica = -1;  // v11+
  std::vector<record_chunk> records;

  friend bool operator==(const fetch_partition_response&,
                         const fetch_partition_response&) = default;
};

struct fetch_topic_response {
  std::string topic;
  std::vector<fetch_partition_response> partitions;

  friend bool operator==(const fetch_topic_response&, const fetch_topic_response&) = default;
};

struct fetch_response {
  static constexpr api_key key = api_key::fetch;
  static constexpr bool is_request = false;

  int32_t throttle_time_ms = 0;         // v1+
  error_code error = error_code::none;  // v7+
  int32_t session_id = 0;               // v7+
  std::vector<fetch_topic_response> responses;

  friend bool operator==(const fetch_response&, const fetch_response&) = default;
};

result<fetch_request> decode_fetch_request(wire_reader& r, int16_t version);
status encode_fetch_request(wire_writer& w, int16_t version, const fetch_request& m);
/// Decoded record chunks view the frame (no owner): keep the frame alive while using them.
result<fetch_response> decode_fetch_response(wire_reader& r, int16_t version);
/// References the record chunks; fails if a partition's records exceed INT32_MAX bytes.
status encode_fetch_response(wire_writer& w, int16_t version, const fetch_response& m);

}  // namespace lkstream::kafka

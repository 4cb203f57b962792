#pragma once
// Produce (key 0), versions 3-8 decoded (0-8 advertised, see supported_apis.hpp).
//
//   request  transactional_id (nullable), acks int16, timeout_ms,
//            topics [name, partitions [index, records (nullable bytes)]]
//   response responses [name, partitions [index, error, base_offset, log_append_time_ms (v2+),
//                                         log_start_offset (v5+), record_errors (v8+),
//                                         error_message (v8+)]],
//            throttle_time_ms (v1+)  <- last field here, unlike most APIs
//
// Zero copy: a decoded partition's `records` is a view into the frame passed to the decoder;
// the frame must outlive the request (the listener keeps it until the partitions have taken
// what they need). Record batches are opaque here: validation is storage/model's job.
// acks = 0 means the broker sends no response at all (notes §1.5).

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "lkstream/base/result.hpp"
#include "lkstream/base/types.hpp"
#include "lkstream/kafka/api_key.hpp"
#include "lkstream/kafka/error_code.hpp"
#include "lkstream/kafka/wire_reader.hpp"
#include "lkstream/kafka/wire_types.hpp"
#include "lkstream/kafka/wire_writer.hpp"

namespace lkstream::kafka {

struct produce_partition_data {
  int32_t partition_index = 0;
  std::optional<bytes_view> records;  // view into the request frame; nullopt = null on the wire

  friend bool operator==(const produce_partition_data& a, const produce_partition_data& b) {
    if (a.partition_index != b.partition_index || a.records.has_value() != b.records.has_value())
      return false;
    return !a.records || same_bytes(*a.records, *b.records);
  }
};

struct produce_topic_data {
  std::string name;
  std::vector<produce_partition_data> partitions;

  friend bool operator==(const produce_topic_data&, const produce_topic_data&) = default;
};

struct produce_request {
  static constexpr api_key key = api_key::produce;
  static constexpr bool is_request = true;

  std::optional<std::string> transactional_id;
  int16_t acks = -1;  // 0: no response, 1: leader, -1: all in-sync replicas
  int32_t timeout_ms = 0;
  std::vector<produce_topic_data> topics;

  friend bool operator==(const produce_request&, const produce_request&) = default;
};

struct produce_record_error {
  int32_t batch_index = 0;
  std::optional<std::string> message;

  friend bool operator==(const produce_record_error&, const produce_record_error&) = default;
};

struct produce_partition_response {
  int32_t partition_index = 0;
  error_code error = error_code::none;
  int64_t base_offset = -1;
  int64_t log_append_time_ms = -1;  // v2+; -1 for CreateTime topics
  int64_t log_start_offset = -1;    // v5+
  std::vector<produce_record_error> record_errors;  // v8+
  std::optional<std::string> error_message;         // v8+

  friend bool operator==(const produce_partition_response&,
                         const produce_partition_response&) = default;
};

struct produce_topic_response {
  std::string name;
  std::vector<produce_partition_response> partitions;

  friend bool operator==(const produce_topic_response&, const produce_topic_response&) = default;
};

struct produce_response {
  static constexpr api_key key = api_key::produce;
  static constexpr bool is_request = false;

  std::vector<produce_topic_response> responses;
  int32_t throttle_time_ms = 0;  // v1+

  friend bool operator==(const produce_response&, const produce_response&) = default;
};

result<produce_request> decode_produce_request(wire_reader& r, int16_t version);
/// Copies the records into the writer (client side: tests, admin tools).
status encode_produce_request(wire_writer& w, int16_t version, const produce_request& m);
result<produce_response> decode_produce_response(wire_reader& r, int16_t version);
status encode_produce_response(wire_writer& w, int16_t version, const produce_response& m);

}  // namespace lkstream::kafka

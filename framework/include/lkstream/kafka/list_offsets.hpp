#pragma once
// ListOffsets (key 2), versions 1-5 (v0's old_style_offsets is not served: KIP-896 removed
// it and librdkafka 2.0.2 needs v1; flexible from 6, not served).
//
//   request  replica_id, isolation_level (v2+),
//            topics [name, partitions [index, current_leader_epoch (v4+), timestamp]]
//   response throttle_time_ms (v2+),
//            topics [name, partitions [index, error, timestamp, offset, leader_epoch (v4+)]]
//
// timestamp: list_offsets_latest (-1) = high watermark (LSO when isolation_level = 1),
// list_offsets_earliest (-2) = log start, t >= 0 = first offset with timestamp >= t.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "lkstream/base/result.hpp"
#include "lkstream/base/types.hpp"
#include "lkstream/kafka/api_key.hpp"
#include "lkstream/kafka/error_code.hpp"
#include "lkstream/kafka/wire_reader.hpp"
#include "lkstream/kafka/wire_writer.hpp"

namespace lkstream::kafka {

inline constexpr int64_t list_offsets_latest = -1;
inline constexpr int64_t list_offsets_earliest = -2;

struct list_offsets_partition {
  int32_t partition_index = 0;
  int32_t current_leader_epoch = -1;  // v4+
  int64_t timestamp = list_offsets_latest;

  friend bool operator==(const list_offsets_partition&, const list_offsets_partition&) = default;
};

struct list_offsets_topic {
  std::string name;
  std::vector<list_offsets_partition> partitions;

  friend bool operator==(const list_offsets_topic&, const list_offsets_topic&) = default;
};

struct list_offsets_request {
  static constexpr api_key key = api_key::list_offsets;
  static constexpr bool is_request = true;

  int32_t replica_id = -1;
  int8_t isolation_level = 0;  // v2+
  std::vector<list_offsets_topic> topics;

  friend bool operator==(const list_offsets_request&, const list_offsets_request&) = default;
};

struct list_offsets_partition_response {
  int32_t partition_index = 0;
  error_code error = error_code::none;
  int64_t timestamp = -1;
  int64_t offset = -1;
  int32_t leader_epoch = -1;  // v4+

  friend bool operator==(const list_offsets_partition_response&,
                         const list_offsets_partition_response&) = default;
};

struct list_offsets_topic_response {
  std::string name;
  std::vector<list_offsets_partition_response> partitions;

  friend bool operator==(const list_offsets_topic_response&,
                         const list_offsets_topic_response&) = default;
};

struct list_offsets_response {
  static constexpr api_key key = api_key::list_offsets;
  static constexpr bool is_request = false;

  int32_t throttle_time_ms = 0;  // v2+
  std::vector<list_offsets_topic_response> topics;

  friend bool operator==(const list_offsets_response&, const list_offsets_response&) = default;
};

result<list_offsets_request> decode_list_offsets_request(wire_reader& r, int16_t version);
status encode_list_offsets_request(wire_writer& w, int16_t version, const list_offsets_request& m);
result<list_offsets_response> decode_list_offsets_response(wire_reader& r, int16_t version);
status encode_list_offsets_response(wire_writer& w, int16_t version,
                                    const list_offsets_response& m);

}  // namespace lkstream::kafka

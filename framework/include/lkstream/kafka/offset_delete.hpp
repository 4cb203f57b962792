#pragma once
// OffsetDelete (key 47), version 0 (not flexible). Java Admin deleteConsumerGroupOffsets,
// librdkafka rd_kafka_DeleteConsumerGroupOffsets, kafka-consumer-groups.sh --delete-offsets.
//
//   request  group_id, topics [name, partitions [partition_index]]
//   response error, throttle_time_ms, topics [name, partitions [partition_index, error]]

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


struct offset_delete_topic {
  std::string name;
  std::vector<int32_t> partitions;

  friend bool operator==(const offset_delete_topic&, const offset_delete_topic&) = default;
};

struct offset_delete_request {
  static constexpr api_key key = api_key::offset_delete;
  static constexpr bool is_request = true;

  std::string group_id;
  std::vector<offset_delete_topic> topics;

  friend bool operator==(const offset_delete_request&, const offset_delete_request&) = default;
};

struct offset_delete_partition_result {
  int32_t partition_index = 0;
  error_code error = error_code::none;

  friend bool operator==(const offset_delete_partition_result&,
                         const offset_delete_partition_result&) = default;
};

struct offset_delete_topic_result {
  std::string name;
  std::vector<offset_delete_partition_result> partitions;

  friend bool operator==(const offset_delete_topic_result&,
                         const offset_delete_topic_result&) = default;
};

struct offset_delete_response {
  static constexpr api_key key = api_key::offset_delete;
  static constexpr bool is_request = false;

  error_code error = error_code::none;
  int32_t throttle_time_ms = 0;
  std::vector<offset_delete_topic_result> topics;

  friend bool operator==(const offset_delete_response&, const offset_delete_response&) = default;
};

result<offset_delete_request> decode_offset_delete_request(wire_reader& r, int16_t version);
status encode_offset_delete_request(wire_writer& w, int16_t version, const offset_delete_request& m);
result<offset_delete_response> decode_offset_delete_response(wire_reader& r, int16_t version);
status encode_offset_delete_response(wire_writer& w, int16_t version, const offset_delete_response& m);

}  // namespace lkstream::kafka

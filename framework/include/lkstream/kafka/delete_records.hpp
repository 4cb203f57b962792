#pragma once
// DeleteRecords (key 21), versions 0-2 (flexible from 2). Java Admin deleteRecords,
// librdkafka rd_kafka_DeleteRecords, kafka-delete-records.sh: moves a partition's log start
// offset forward (offset -1: to the high watermark).
//
//   request  topics [name, partitions [partition_index, offset]], timeout_ms
//   response throttle_time_ms, topics [name, partitions [partition_index, low_watermark, error]]

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


struct delete_records_partition {
  int32_t partition_index = 0;
  int64_t offset = 0;

  friend bool operator==(const delete_records_partition&,
                         const delete_records_partition&) = default;
};

struct delete_records_topic {
  std::string name;
  std::vector<delete_records_partition> partitions;

  friend bool operator==(const delete_records_topic&, const delete_records_topic&) = default;
};

struct delete_records_request {
  static constexpr api_key key = api_key::delete_records;
  static constexpr bool is_request = true;

  std::vector<delete_records_topic> topics;
  int32_t timeout_ms = 60000;

  friend bool operator==(const delete_records_request&, const delete_records_request&) = default;
};

struct delete_records_partition_result {
  int32_t partition_index = 0;
  int64_t low_watermark = -1;  // the new log start offset
  error_code error = error_code::none;

  friend bool operator==(const delete_records_partition_result&,
                         const delete_records_partition_result&) = default;
};

struct delete_records_topic_result {
  std::string name;
  std::vector<delete_records_partition_result> partitions;

  friend bool operator==(const delete_records_topic_result&,
                         const delete_records_topic_result&) = default;
};

struct delete_records_response {
  static constexpr api_key key = api_key::delete_records;
  static constexpr bool is_request = false;

  int32_t throttle_time_ms = 0;
  std::vector<delete_records_topic_result> topics;

  friend bool operator==(const delete_records_response&,
                         const delete_records_response&) = default;
};

result<delete_records_request> decode_delete_records_request(wire_reader& r, int16_t version);
status encode_delete_records_request(wire_writer& w, int16_t version, const delete_records_request& m);
result<delete_records_response> decode_delete_records_response(wire_reader& r, int16_t version);
status encode_delete_records_response(wire_writer& w, int16_t version, const delete_records_response& m);

}  // namespace lkstream::kafka

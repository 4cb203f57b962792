#pragma once
// CreatePartitions (key 37), versions 0-3 (flexible from 2). Java Admin createPartitions,
// librdkafka rd_kafka_CreatePartitions, kafka-topics.sh --alter --partitions.
//
//   request  topics [name, count, assignments (nullable) [broker_ids [int32]]], timeout_ms,
//            validate_only
//   response throttle_time_ms, results [name, error, error_message (nullable)]

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


struct create_partitions_topic {
  std::string name;
  int32_t count = 0;  // the new total number of partitions
  std::optional<std::vector<std::vector<int32_t>>> assignments;  // broker ids per new partition

  friend bool operator==(const create_partitions_topic&, const create_partitions_topic&) = default;
};

struct create_partitions_request {
  static constexpr api_key key = api_key::create_partitions;
  static constexpr bool is_request = true;

  std::vector<create_partitions_topic> topics;
  int32_t timeout_ms = 60000;
  bool validate_only = false;

  friend bool operator==(const create_partitions_request&,
                         const create_partitions_request&) = default;
};

struct create_partitions_result {
  std::string name;
  error_code error = error_code::none;
  std::optional<std::string> error_message;

  friend bool operator==(const create_partitions_result&,
                         const create_partitions_result&) = default;
};

struct create_partitions_response {
  static constexpr api_key key = api_key::create_partitions;
  static constexpr bool is_request = false;

  int32_t throttle_time_ms = 0;
  std::vector<create_partitions_result> results;

  friend bool operator==(const create_partitions_response&,
                         const create_partitions_response&) = default;
};

result<create_partitions_request> decode_create_partitions_request(wire_reader& r, int16_t version);
status encode_create_partitions_request(wire_writer& w, int16_t version, const create_partitions_request& m);
result<create_partitions_response> decode_create_partitions_response(wire_reader& r, int16_t version);
status encode_create_partitions_response(wire_writer& w, int16_t version, const create_partitions_response& m);

}  // namespace lkstream::kafka

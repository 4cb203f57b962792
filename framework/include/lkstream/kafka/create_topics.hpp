#pragma once
// CreateTopics (key 19), versions 0-4 (flexible from 5, not served).
//
//   request  topics [name, num_partitions, replication_factor,
//                    assignments [partition_index, broker_ids], configs [name, value]],
//            timeout_ms, validate_only (v1+)
//   response throttle_time_ms (v2+), topics [name, error, error_message (v1+)]
//
// num_partitions / replication_factor -1 = broker default (v4+, or with manual assignments).
// Java's Admin sends this to Metadata's controller_id (notes P13).

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

struct create_topics_assignment {
  int32_t partition_index = 0;
  std::vector<int32_t> broker_ids;

  friend bool operator==(const create_topics_assignment&,
                         const create_topics_assignment&) = default;
};

struct create_topics_config {
  std::string name;
  std::optional<std::string> value;

  friend bool operator==(const create_topics_config&, const create_topics_config&) = default;
};

struct create_topics_topic {
  std::string name;
  int32_t num_partitions = -1;
  int16_t replication_factor = -1;
  std::vector<create_topics_assignment> assignments;
  std::vector<create_topics_config> configs;

  friend bool operator==(const create_topics_topic&, const create_topics_topic&) = default;
};

struct create_topics_request {
  static constexpr api_key key = api_key::create_topics;
  static constexpr bool is_request = true;

  std::vector<create_topics_topic> topics;
  int32_t timeout_ms = 60000;
  bool validate_only = false;  // v1+

  friend bool operator==(const create_topics_request&, const create_topics_request&) = default;
};

struct create_topics_topic_response {
  std::string name;
  error_code error = error_code::none;
  std::optional<std::string> error_message;  // v1+

  friend bool operator==(const create_topics_topic_response&,
                         const create_topics_topic_response&) = default;
};

struct create_topics_response {
  static constexpr api_key key = api_key::create_topics;
  static constexpr bool is_request = false;

  int32_t throttle_time_ms = 0;  // v2+
  std::vector<create_topics_topic_response> topics;

  friend bool operator==(const create_topics_response&, const create_topics_response&) = default;
};

result<create_topics_request> decode_create_topics_request(wire_reader& r, int16_t version);
status encode_create_topics_request(wire_writer& w, int16_t version,
                                    const create_topics_request& m);
result<create_topics_response> decode_create_topics_response(wire_reader& r, int16_t version);
status encode_create_topics_response(wire_writer& w, int16_t version,
                                     const create_topics_response& m);

}  // namespace lkstream::kafka

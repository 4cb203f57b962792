#pragma once
// DeleteGroups (key 42), versions 0-3 (flexible from 2). Java Admin deleteConsumerGroups,
// librdkafka rd_kafka_DeleteGroups, kafka-consumer-groups.sh --delete.
//
//   request  groups_names [string]
//   response throttle_time_ms, results [group_id, error, error_message (v3+, nullable)]

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


struct delete_groups_request {
  static constexpr api_key key = api_key::delete_groups;
  static constexpr bool is_request = true;

  std::vector<std::string> groups_names;

  friend bool operator==(const delete_groups_request&, const delete_groups_request&) = default;
};

struct delete_groups_result {
  std::string group_id;
  error_code error = error_code::none;
  std::optional<std::string> error_message;  // v3+

  friend bool operator==(const delete_groups_result&, const delete_groups_result&) = default;
};

struct delete_groups_response {
  static constexpr api_key key = api_key::delete_groups;
  static constexpr bool is_request = false;

  int32_t throttle_time_ms = 0;
  std::vector<delete_groups_result> results;

  friend bool operator==(const delete_groups_response&, const delete_groups_response&) = default;
};

result<delete_groups_request> decode_delete_groups_request(wire_reader& r, int16_t version);
status encode_delete_groups_request(wire_writer& w, int16_t version, const delete_groups_request& m);
result<delete_groups_response> decode_delete_groups_response(wire_reader& r, int16_t version);
status encode_delete_groups_response(wire_writer& w, int16_t version, const delete_groups_response& m);

}  // namespace lkstream::kafka

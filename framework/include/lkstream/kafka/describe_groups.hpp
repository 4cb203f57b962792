#pragma once
// DescribeGroups (key 15), versions 0-4 (flexible from 5, not served). Used by admin tools
// (kafka-consumer-groups --describe).
//
//   request  groups [string], include_authorized_operations (v3+)
//   response throttle_time_ms (v1+),
//            groups [error, group_id, group_state, protocol_type, protocol_data,
//                    members [member_id, group_instance_id (v4+), client_id, client_host,
//                             member_metadata bytes, member_assignment bytes],
//                    authorized_operations (v3+)]
//
// group_state is Kafka's state name: "Empty", "PreparingRebalance", "CompletingRebalance",
// "Stable", "Dead". protocol_data is the chosen protocol name (e.g. "range").

#include <climits>
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

struct describe_groups_request {
  static constexpr api_key key = api_key::describe_groups;
  static constexpr bool is_request = true;

  std::vector<std::string> groups;
  bool include_authorized_operations = false;  // v3+

  friend bool operator==(const describe_groups_request&,
                         const describe_groups_request&) = default;
};

struct describe_groups_member {
  std::string member_id;
  std::optional<std::string> group_instance_id;  // v4+
  std::string client_id;
  std::string client_host;
  bytes member_metadata;
  bytes member_assignment;

  friend bool operator==(const describe_groups_member&, const describe_groups_member&) = default;
};

struct describe_groups_group {
  error_code error = error_code::none;
  std::string group_id;
  std::string group_state;
  std::string protocol_type;
  std::string protocol_data;
  std::vector<describe_groups_member> members;
  int32_t authorized_operations = INT32_MIN;  // v3+

  friend bool operator==(const describe_groups_group&, const describe_groups_group&) = default;
};

struct describe_groups_response {
  static constexpr api_key key = api_key::describe_groups;
  static constexpr bool is_request = false;

  int32_t throttle_time_ms = 0;  // v1+
  std::vector<describe_groups_group> groups;

  friend bool operator==(const describe_groups_response&,
                         const describe_groups_response&) = default;
};

result<describe_groups_request> decode_describe_groups_request(wire_reader& r, int16_t version);
status encode_describe_groups_request(wire_writer& w, int16_t version,
                                      const describe_groups_request& m);
result<describe_groups_response> decode_describe_groups_response(wire_reader& r,
                                                                 int16_t version);
status encode_describe_groups_response(wire_writer& w, int16_t version,
                                       const describe_groups_response& m);

}  // namespace lkstream::kafka

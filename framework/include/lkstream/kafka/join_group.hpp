#pragma once
// JoinGroup (key 11), versions 0-5 (flexible from 6, not served).
//
//   request  group_id, session_timeout_ms, rebalance_timeout_ms (v1+), member_id,
//            group_instance_id (v5+), protocol_type, protocols [name, metadata bytes]
//   response throttle_time_ms (v2+), error, generation_id, protocol_name, leader, member_id,
//            members [member_id, group_instance_id (v5+), metadata bytes]
//
// v0 has no rebalance timeout: the decoded value stays -1 and the coordinator uses the
// session timeout (Kafka does the same). MEMBER_ID_REQUIRED only for v4+ (notes §4, P7).
// Protocol metadata and member metadata are opaque bytes, copied (they are small and the
// coordinator keeps them).

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

struct join_group_protocol {
  std::string name;
  bytes metadata;

  friend bool operator==(const join_group_protocol&, const join_group_protocol&) = default;
};

struct join_group_request {
  static constexpr api_key key = api_key::join_group;
  static constexpr bool is_request = true;

  std::string group_id;
  int32_t session_timeout_ms = 0;
  int32_t rebalance_timeout_ms = -1;  // v1+
  std::string member_id;
  std::optional<std::string> group_instance_id;  // v5+
  std::string protocol_type;
  std::vector<join_group_protocol> protocols;

  friend bool operator==(const join_group_request&, const join_group_request&) = default;
};

struct join_group_member {
  std::string member_id;
  std::optional<std::string> group_instance_id;  // v5+
  bytes metadata;

  friend bool operator==(const join_group_member&, const join_group_member&) = default;
};

struct join_group_response {
  static constexpr api_key key = api_key::join_group;
  static constexpr bool is_request = false;

  int32_t throttle_time_ms = 0;  // v2+
  error_code error = error_code::none;
  int32_t generation_id = -1;
  std::string protocol_name;
  std::string leader;
  std::string member_id;
  std::vector<join_group_member> members;  // only the leader gets them

  friend bool operator==(const join_group_response&, const join_group_response&) = default;
};

result<join_group_request> decode_join_group_request(wire_reader& r, int16_t version);
status encode_join_group_request(wire_writer& w, int16_t version, const join_group_request& m);
result<join_group_response> decode_join_group_response(wire_reader& r, int16_t version);
status encode_join_group_response(wire_writer& w, int16_t version, const join_group_response& m);

}  // namespace lkstream::kafka

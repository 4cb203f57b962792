#pragma once
// LeaveGroup (key 13), versions 0-3 (flexible from 4, not served).
//
//   request  group_id, member_id (v0-2) | members [member_id, group_instance_id] (v3+)
//   response throttle_time_ms (v1+), error,
//            members [member_id, group_instance_id, error] (v3+)
//
// v0-2 name one member, v3+ a batch. The codec keeps the two shapes as the schema has them;
// leaving_members() gives the handler one list for every version.

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

struct leave_group_member {
  std::string member_id;
  std::optional<std::string> group_instance_id;

  friend bool operator==(const leave_group_member&, const leave_group_member&) = default;
};

struct leave_group_request {
  static constexpr api_key key = api_key::leave_group;
  static constexpr bool is_request = true;

  std::string group_id;
  std::string member_id;                    // v0-2
  std::vector<leave_group_member> members;  // v3+

  friend bool operator==(const leave_group_request&, const leave_group_request&) = default;
};

/// The members leaving, whatever the version: members (v3+) or {member_id} (v0-2).
std::vector<leave_group_member> leaving_members(const leave_group_request& m, int16_t version);

struct leave_group_member_response {
  std::string member_id;
  std::optional<std::string> group_instance_id;
  error_code error = error_code::none;

  friend bool operator==(const leave_group_member_response&,
                         const leave_group_member_response&) = default;
};

struct leave_group_response {
  static constexpr api_key key = api_key::leave_group;
  static constexpr bool is_request = false;

  int32_t throttle_time_ms = 0;  // v1+
  error_code error = error_code::none;
  std::vector<leave_group_member_response> members;  // v3+

  friend bool operator==(const leave_group_response&, const leave_group_response&) = default;
};

result<leave_group_request> decode_leave_group_request(wire_reader& r, int16_t version);
status encode_leave_group_request(wire_writer& w, int16_t version, const leave_group_request& m);
result<leave_group_response> decode_leave_group_response(wire_reader& r, int16_t version);
status encode_leave_group_response(wire_writer& w, int16_t version,
                                   const leave_group_response& m);

}  // namespace lkstream::kafka

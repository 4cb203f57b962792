#include "lkstream/kafka/leave_group.hpp"

#include "serde.hpp"

namespace lkstream::kafka {

namespace {

constexpr auto request_fields = [](auto& io, int16_t v, auto& m) -> status {
  LK_TRY_STATUS(io.string("group_id", m.group_id));
  if (v <= 2) {
    LK_TRY_STATUS(io.string("member_id", m.member_id));
  } else {
    LK_TRY_STATUS(io.array("members", m.members, 2, [&](auto& mb) -> status {
      LK_TRY_STATUS(io.string("member_id", mb.member_id));
      LK_TRY_STATUS(io.nullable_string("group_instance_id", mb.group_instance_id));
      return io.tags();
    }));
  }
  return io.tags();
};

constexpr auto response_fields = [](auto& io, int16_t v, auto& m) -> status {
  if (v >= 1) LK_TRY_STATUS(io.i32("throttle_time_ms", m.throttle_time_ms));
  LK_TRY_STATUS(io.code("error_code", m.error));
  if (v >= 3) {
    LK_TRY_STATUS(io.array("members", m.members, 4, [&](auto& mb) -> status {
      LK_TRY_STATUS(io.string("member_id", mb.member_id));
      LK_TRY_STATUS(io.nullable_string("group_instance_id", mb.group_instance_id));
      LK_TRY_STATUS(io.code("error_code", mb.error));
      return io.tags();
    }));
  }
  return io.tags();
};

}  // namespace

result<leave_group_request> decode_leave_group_request(wire_reader& r, int16_t version) {
  return detail::decode_message<leave_group_request>(r, version, request_fields);
}

status encode_leave_group_request(wire_writer& w, int16_t version, const leave_group_request& m) {
  return detail::encode_message(w, version, m, request_fields);
}

result<leave_group_response> decode_leave_group_response(wire_reader& r, int16_t version) {
  return detail::decode_message<leave_group_response>(r, version, response_fields);
}

status encode_leave_group_response(wire_writer& w, int16_t version, const leave_group_response& m) {
  return detail::encode_message(w, version, m, response_fields);
}

std::vector<leave_group_member> leaving_members(const leave_group_request& m, int16_t version) {
  if (version >= 3) return m.members;
  return {leave_group_member{m.member_id, std::nullopt}};
}

}  // namespace lkstream::kafka

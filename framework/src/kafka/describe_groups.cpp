#include "lkstream/kafka/describe_groups.hpp"

#include "serde.hpp"

namespace lkstream::kafka {

namespace {

constexpr auto request_fields = [](auto& io, int16_t v, auto& m) -> status {
  LK_TRY_STATUS(io.string_array("groups", m.groups));
  if (v >= 3)
    LK_TRY_STATUS(io.boolean("include_authorized_operations", m.include_authorized_operations));
  return io.tags();
};

constexpr auto response_fields = [](auto& io, int16_t v, auto& m) -> status {
  if (v >= 1) LK_TRY_STATUS(io.i32("throttle_time_ms", m.throttle_time_ms));
  LK_TRY_STATUS(io.array("groups", m.groups, 7, [&](auto& g) -> status {
    LK_TRY_STATUS(io.code("error_code", g.error));
    LK_TRY_STATUS(io.string("group_id", g.group_id));
    LK_TRY_STATUS(io.string("group_state", g.group_state));
    LK_TRY_STATUS(io.string("protocol_type", g.protocol_type));
    LK_TRY_STATUS(io.string("protocol_data", g.protocol_data));
    LK_TRY_STATUS(io.array("members", g.members, 5, [&](auto& mb) -> status {
      LK_TRY_STATUS(io.string("member_id", mb.member_id));
      if (v >= 4) LK_TRY_STATUS(io.nullable_string("group_instance_id", mb.group_instance_id));
      LK_TRY_STATUS(io.string("client_id", mb.client_id));
      LK_TRY_STATUS(io.string("client_host", mb.client_host));
      LK_TRY_STATUS(io.bytes("member_metadata", mb.member_metadata));
      LK_TRY_STATUS(io.bytes("member_assignment", mb.member_assignment));
      return io.tags();
    }));
    if (v >= 3) LK_TRY_STATUS(io.i32("authorized_operations", g.authorized_operations));
    return io.tags();
  }));
  return io.tags();
};

}  // namespace

result<describe_groups_request> decode_describe_groups_request(wire_reader& r, int16_t version) {
  return detail::decode_message<describe_groups_request>(r, version, request_fields);
}

status encode_describe_groups_request(wire_writer& w, int16_t version,
                                      const describe_groups_request& m) {
  return detail::encode_message(w, version, m, request_fields);
}

result<describe_groups_response> decode_describe_groups_response(wire_reader& r, int16_t version) {
  return detail::decode_message<describe_groups_response>(r, version, response_fields);
}

status encode_describe_groups_response(wire_writer& w, int16_t version,
                                       const describe_groups_response& m) {
  return detail::encode_message(w, version, m, response_fields);
}

}  // namespace lkstream::kafka

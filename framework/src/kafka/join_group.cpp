#include "lkstream/kafka/join_group.hpp"

#include "serde.hpp"

namespace lkstream::kafka {

namespace {

constexpr auto request_fields = [](auto& io, int16_t v, auto& m) -> status {
  LK_TRY_STATUS(io.string("group_id", m.group_id));
  LK_TRY_STATUS(io.i32("session_timeout_ms", m.session_timeout_ms));
  if (v >= 1) LK_TRY_STATUS(io.i32("rebalance_timeout_ms", m.rebalance_timeout_ms));
  LK_TRY_STATUS(io.string("member_id", m.member_id));
  if (v >= 5) LK_TRY_STATUS(io.nullable_string("group_instance_id", m.group_instance_id));
  LK_TRY_STATUS(io.string("protocol_type", m.protocol_type));
  LK_TRY_STATUS(io.array("protocols", m.protocols, 2, [&](auto& p) -> status {
    LK_TRY_STATUS(io.string("name", p.name));
    LK_TRY_STATUS(io.bytes("metadata", p.metadata));
    return io.tags();
  }));
  return io.tags();
};

constexpr auto response_fields = [](auto& io, int16_t v, auto& m) -> status {
  if (v >= 2) LK_TRY_STATUS(io.i32("throttle_time_ms", m.throttle_time_ms));
  LK_TRY_STATUS(io.code("error_code", m.error));
  LK_TRY_STATUS(io.i32("generation_id", m.generation_id));
  LK_TRY_STATUS(io.string("protocol_name", m.protocol_name));
  LK_TRY_STATUS(io.string("leader", m.leader));
  LK_TRY_STATUS(io.string("member_id", m.member_id));
  LK_TRY_STATUS(io.array("members", m.members, 2, [&](auto& mb) -> status {
    LK_TRY_STATUS(io.string("member_id", mb.member_id));
    if (v >= 5) LK_TRY_STATUS(io.nullable_string("group_instance_id", mb.group_instance_id));
    LK_TRY_STATUS(io.bytes("metadata", mb.metadata));
    return io.tags();
  }));
  return io.tags();
};

}  // namespace

result<join_group_request> decode_join_group_request(wire_reader& r, int16_t version) {
  return detail::decode_message<join_group_request>(r, version, request_fields);
}

status encode_join_group_request(wire_writer& w, int16_t version, const join_group_request& m) {
  return detail::encode_message(w, version, m, request_fields);
}

result<join_group_response> decode_join_group_response(wire_reader& r, int16_t version) {
  return detail::decode_message<join_group_response>(r, version, response_fields);
}

status encode_join_group_response(wire_writer& w, int16_t version, const join_group_response& m) {
  return detail::encode_message(w, version, m, response_fields);
}

}  // namespace lkstream::kafka

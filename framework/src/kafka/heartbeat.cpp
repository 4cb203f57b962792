#include "lkstream/kafka/heartbeat.hpp"

#include "serde.hpp"

namespace lkstream::kafka {

namespace {

constexpr auto request_fields = [](auto& io, int16_t v, auto& m) -> status {
  LK_TRY_STATUS(io.string("group_id", m.group_id));
  LK_TRY_STATUS(io.i32("generation_id", m.generation_id));
  LK_TRY_STATUS(io.string("member_id", m.member_id));
  if (v >= 3) LK_TRY_STATUS(io.nullable_string("group_instance_id", m.group_instance_id));
  return io.tags();
};

constexpr auto response_fields = [](auto& io, int16_t v, auto& m) -> status {
  if (v >= 1) LK_TRY_STATUS(io.i32("throttle_time_ms", m.throttle_time_ms));
  LK_TRY_STATUS(io.code("error_code", m.error));
  return io.tags();
};

}  // namespace

result<heartbeat_request> decode_heartbeat_request(wire_reader& r, int16_t version) {
  return detail::decode_message<heartbeat_request>(r, version, request_fields);
}

status encode_heartbeat_request(wire_writer& w, int16_t version, const heartbeat_request& m) {
  return detail::encode_message(w, version, m, request_fields);
}

result<heartbeat_response> decode_heartbeat_response(wire_reader& r, int16_t version) {
  return detail::decode_message<heartbeat_response>(r, version, response_fields);
}

status encode_heartbeat_response(wire_writer& w, int16_t version, const heartbeat_response& m) {
  return detail::encode_message(w, version, m, response_fields);
}

}  // namespace lkstream::kafka

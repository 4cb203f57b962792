#include "lkstream/kafka/find_coordinator.hpp"

#include "serde.hpp"

namespace lkstream::kafka {

namespace {

constexpr auto request_fields = [](auto& io, int16_t v, auto& m) -> status {
  LK_TRY_STATUS(io.string("key", m.coordinator_key));
  if (v >= 1) LK_TRY_STATUS(io.i8("key_type", m.key_type));
  return io.tags();
};

constexpr auto response_fields = [](auto& io, int16_t v, auto& m) -> status {
  if (v >= 1) LK_TRY_STATUS(io.i32("throttle_time_ms", m.throttle_time_ms));
  LK_TRY_STATUS(io.code("error_code", m.error));
  if (v >= 1) LK_TRY_STATUS(io.nullable_string("error_message", m.error_message));
  LK_TRY_STATUS(io.i32("node_id", m.node_id));
  LK_TRY_STATUS(io.string("host", m.host));
  LK_TRY_STATUS(io.i32("port", m.port));
  return io.tags();
};

}  // namespace

result<find_coordinator_request> decode_find_coordinator_request(wire_reader& r, int16_t version) {
  return detail::decode_message<find_coordinator_request>(r, version, request_fields);
}

status encode_find_coordinator_request(wire_writer& w, int16_t version,
                                       const find_coordinator_request& m) {
  return detail::encode_message(w, version, m, request_fields);
}

result<find_coordinator_response> decode_find_coordinator_response(wire_reader& r,
                                                                   int16_t version) {
  return detail::decode_message<find_coordinator_response>(r, version, response_fields);
}

status encode_find_coordinator_response(wire_writer& w, int16_t version,
                                        const find_coordinator_response& m) {
  return detail::encode_message(w, version, m, response_fields);
}

}  // namespace lkstream::kafka

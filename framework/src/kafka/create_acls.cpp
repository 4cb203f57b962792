#include "lkstream/kafka/create_acls.hpp"

#include "serde.hpp"

namespace lkstream::kafka {

namespace {

constexpr auto request_fields = [](auto& io, int16_t v, auto& m) -> status {
  LK_TRY_STATUS(io.array("creations", m.creations, 7, [&](auto& c) -> status {
    LK_TRY_STATUS(io.i8("resource_type", c.resource_type));
    LK_TRY_STATUS(io.string("resource_name", c.resource_name));
    if (v >= 1) LK_TRY_STATUS(io.i8("resource_pattern_type", c.resource_pattern_type));
    LK_TRY_STATUS(io.string("principal", c.principal));
    LK_TRY_STATUS(io.string("host", c.host));
    LK_TRY_STATUS(io.i8("operation", c.operation));
    LK_TRY_STATUS(io.i8("permission_type", c.permission_type));
    return io.tags();
  }));
  return io.tags();
};

constexpr auto response_fields = [](auto& io, int16_t v, auto& m) -> status {
  LK_TRY_STATUS(io.i32("throttle_time_ms", m.throttle_time_ms));
  LK_TRY_STATUS(io.array("results", m.results, 3, [&](auto& r) -> status {
    LK_TRY_STATUS(io.code("error_code", r.error));
    LK_TRY_STATUS(io.nullable_string("error_message", r.error_message));
    return io.tags();
  }));
  return io.tags();
};

}  // namespace

result<create_acls_request> decode_create_acls_request(wire_reader& r, int16_t version) {
  return detail::decode_message<create_acls_request>(r, version, request_fields);
}

status encode_create_acls_request(wire_writer& w, int16_t version, const create_acls_request& m) {
  return detail::encode_message(w, version, m, request_fields);
}

result<create_acls_response> decode_create_acls_response(wire_reader& r, int16_t version) {
  return detail::decode_message<create_acls_response>(r, version, response_fields);
}

status encode_create_acls_response(wire_writer& w, int16_t version, const create_acls_response& m) {
  return detail::encode_message(w, version, m, response_fields);
}

}  // namespace lkstream::kafka

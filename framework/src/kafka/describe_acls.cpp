#include "lkstream/kafka/describe_acls.hpp"

#include "acl_fields.hpp"
#include "serde.hpp"

namespace lkstream::kafka {

namespace {

constexpr auto request_fields = [](auto& io, int16_t v, auto& m) -> status {
  LK_TRY_STATUS(detail::acl_filter_fields(io, v, m.filter));
  return io.tags();
};

constexpr auto response_fields = [](auto& io, int16_t v, auto& m) -> status {
  LK_TRY_STATUS(io.i32("throttle_time_ms", m.throttle_time_ms));
  LK_TRY_STATUS(io.code("error_code", m.error));
  LK_TRY_STATUS(io.nullable_string("error_message", m.error_message));
  LK_TRY_STATUS(io.array("resources", m.resources, 4, [&](auto& r) -> status {
    LK_TRY_STATUS(io.i8("resource_type", r.resource_type));
    LK_TRY_STATUS(io.string("resource_name", r.resource_name));
    if (v >= 1) LK_TRY_STATUS(io.i8("pattern_type", r.pattern_type));
    LK_TRY_STATUS(io.array("acls", r.acls, 4, [&](auto& a) -> status {
      LK_TRY_STATUS(io.string("principal", a.principal));
      LK_TRY_STATUS(io.string("host", a.host));
      LK_TRY_STATUS(io.i8("operation", a.operation));
      LK_TRY_STATUS(io.i8("permission_type", a.permission_type));
      return io.tags();
    }));
    return io.tags();
  }));
  return io.tags();
};

}  // namespace

result<describe_acls_request> decode_describe_acls_request(wire_reader& r, int16_t version) {
  return detail::decode_message<describe_acls_request>(r, version, request_fields);
}

status encode_describe_acls_request(wire_writer& w, int16_t version, const describe_acls_request& m) {
  return detail::encode_message(w, version, m, request_fields);
}

result<describe_acls_response> decode_describe_acls_response(wire_reader& r, int16_t version) {
  return detail::decode_message<describe_acls_response>(r, version, response_fields);
}

status encode_describe_acls_response(wire_writer& w, int16_t version, const describe_acls_response& m) {
  return detail::encode_message(w, version, m, response_fields);
}

}  // namespace lkstream::kafka

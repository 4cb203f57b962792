#include "lkstream/kafka/delete_acls.hpp"

#include "acl_fields.hpp"
#include "serde.hpp"

namespace lkstream::kafka {

namespace {

constexpr auto request_fields = [](auto& io, int16_t v, auto& m) -> status {
  LK_TRY_STATUS(io.array("filters", m.filters, 7, [&](auto& f) -> status {
    LK_TRY_STATUS(detail::acl_filter_fields(io, v, f));
    return io.tags();
  }));
  return io.tags();
};

constexpr auto response_fields = [](auto& io, int16_t v, auto& m) -> status {
  LK_TRY_STATUS(io.i32("throttle_time_ms", m.throttle_time_ms));
  LK_TRY_STATUS(io.array("filter_results", m.filter_results, 5, [&](auto& r) -> status {
    LK_TRY_STATUS(io.code("error_code", r.error));
    LK_TRY_STATUS(io.nullable_string("error_message", r.error_message));
    LK_TRY_STATUS(io.array("matching_acls", r.matching_acls, 13, [&](auto& a) -> status {
      LK_TRY_STATUS(io.code("error_code", a.error));
      LK_TRY_STATUS(io.nullable_string("error_message", a.error_message));
      LK_TRY_STATUS(io.i8("resource_type", a.resource_type));
      LK_TRY_STATUS(io.string("resource_name", a.resource_name));
      if (v >= 1) LK_TRY_STATUS(io.i8("pattern_type", a.pattern_type));
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

result<delete_acls_request> decode_delete_acls_request(wire_reader& r, int16_t version) {
  return detail::decode_message<delete_acls_request>(r, version, request_fields);
}

status encode_delete_acls_request(wire_writer& w, int16_t version, const delete_acls_request& m) {
  return detail::encode_message(w, version, m, request_fields);
}

result<delete_acls_response> decode_delete_acls_response(wire_reader& r, int16_t version) {
  return detail::decode_message<delete_acls_response>(r, version, response_fields);
}

status encode_delete_acls_response(wire_writer& w, int16_t version, const delete_acls_response& m) {
  return detail::encode_message(w, version, m, response_fields);
}

}  // namespace lkstream::kafka

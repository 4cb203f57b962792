#include "lkstream/kafka/delete_groups.hpp"

#include "serde.hpp"

namespace lkstream::kafka {

namespace {

constexpr auto request_fields = [](auto& io, int16_t v, auto& m) -> status {
  LK_TRY_STATUS(io.string_array("groups_names", m.groups_names));
  return io.tags();
};

constexpr auto response_fields = [](auto& io, int16_t v, auto& m) -> status {
  LK_TRY_STATUS(io.i32("throttle_time_ms", m.throttle_time_ms));
  LK_TRY_STATUS(io.array("results", m.results, 3, [&](auto& r) -> status {
    LK_TRY_STATUS(io.string("group_id", r.group_id));
    LK_TRY_STATUS(io.code("error_code", r.error));
    if (v >= 3) LK_TRY_STATUS(io.nullable_string("error_message", r.error_message));
    return io.tags();
  }));
  return io.tags();
};

}  // namespace

result<delete_groups_request> decode_delete_groups_request(wire_reader& r, int16_t version) {
  return detail::decode_message<delete_groups_request>(r, version, request_fields);
}

status encode_delete_groups_request(wire_writer& w, int16_t version, const delete_groups_request& m) {
  return detail::encode_message(w, version, m, request_fields);
}

result<delete_groups_response> decode_delete_groups_response(wire_reader& r, int16_t version) {
  return detail::decode_message<delete_groups_response>(r, version, response_fields);
}

status encode_delete_groups_response(wire_writer& w, int16_t version, const delete_groups_response& m) {
  return detail::encode_message(w, version, m, response_fields);
}

}  // namespace lkstream::kafka

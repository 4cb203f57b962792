#include "lkstream/kafka/list_groups.hpp"

#include "serde.hpp"

namespace lkstream::kafka {

namespace {

constexpr auto request_fields = [](auto& io, int16_t v, auto& m) -> status {
  (void)v;
  (void)m;
  return io.tags();
};

constexpr auto response_fields = [](auto& io, int16_t v, auto& m) -> status {
  if (v >= 1) LK_TRY_STATUS(io.i32("throttle_time_ms", m.throttle_time_ms));
  LK_TRY_STATUS(io.code("error_code", m.error));
  LK_TRY_STATUS(io.array("groups", m.groups, 2, [&](auto& g) -> status {
    LK_TRY_STATUS(io.string("group_id", g.group_id));
    LK_TRY_STATUS(io.string("protocol_type", g.protocol_type));
    return io.tags();
  }));
  return io.tags();
};

}  // namespace

result<list_groups_request> decode_list_groups_request(wire_reader& r, int16_t version) {
  return detail::decode_message<list_groups_request>(r, version, request_fields);
}

status encode_list_groups_request(wire_writer& w, int16_t version, const list_groups_request& m) {
  return detail::encode_message(w, version, m, request_fields);
}

result<list_groups_response> decode_list_groups_response(wire_reader& r, int16_t version) {
  return detail::decode_message<list_groups_response>(r, version, response_fields);
}

status encode_list_groups_response(wire_writer& w, int16_t version, const list_groups_response& m) {
  return detail::encode_message(w, version, m, response_fields);
}

}  // namespace lkstream::kafka

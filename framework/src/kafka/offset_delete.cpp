#include "lkstream/kafka/offset_delete.hpp"

#include "serde.hpp"

namespace lkstream::kafka {

namespace {

constexpr auto request_fields = [](auto& io, int16_t v, auto& m) -> status {
  LK_TRY_STATUS(io.string("group_id", m.group_id));
  LK_TRY_STATUS(io.array("topics", m.topics, 6, [&](auto& t) -> status {
    LK_TRY_STATUS(io.string("name", t.name));
    LK_TRY_STATUS(io.array("partitions", t.partitions, 4, [&](auto& p) -> status {
      LK_TRY_STATUS(io.i32("partition_index", p));
      return io.tags();
    }));
    return io.tags();
  }));
  return io.tags();
};

constexpr auto response_fields = [](auto& io, int16_t v, auto& m) -> status {
  LK_TRY_STATUS(io.code("error_code", m.error));
  LK_TRY_STATUS(io.i32("throttle_time_ms", m.throttle_time_ms));
  LK_TRY_STATUS(io.array("topics", m.topics, 6, [&](auto& t) -> status {
    LK_TRY_STATUS(io.string("name", t.name));
    LK_TRY_STATUS(io.array("partitions", t.partitions, 6, [&](auto& p) -> status {
      LK_TRY_STATUS(io.i32("partition_index", p.partition_index));
      LK_TRY_STATUS(io.code("error_code", p.error));
      return io.tags();
    }));
    return io.tags();
  }));
  return io.tags();
};

}  // namespace

result<offset_delete_request> decode_offset_delete_request(wire_reader& r, int16_t version) {
  return detail::decode_message<offset_delete_request>(r, version, request_fields);
}

status encode_offset_delete_request(wire_writer& w, int16_t version, const offset_delete_request& m) {
  return detail::encode_message(w, version, m, request_fields);
}

result<offset_delete_response> decode_offset_delete_response(wire_reader& r, int16_t version) {
  return detail::decode_message<offset_delete_response>(r, version, response_fields);
}

status encode_offset_delete_response(wire_writer& w, int16_t version, const offset_delete_response& m) {
  return detail::encode_message(w, version, m, response_fields);
}

}  // namespace lkstream::kafka

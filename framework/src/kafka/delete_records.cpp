#include "lkstream/kafka/delete_records.hpp"

#include "serde.hpp"

namespace lkstream::kafka {

namespace {

constexpr auto request_fields = [](auto& io, int16_t v, auto& m) -> status {
  LK_TRY_STATUS(io.array("topics", m.topics, 2, [&](auto& t) -> status {
    LK_TRY_STATUS(io.string("name", t.name));
    LK_TRY_STATUS(io.array("partitions", t.partitions, 12, [&](auto& p) -> status {
      LK_TRY_STATUS(io.i32("partition_index", p.partition_index));
      LK_TRY_STATUS(io.i64("offset", p.offset));
      return io.tags();
    }));
    return io.tags();
  }));
  LK_TRY_STATUS(io.i32("timeout_ms", m.timeout_ms));
  return io.tags();
};

constexpr auto response_fields = [](auto& io, int16_t v, auto& m) -> status {
  LK_TRY_STATUS(io.i32("throttle_time_ms", m.throttle_time_ms));
  LK_TRY_STATUS(io.array("topics", m.topics, 2, [&](auto& t) -> status {
    LK_TRY_STATUS(io.string("name", t.name));
    LK_TRY_STATUS(io.array("partitions", t.partitions, 14, [&](auto& p) -> status {
      LK_TRY_STATUS(io.i32("partition_index", p.partition_index));
      LK_TRY_STATUS(io.i64("low_watermark", p.low_watermark));
      LK_TRY_STATUS(io.code("error_code", p.error));
      return io.tags();
    }));
    return io.tags();
  }));
  return io.tags();
};

}  // namespace

result<delete_records_request> decode_delete_records_request(wire_reader& r, int16_t version) {
  return detail::decode_message<delete_records_request>(r, version, request_fields);
}

status encode_delete_records_request(wire_writer& w, int16_t version, const delete_records_request& m) {
  return detail::encode_message(w, version, m, request_fields);
}

result<delete_records_response> decode_delete_records_response(wire_reader& r, int16_t version) {
  return detail::decode_message<delete_records_response>(r, version, response_fields);
}

status encode_delete_records_response(wire_writer& w, int16_t version, const delete_records_response& m) {
  return detail::encode_message(w, version, m, response_fields);
}

}  // namespace lkstream::kafka

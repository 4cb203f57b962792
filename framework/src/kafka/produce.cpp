#include "lkstream/kafka/produce.hpp"

#include "serde.hpp"

namespace lkstream::kafka {

namespace {

constexpr auto request_fields = [](auto& io, int16_t v, auto& m) -> status {
  if (v >= 3) LK_TRY_STATUS(io.nullable_string("transactional_id", m.transactional_id));
  LK_TRY_STATUS(io.i16("acks", m.acks));
  LK_TRY_STATUS(io.i32("timeout_ms", m.timeout_ms));
  LK_TRY_STATUS(io.array("topics", m.topics, 2, [&](auto& t) -> status {
    LK_TRY_STATUS(io.string("name", t.name));
    LK_TRY_STATUS(io.array("partitions", t.partitions, 5, [&](auto& p) -> status {
      LK_TRY_STATUS(io.i32("partition_index", p.partition_index));
      LK_TRY_STATUS(io.nullable_bytes_view("records", p.records));
      return io.tags();
    }));
    return io.tags();
  }));
  return io.tags();
};

constexpr auto response_fields = [](auto& io, int16_t v, auto& m) -> status {
  LK_TRY_STATUS(io.array("responses", m.responses, 2, [&](auto& t) -> status {
    LK_TRY_STATUS(io.string("name", t.name));
    LK_TRY_STATUS(io.array("partitions", t.partitions, 14, [&](auto& p) -> status {
      LK_TRY_STATUS(io.i32("partition_index", p.partition_index));
      LK_TRY_STATUS(io.code("error_code", p.error));
      LK_TRY_STATUS(io.i64("base_offset", p.base_offset));
      if (v >= 2) LK_TRY_STATUS(io.i64("log_append_time_ms", p.log_append_time_ms));
      if (v >= 5) LK_TRY_STATUS(io.i64("log_start_offset", p.log_start_offset));
      if (v >= 8) {
        LK_TRY_STATUS(io.array("record_errors", p.record_errors, 5, [&](auto& e) -> status {
          LK_TRY_STATUS(io.i32("batch_index", e.batch_index));
          LK_TRY_STATUS(io.nullable_string("batch_index_error_message", e.message));
          return io.tags();
        }));
        LK_TRY_STATUS(io.nullable_string("error_message", p.error_message));
      }
      return io.tags();
    }));
    return io.tags();
  }));
  if (v >= 1) LK_TRY_STATUS(io.i32("throttle_time_ms", m.throttle_time_ms));
  return io.tags();
};

}  // namespace

result<produce_request> decode_produce_request(wire_reader& r, int16_t version) {
  return detail::decode_message<produce_request>(r, version, request_fields);
}

status encode_produce_request(wire_writer& w, int16_t version, const produce_request& m) {
  return detail::encode_message(w, version, m, request_fields);
}

result<produce_response> decode_produce_response(wire_reader& r, int16_t version) {
  return detail::decode_message<produce_response>(r, version, response_fields);
}

status encode_produce_response(wire_writer& w, int16_t version, const produce_response& m) {
  return detail::encode_message(w, version, m, response_fields);
}

}  // namespace lkstream::kafka

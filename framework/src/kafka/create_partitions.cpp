#include "lkstream/kafka/create_partitions.hpp"

#include "serde.hpp"

namespace lkstream::kafka {

namespace {

constexpr auto request_fields = [](auto& io, int16_t v, auto& m) -> status {
  LK_TRY_STATUS(io.array("topics", m.topics, 4, [&](auto& t) -> status {
    LK_TRY_STATUS(io.string("name", t.name));
    LK_TRY_STATUS(io.i32("count", t.count));
    LK_TRY_STATUS(io.nullable_array("assignments", t.assignments, 1, [&](auto& a) -> status {
      LK_TRY_STATUS(io.int32_array("broker_ids", a));
      return io.tags();
    }));
    return io.tags();
  }));
  LK_TRY_STATUS(io.i32("timeout_ms", m.timeout_ms));
  LK_TRY_STATUS(io.boolean("validate_only", m.validate_only));
  return io.tags();
};

constexpr auto response_fields = [](auto& io, int16_t v, auto& m) -> status {
  LK_TRY_STATUS(io.i32("throttle_time_ms", m.throttle_time_ms));
  LK_TRY_STATUS(io.array("results", m.results, 3, [&](auto& r) -> status {
    LK_TRY_STATUS(io.string("name", r.name));
    LK_TRY_STATUS(io.code("error_code", r.error));
    LK_TRY_STATUS(io.nullable_string("error_message", r.error_message));
    return io.tags();
  }));
  return io.tags();
};

}  // namespace

result<create_partitions_request> decode_create_partitions_request(wire_reader& r, int16_t version) {
  return detail::decode_message<create_partitions_request>(r, version, request_fields);
}

status encode_create_partitions_request(wire_writer& w, int16_t version, const create_partitions_request& m) {
  return detail::encode_message(w, version, m, request_fields);
}

result<create_partitions_response> decode_create_partitions_response(wire_reader& r, int16_t version) {
  return detail::decode_message<create_partitions_response>(r, version, response_fields);
}

status encode_create_partitions_response(wire_writer& w, int16_t version, const create_partitions_response& m) {
  return detail::encode_message(w, version, m, response_fields);
}

}  // namespace lkstream::kafka

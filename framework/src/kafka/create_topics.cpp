#include "lkstream/kafka/create_topics.hpp"

#include "serde.hpp"

namespace lkstream::kafka {

namespace {

constexpr auto request_fields = [](auto& io, int16_t v, auto& m) -> status {
  LK_TRY_STATUS(io.array("topics", m.topics, 9, [&](auto& t) -> status {
    LK_TRY_STATUS(io.string("name", t.name));
    LK_TRY_STATUS(io.i32("num_partitions", t.num_partitions));
    LK_TRY_STATUS(io.i16("replication_factor", t.replication_factor));
    LK_TRY_STATUS(io.array("assignments", t.assignments, 5, [&](auto& a) -> status {
      LK_TRY_STATUS(io.i32("partition_index", a.partition_index));
      LK_TRY_STATUS(io.int32_array("broker_ids", a.broker_ids));
      return io.tags();
    }));
    LK_TRY_STATUS(io.array("configs", t.configs, 2, [&](auto& c) -> status {
      LK_TRY_STATUS(io.string("name", c.name));
      LK_TRY_STATUS(io.nullable_string("value", c.value));
      return io.tags();
    }));
    return io.tags();
  }));
  LK_TRY_STATUS(io.i32("timeout_ms", m.timeout_ms));
  if (v >= 1) LK_TRY_STATUS(io.boolean("validate_only", m.validate_only));
  return io.tags();
};

constexpr auto response_fields = [](auto& io, int16_t v, auto& m) -> status {
  if (v >= 2) LK_TRY_STATUS(io.i32("throttle_time_ms", m.throttle_time_ms));
  LK_TRY_STATUS(io.array("topics", m.topics, 3, [&](auto& t) -> status {
    LK_TRY_STATUS(io.string("name", t.name));
    LK_TRY_STATUS(io.code("error_code", t.error));
    if (v >= 1) LK_TRY_STATUS(io.nullable_string("error_message", t.error_message));
    return io.tags();
  }));
  return io.tags();
};

}  // namespace

result<create_topics_request> decode_create_topics_request(wire_reader& r, int16_t version) {
  return detail::decode_message<create_topics_request>(r, version, request_fields);
}

status encode_create_topics_request(wire_writer& w, int16_t version,
                                    const create_topics_request& m) {
  return detail::encode_message(w, version, m, request_fields);
}

result<create_topics_response> decode_create_topics_response(wire_reader& r, int16_t version) {
  return detail::decode_message<create_topics_response>(r, version, response_fields);
}

status encode_create_topics_response(wire_writer& w, int16_t version,
                                     const create_topics_response& m) {
  return detail::encode_message(w, version, m, response_fields);
}

}  // namespace lkstream::kafka

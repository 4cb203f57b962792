#include "lkstream/kafka/describe_log_dirs.hpp"

#include "serde.hpp"

namespace lkstream::kafka {

namespace {

constexpr auto request_fields = [](auto& io, int16_t v, auto& m) -> status {
  LK_TRY_STATUS(io.nullable_array("topics", m.topics, 2, [&](auto& t) -> status {
    LK_TRY_STATUS(io.string("topic", t.topic));
    LK_TRY_STATUS(io.int32_array("partitions", t.partitions));
    return io.tags();
  }));
  return io.tags();
};

constexpr auto response_fields = [](auto& io, int16_t v, auto& m) -> status {
  LK_TRY_STATUS(io.i32("throttle_time_ms", m.throttle_time_ms));
  if (v >= 3) LK_TRY_STATUS(io.code("error_code", m.error));
  LK_TRY_STATUS(io.array("results", m.results, 4, [&](auto& r) -> status {
    LK_TRY_STATUS(io.code("error_code", r.error));
    LK_TRY_STATUS(io.string("log_dir", r.log_dir));
    LK_TRY_STATUS(io.array("topics", r.topics, 2, [&](auto& t) -> status {
      LK_TRY_STATUS(io.string("name", t.name));
      LK_TRY_STATUS(io.array("partitions", t.partitions, 21, [&](auto& p) -> status {
        LK_TRY_STATUS(io.i32("partition_index", p.partition_index));
        LK_TRY_STATUS(io.i64("partition_size", p.partition_size));
        LK_TRY_STATUS(io.i64("offset_lag", p.offset_lag));
        LK_TRY_STATUS(io.boolean("is_future_key", p.is_future_key));
        return io.tags();
      }));
      return io.tags();
    }));
    if (v >= 4) {
      LK_TRY_STATUS(io.i64("total_bytes", r.total_bytes));
      LK_TRY_STATUS(io.i64("usable_bytes", r.usable_bytes));
    }
    if (v >= 5) LK_TRY_STATUS(io.boolean("is_cordoned", r.is_cordoned));
    return io.tags();
  }));
  return io.tags();
};

}  // namespace

result<describe_log_dirs_request> decode_describe_log_dirs_request(wire_reader& r, int16_t version) {
  return detail::decode_message<describe_log_dirs_request>(r, version, request_fields);
}

status encode_describe_log_dirs_request(wire_writer& w, int16_t version, const describe_log_dirs_request& m) {
  return detail::encode_message(w, version, m, request_fields);
}

result<describe_log_dirs_response> decode_describe_log_dirs_response(wire_reader& r, int16_t version) {
  return detail::decode_message<describe_log_dirs_response>(r, version, response_fields);
}

status encode_describe_log_dirs_response(wire_writer& w, int16_t version, const describe_log_dirs_response& m) {
  return detail::encode_message(w, version, m, response_fields);
}

}  // namespace lkstream::kafka

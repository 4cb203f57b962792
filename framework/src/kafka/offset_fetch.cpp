#include "lkstream/kafka/offset_fetch.hpp"

#include "serde.hpp"

namespace lkstream::kafka {

namespace {

constexpr auto request_fields = [](auto& io, int16_t v, auto& m) -> status {
  LK_TRY_STATUS(io.string("group_id", m.group_id));
  // Null ("all committed offsets") exists from v2 on.
  LK_TRY_STATUS(io.nullable_array(
      "topics", m.topics, 2,
      [&](auto& t) -> status {
        LK_TRY_STATUS(io.string("name", t.name));
        LK_TRY_STATUS(io.int32_array("partition_indexes", t.partition_indexes));
        return io.tags();
      },
      v >= 2));
  if (v >= 7) LK_TRY_STATUS(io.boolean("require_stable", m.require_stable));
  return io.tags();
};

constexpr auto response_fields = [](auto& io, int16_t v, auto& m) -> status {
  if (v >= 3) LK_TRY_STATUS(io.i32("throttle_time_ms", m.throttle_time_ms));
  LK_TRY_STATUS(io.array("topics", m.topics, 2, [&](auto& t) -> status {
    LK_TRY_STATUS(io.string("name", t.name));
    LK_TRY_STATUS(io.array("partitions", t.partitions, 15, [&](auto& p) -> status {
      LK_TRY_STATUS(io.i32("partition_index", p.partition_index));
      LK_TRY_STATUS(io.i64("committed_offset", p.committed_offset));
      if (v >= 5) LK_TRY_STATUS(io.i32("committed_leader_epoch", p.committed_leader_epoch));
      LK_TRY_STATUS(io.nullable_string("metadata", p.metadata));
      LK_TRY_STATUS(io.code("error_code", p.error));
      return io.tags();
    }));
    return io.tags();
  }));
  if (v >= 2) LK_TRY_STATUS(io.code("error_code", m.error));
  return io.tags();
};

}  // namespace

result<offset_fetch_request> decode_offset_fetch_request(wire_reader& r, int16_t version) {
  return detail::decode_message<offset_fetch_request>(r, version, request_fields);
}

status encode_offset_fetch_request(wire_writer& w, int16_t version, const offset_fetch_request& m) {
  return detail::encode_message(w, version, m, request_fields);
}

result<offset_fetch_response> decode_offset_fetch_response(wire_reader& r, int16_t version) {
  return detail::decode_message<offset_fetch_response>(r, version, response_fields);
}

status encode_offset_fetch_response(wire_writer& w, int16_t version,
                                    const offset_fetch_response& m) {
  return detail::encode_message(w, version, m, response_fields);
}

}  // namespace lkstream::kafka

#include "lkstream/kafka/list_offsets.hpp"

#include "serde.hpp"

namespace lkstream::kafka {

namespace {

constexpr auto request_fields = [](auto& io, int16_t v, auto& m) -> status {
  LK_TRY_STATUS(io.i32("replica_id", m.replica_id));
  if (v >= 2) LK_TRY_STATUS(io.i8("isolation_level", m.isolation_level));
  LK_TRY_STATUS(io.array("topics", m.topics, 2, [&](auto& t) -> status {
    LK_TRY_STATUS(io.string("name", t.name));
    LK_TRY_STATUS(io.array("partitions", t.partitions, 12, [&](auto& p) -> status {
      LK_TRY_STATUS(io.i32("partition_index", p.partition_index));
      if (v >= 4) LK_TRY_STATUS(io.i32("current_leader_epoch", p.current_leader_epoch));
      LK_TRY_STATUS(io.i64("timestamp", p.timestamp));
      return io.tags();
    }));
    return io.tags();
  }));
  return io.tags();
};

constexpr auto response_fields = [](auto& io, int16_t v, auto& m) -> status {
  if (v >= 2) LK_TRY_STATUS(io.i32("throttle_time_ms", m.throttle_time_ms));
  LK_TRY_STATUS(io.array("topics", m.topics, 2, [&](auto& t) -> status {
    LK_TRY_STATUS(io.string("name", t.name));
    LK_TRY_STATUS(io.array("partitions", t.partitions, 22, [&](auto& p) -> status {
      LK_TRY_STATUS(io.i32("partition_index", p.partition_index));
      LK_TRY_STATUS(io.code("error_code", p.error));
      LK_TRY_STATUS(io.i64("timestamp", p.timestamp));
      LK_TRY_STATUS(io.i64("offset", p.offset));
      if (v >= 4) LK_TRY_STATUS(io.i32("leader_epoch", p.leader_epoch));
      return io.tags();
    }));
    return io.tags();
  }));
  return io.tags();
};

}  // namespace

result<list_offsets_request> decode_list_offsets_request(wire_reader& r, int16_t version) {
  return detail::decode_message<list_offsets_request>(r, version, request_fields);
}

status encode_list_offsets_request(wire_writer& w, int16_t version, const list_offsets_request& m) {
  return detail::encode_message(w, version, m, request_fields);
}

result<list_offsets_response> decode_list_offsets_response(wire_reader& r, int16_t version) {
  return detail::decode_message<list_offsets_response>(r, version, response_fields);
}

status encode_list_offsets_response(wire_writer& w, int16_t version,
                                    const list_offsets_response& m) {
  return detail::encode_message(w, version, m, response_fields);
}

}  // namespace lkstream::kafka

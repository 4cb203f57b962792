#include "lkstream/kafka/offset_commit.hpp"

#include "serde.hpp"

namespace lkstream::kafka {

namespace {

constexpr auto request_fields = [](auto& io, int16_t v, auto& m) -> status {
  LK_TRY_STATUS(io.string("group_id", m.group_id));
  LK_TRY_STATUS(io.i32("generation_id", m.generation_id));
  LK_TRY_STATUS(io.string("member_id", m.member_id));
  if (v >= 7) LK_TRY_STATUS(io.nullable_string("group_instance_id", m.group_instance_id));
  if (v >= 2 && v <= 4) LK_TRY_STATUS(io.i64("retention_time_ms", m.retention_time_ms));
  LK_TRY_STATUS(io.array("topics", m.topics, 2, [&](auto& t) -> status {
    LK_TRY_STATUS(io.string("name", t.name));
    LK_TRY_STATUS(io.array("partitions", t.partitions, 13, [&](auto& p) -> status {
      LK_TRY_STATUS(io.i32("partition_index", p.partition_index));
      LK_TRY_STATUS(io.i64("committed_offset", p.committed_offset));
      if (v >= 6) LK_TRY_STATUS(io.i32("committed_leader_epoch", p.committed_leader_epoch));
      LK_TRY_STATUS(io.nullable_string("committed_metadata", p.committed_metadata));
      return io.tags();
    }));
    return io.tags();
  }));
  return io.tags();
};

constexpr auto response_fields = [](auto& io, int16_t v, auto& m) -> status {
  if (v >= 3) LK_TRY_STATUS(io.i32("throttle_time_ms", m.throttle_time_ms));
  LK_TRY_STATUS(io.array("topics", m.topics, 2, [&](auto& t) -> status {
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

result<offset_commit_request> decode_offset_commit_request(wire_reader& r, int16_t version) {
  return detail::decode_message<offset_commit_request>(r, version, request_fields);
}

status encode_offset_commit_request(wire_writer& w, int16_t version,
                                    const offset_commit_request& m) {
  return detail::encode_message(w, version, m, request_fields);
}

result<offset_commit_response> decode_offset_commit_response(wire_reader& r, int16_t version) {
  return detail::decode_message<offset_commit_response>(r, version, response_fields);
}

status encode_offset_commit_response(wire_writer& w, int16_t version,
                                     const offset_commit_response& m) {
  return detail::encode_message(w, version, m, response_fields);
}

}  // namespace lkstream::kafka

#include "lkstream/kafka/list_partition_reassignments.hpp"

#include "serde.hpp"

namespace lkstream::kafka {

namespace {

constexpr auto request_fields = [](auto& io, int16_t v, auto& m) -> status {
  LK_TRY_STATUS(io.i32("timeout_ms", m.timeout_ms));
  LK_TRY_STATUS(io.nullable_array("topics", m.topics, 2, [&](auto& t) -> status {
    LK_TRY_STATUS(io.string("name", t.name));
    LK_TRY_STATUS(io.int32_array("partition_indexes", t.partition_indexes));
    return io.tags();
  }));
  return io.tags();
};

constexpr auto response_fields = [](auto& io, int16_t v, auto& m) -> status {
  LK_TRY_STATUS(io.i32("throttle_time_ms", m.throttle_time_ms));
  LK_TRY_STATUS(io.code("error_code", m.error));
  LK_TRY_STATUS(io.nullable_string("error_message", m.error_message));
  LK_TRY_STATUS(io.array("topics", m.topics, 2, [&](auto& t) -> status {
    LK_TRY_STATUS(io.string("name", t.name));
    LK_TRY_STATUS(io.array("partitions", t.partitions, 4, [&](auto& p) -> status {
      LK_TRY_STATUS(io.i32("partition_index", p.partition_index));
      LK_TRY_STATUS(io.int32_array("replicas", p.replicas));
      LK_TRY_STATUS(io.int32_array("adding_replicas", p.adding_replicas));
      LK_TRY_STATUS(io.int32_array("removing_replicas", p.removing_replicas));
      return io.tags();
    }));
    return io.tags();
  }));
  return io.tags();
};

}  // namespace

result<list_partition_reassignments_request> decode_list_partition_reassignments_request(wire_reader& r, int16_t version) {
  return detail::decode_message<list_partition_reassignments_request>(r, version, request_fields);
}

status encode_list_partition_reassignments_request(wire_writer& w, int16_t version, const list_partition_reassignments_request& m) {
  return detail::encode_message(w, version, m, request_fields);
}

result<list_partition_reassignments_response> decode_list_partition_reassignments_response(wire_reader& r, int16_t version) {
  return detail::decode_message<list_partition_reassignments_response>(r, version, response_fields);
}

status encode_list_partition_reassignments_response(wire_writer& w, int16_t version, const list_partition_reassignments_response& m) {
  return detail::encode_message(w, version, m, response_fields);
}

}  // namespace lkstream::kafka

#include "lkstream/kafka/fetch.hpp"

#include "serde.hpp"

namespace lkstream::kafka {

namespace {

constexpr auto request_fields = [](auto& io, int16_t v, auto& m) -> status {
  LK_TRY_STATUS(io.i32("replica_id", m.replica_id));
  LK_TRY_STATUS(io.i32("max_wait_ms", m.max_wait_ms));
  LK_TRY_STATUS(io.i32("min_bytes", m.min_bytes));
  if (v >= 3) LK_TRY_STATUS(io.i32("max_bytes", m.max_bytes));
  if (v >= 4) LK_TRY_STATUS(io.i8("isolation_level", m.isolation_level));
  if (v >= 7) {
    LK_TRY_STATUS(io.i32("session_id", m.session_id));
    LK_TRY_STATUS(io.i32("session_epoch", m.session_epoch));
  }
  LK_TRY_STATUS(io.array("topics", m.topics, 2, [&](auto& t) -> status {
    LK_TRY_STATUS(io.string("topic", t.topic));
    LK_TRY_STATUS(io.array("partitions", t.partitions, 16, [&](auto& p) -> status {
      LK_TRY_STATUS(io.i32("partition", p.partition));
      if (v >= 9) LK_TRY_STATUS(io.i32("current_leader_epoch", p.current_leader_epoch));
      LK_TRY_STATUS(io.i64("fetch_offset", p.fetch_offset));
      if (v >= 5) LK_TRY_STATUS(io.i64("log_start_offset", p.log_start_offset));
      LK_TRY_STATUS(io.i32("partition_max_bytes", p.partition_max_bytes));
      return io.tags();
    }));
    return io.tags();
  }));
  if (v >= 7) {
    LK_TRY_STATUS(io.array("forgotten_topics_data", m.forgotten_topics_data, 2,
                           [&](auto& t) -> status {
                             LK_TRY_STATUS(io.string("topic", t.topic));
                             LK_TRY_STATUS(io.int32_array("partitions", t.partitions));
                             return io.tags();
                           }));
  }
  if (v >= 11) LK_TRY_STATUS(io.string("rack_id", m.rack_id));
  return io.tags();
};

constexpr auto response_fields = [](auto& io, int16_t v, auto& m) -> status {
  if (v >= 1) LK_TRY_STATUS(io.i32("throttle_time_ms", m.throttle_time_ms));
  if (v >= 7) {
    LK_TRY_STATUS(io.code("error_code", m.error));
    LK_TRY_STATUS(io.i32("session_id", m.session_id));
  }
  LK_TRY_STATUS(io.array("responses", m.responses, 2, [&](auto& t) -> status {
    LK_TRY_STATUS(io.string("topic", t.topic));
    LK_TRY_STATUS(io.array("partitions", t.partitions, 15, [&](auto& p) -> status {
      LK_TRY_STATUS(io.i32("partition_index", p.partition_index));
      LK_TRY_STATUS(io.code("error_code", p.error));
      LK_TRY_STATUS(io.i64("high_watermark", p.high_watermark));
      if (v >= 4) LK_TRY_STATUS(io.i64("last_stable_offset", p.last_stable_offset));
      if (v >= 5) LK_TRY_STATUS(io.i64("log_start_offset", p.log_start_offset));
      if (v >= 4) {
        LK_TRY_STATUS(io.nullable_array("aborted_transactions", p.aborted_transactions, 16,
                                        [&](auto& a) -> status {
                                          LK_TRY_STATUS(io.i64("producer_id", a.producer_id));
                                          LK_TRY_STATUS(io.i64("first_offset", a.first_offset));
                                          return io.tags();
                                        }));
      }
      if (v >= 11) LK_TRY_STATUS(io.i32("preferred_read_replica", p.preferred_read_replica));
      LK_TRY_STATUS(io.records("records", p.records));
      return io.tags();
    }));
    return io.tags();
  }));
  return io.tags();
};

}  // namespace

result<fetch_request> decode_fetch_request(wire_reader& r, int16_t version) {
  return detail::decode_message<fetch_request>(r, version, request_fields);
}

status encode_fetch_request(wire_writer& w, int16_t version, const fetch_request& m) {
  return detail::encode_message(w, version, m, request_fields);
}

result<fetch_response> decode_fetch_response(wire_reader& r, int16_t version) {
  return detail::decode_message<fetch_response>(r, version, response_fields);
}

status encode_fetch_response(wire_writer& w, int16_t version, const fetch_response& m) {
  return detail::encode_message(w, version, m, response_fields);
}

}  // namespace lkstream::kafka

#include "lkstream/kafka/describe_cluster.hpp"

#include "serde.hpp"

namespace lkstream::kafka {

namespace {

constexpr auto request_fields = [](auto& io, int16_t v, auto& m) -> status {
  LK_TRY_STATUS(io.boolean("include_cluster_authorized_operations",
                           m.include_cluster_authorized_operations));
  if (v >= 1) LK_TRY_STATUS(io.i8("endpoint_type", m.endpoint_type));
  if (v >= 2) LK_TRY_STATUS(io.boolean("include_fenced_brokers", m.include_fenced_brokers));
  return io.tags();
};

constexpr auto response_fields = [](auto& io, int16_t v, auto& m) -> status {
  LK_TRY_STATUS(io.i32("throttle_time_ms", m.throttle_time_ms));
  LK_TRY_STATUS(io.code("error_code", m.error));
  LK_TRY_STATUS(io.nullable_string("error_message", m.error_message));
  if (v >= 1) LK_TRY_STATUS(io.i8("endpoint_type", m.endpoint_type));
  LK_TRY_STATUS(io.string("cluster_id", m.cluster_id));
  LK_TRY_STATUS(io.i32("controller_id", m.controller_id));
  LK_TRY_STATUS(io.array("brokers", m.brokers, 9, [&](auto& b) -> status {
    LK_TRY_STATUS(io.i32("broker_id", b.broker_id));
    LK_TRY_STATUS(io.string("host", b.host));
    LK_TRY_STATUS(io.i32("port", b.port));
    LK_TRY_STATUS(io.nullable_string("rack", b.rack));
    if (v >= 2) LK_TRY_STATUS(io.boolean("is_fenced", b.is_fenced));
    return io.tags();
  }));
  LK_TRY_STATUS(io.i32("cluster_authorized_operations", m.cluster_authorized_operations));
  return io.tags();
};

}  // namespace

result<describe_cluster_request> decode_describe_cluster_request(wire_reader& r, int16_t version) {
  return detail::decode_message<describe_cluster_request>(r, version, request_fields);
}

status encode_describe_cluster_request(wire_writer& w, int16_t version, const describe_cluster_request& m) {
  return detail::encode_message(w, version, m, request_fields);
}

result<describe_cluster_response> decode_describe_cluster_response(wire_reader& r, int16_t version) {
  return detail::decode_message<describe_cluster_response>(r, version, response_fields);
}

status encode_describe_cluster_response(wire_writer& w, int16_t version, const describe_cluster_response& m) {
  return detail::encode_message(w, version, m, response_fields);
}

}  // namespace lkstream::kafka

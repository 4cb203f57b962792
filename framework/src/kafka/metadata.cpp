#include "lkstream/kafka/metadata.hpp"

#include "serde.hpp"

namespace lkstream::kafka {

namespace {

constexpr auto request_fields = [](auto& io, int16_t v, auto& m) -> status {
  auto topic = [&](auto& t) -> status {
    LK_TRY_STATUS(io.string("name", t.name));
    return io.tags();
  };
  if (v >= 1) {
    LK_TRY_STATUS(io.nullable_array("topics", m.topics, 1, topic));
  } else if constexpr (detail::is_decoder<decltype(io)>) {
    // v0: [] asks for all topics; normalise to null as in v1+.
    LK_TRY_STATUS(io.nullable_array("topics", m.topics, 1, topic, false));
    if (m.topics->empty()) m.topics.reset();
  } else {
    if (m.topics && m.topics->empty())
      return error{errc::invalid_argument,
                   "topics: Metadata v0 cannot ask for no topics ([] means all topics)"};
    const std::optional<std::vector<metadata_request_topic>> all{std::in_place};
    LK_TRY_STATUS(io.nullable_array("topics", m.topics ? m.topics : all, 1, topic, false));
  }
  if (v >= 4) LK_TRY_STATUS(io.boolean("allow_auto_topic_creation", m.allow_auto_topic_creation));
  if (v >= 8) {
    LK_TRY_STATUS(io.boolean("include_cluster_authorized_operations",
                             m.include_cluster_authorized_operations));
    LK_TRY_STATUS(io.boolean("include_topic_authorized_operations",
                             m.include_topic_authorized_operations));
  }
  return io.tags();
};

constexpr auto response_fields = [](auto& io, int16_t v, auto& m) -> status {
  if (v >= 3) LK_TRY_STATUS(io.i32("throttle_time_ms", m.throttle_time_ms));
  LK_TRY_STATUS(io.array("brokers", m.brokers, 9, [&](auto& b) -> status {
    LK_TRY_STATUS(io.i32("node_id", b.node_id));
    LK_TRY_STATUS(io.string("host", b.host));
    LK_TRY_STATUS(io.i32("port", b.port));
    if (v >= 1) LK_TRY_STATUS(io.nullable_string("rack", b.rack));
    return io.tags();
  }));
  if (v >= 2) LK_TRY_STATUS(io.nullable_string("cluster_id", m.cluster_id));
  if (v >= 1) LK_TRY_STATUS(io.i32("controller_id", m.controller_id));
  LK_TRY_STATUS(io.array("topics", m.topics, 4, [&](auto& t) -> status {
    LK_TRY_STATUS(io.code("error_code", t.error));
    LK_TRY_STATUS(io.string("name", t.name));
    if (v >= 1) LK_TRY_STATUS(io.boolean("is_internal", t.is_internal));
    LK_TRY_STATUS(io.array("partitions", t.partitions, 12, [&](auto& p) -> status {
      LK_TRY_STATUS(io.code("error_code", p.error));
      LK_TRY_STATUS(io.i32("partition_index", p.partition_index));
      LK_TRY_STATUS(io.i32("leader_id", p.leader_id));
      if (v >= 7) LK_TRY_STATUS(io.i32("leader_epoch", p.leader_epoch));
      LK_TRY_STATUS(io.int32_array("replica_nodes", p.replica_nodes));
      LK_TRY_STATUS(io.int32_array("isr_nodes", p.isr_nodes));
      if (v >= 5) LK_TRY_STATUS(io.int32_array("offline_replicas", p.offline_replicas));
      return io.tags();
    }));
    if (v >= 8)
      LK_TRY_STATUS(io.i32("topic_authorized_operations", t.topic_authorized_operations));
    return io.tags();
  }));
  if (v >= 8)
    LK_TRY_STATUS(io.i32("cluster_authorized_operations", m.cluster_authorized_operations));
  return io.tags();
};

}  // namespace

result<metadata_request> decode_metadata_request(wire_reader& r, int16_t version) {
  return detail::decode_message<metadata_request>(r, version, request_fields);
}

status encode_metadata_request(wire_writer& w, int16_t version, const metadata_request& m) {
  return detail::encode_message(w, version, m, request_fields);
}

result<metadata_response> decode_metadata_response(wire_reader& r, int16_t version) {
  return detail::decode_message<metadata_response>(r, version, response_fields);
}

status encode_metadata_response(wire_writer& w, int16_t version, const metadata_response& m) {
  return detail::encode_message(w, version, m, response_fields);
}

}  // namespace lkstream::kafka

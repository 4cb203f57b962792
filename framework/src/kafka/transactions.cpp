#include "lkstream/kafka/transactions.hpp"

#include "serde.hpp"

namespace lkstream::kafka {

namespace {

// [name, partitions []int32]: AddPartitionsToTxn's topics and DescribeTransactions' topics.
template <class Io, class T>
status topic_partitions(Io& io, const char* name_field, T& t) {
  LK_TRY_STATUS(io.string(name_field, t.name));
  LK_TRY_STATUS(io.int32_array("partitions", t.partitions));
  return io.tags();
}

// [name, results [partition_index, error]]
template <class Io, class T>
status topic_results(Io& io, const char* results_field, T& t) {
  LK_TRY_STATUS(io.string("name", t.name));
  LK_TRY_STATUS(io.array(results_field, t.results, 6, [&](auto& p) -> status {
    LK_TRY_STATUS(io.i32("partition_index", p.partition_index));
    LK_TRY_STATUS(io.code("error_code", p.error));
    return io.tags();
  }));
  return io.tags();
}

constexpr auto add_partitions_request_fields = [](auto& io, int16_t, auto& m) -> status {
  LK_TRY_STATUS(io.string("transactional_id", m.transactional_id));
  LK_TRY_STATUS(io.i64("producer_id", m.producer_id));
  LK_TRY_STATUS(io.i16("producer_epoch", m.producer_epoch));
  LK_TRY_STATUS(io.array("topics", m.topics, 2, [&](auto& t) {
    return topic_partitions(io, "name", t);
  }));
  return io.tags();
};

constexpr auto add_partitions_response_fields = [](auto& io, int16_t, auto& m) -> status {
  LK_TRY_STATUS(io.i32("throttle_time_ms", m.throttle_time_ms));
  LK_TRY_STATUS(io.array("results", m.results, 2, [&](auto& t) {
    return topic_results(io, "results", t);
  }));
  return io.tags();
};

constexpr auto add_offsets_request_fields = [](auto& io, int16_t, auto& m) -> status {
  LK_TRY_STATUS(io.string("transactional_id", m.transactional_id));
  LK_TRY_STATUS(io.i64("producer_id", m.producer_id));
  LK_TRY_STATUS(io.i16("producer_epoch", m.producer_epoch));
  LK_TRY_STATUS(io.string("group_id", m.group_id));
  return io.tags();
};

// AddOffsetsToTxn and EndTxn answer the same way.
constexpr auto error_response_fields = [](auto& io, int16_t, auto& m) -> status {
  LK_TRY_STATUS(io.i32("throttle_time_ms", m.throttle_time_ms));
  LK_TRY_STATUS(io.code("error_code", m.error));
  return io.tags();
};

constexpr auto end_txn_request_fields = [](auto& io, int16_t, auto& m) -> status {
  LK_TRY_STATUS(io.string("transactional_id", m.transactional_id));
  LK_TRY_STATUS(io.i64("producer_id", m.producer_id));
  LK_TRY_STATUS(io.i16("producer_epoch", m.producer_epoch));
  LK_TRY_STATUS(io.boolean("committed", m.committed));
  return io.tags();
};

constexpr auto txn_offset_commit_request_fields = [](auto& io, int16_t v, auto& m) -> status {
  LK_TRY_STATUS(io.string("transactional_id", m.transactional_id));
  LK_TRY_STATUS(io.string("group_id", m.group_id));
  LK_TRY_STATUS(io.i64("producer_id", m.producer_id));
  LK_TRY_STATUS(io.i16("producer_epoch", m.producer_epoch));
  if (v >= 3) {
    LK_TRY_STATUS(io.i32("generation_id", m.generation_id));
    LK_TRY_STATUS(io.string("member_id", m.member_id));
    LK_TRY_STATUS(io.nullable_string("group_instance_id", m.group_instance_id));
  }
  LK_TRY_STATUS(io.array("topics", m.topics, 2, [&](auto& t) -> status {
    LK_TRY_STATUS(io.string("name", t.name));
    LK_TRY_STATUS(io.array("partitions", t.partitions, 14, [&](auto& p) -> status {
      LK_TRY_STATUS(io.i32("partition_index", p.partition_index));
      LK_TRY_STATUS(io.i64("committed_offset", p.committed_offset));
      if (v >= 2) LK_TRY_STATUS(io.i32("committed_leader_epoch", p.committed_leader_epoch));
      LK_TRY_STATUS(io.nullable_string("committed_metadata", p.committed_metadata));
      return io.tags();
    }));
    return io.tags();
  }));
  return io.tags();
};

constexpr auto txn_offset_commit_response_fields = [](auto& io, int16_t, auto& m) -> status {
  LK_TRY_STATUS(io.i32("throttle_time_ms", m.throttle_time_ms));
  LK_TRY_STATUS(io.array("topics", m.topics, 2, [&](auto& t) {
    return topic_results(io, "partitions", t);
  }));
  return io.tags();
};

constexpr auto describe_producers_request_fields = [](auto& io, int16_t, auto& m) -> status {
  LK_TRY_STATUS(io.array("topics", m.topics, 2, [&](auto& t) -> status {
    LK_TRY_STATUS(io.string("name", t.name));
    LK_TRY_STATUS(io.int32_array("partition_indexes", t.partition_indexes));
    return io.tags();
  }));
  return io.tags();
};

constexpr auto describe_producers_response_fields = [](auto& io, int16_t, auto& m) -> status {
  LK_TRY_STATUS(io.i32("throttle_time_ms", m.throttle_time_ms));
  LK_TRY_STATUS(io.array("topics", m.topics, 2, [&](auto& t) -> status {
    LK_TRY_STATUS(io.string("name", t.name));
    LK_TRY_STATUS(io.array("partitions", t.partitions, 8, [&](auto& p) -> status {
      LK_TRY_STATUS(io.i32("partition_index", p.partition_index));
      LK_TRY_STATUS(io.code("error_code", p.error));
      LK_TRY_STATUS(io.nullable_string("error_message", p.error_message));
      LK_TRY_STATUS(io.array("active_producers", p.active_producers, 36, [&](auto& a) -> status {
        LK_TRY_STATUS(io.i64("producer_id", a.producer_id));
        LK_TRY_STATUS(io.i32("producer_epoch", a.producer_epoch));
        LK_TRY_STATUS(io.i32("last_sequence", a.last_sequence));
        LK_TRY_STATUS(io.i64("last_timestamp", a.last_timestamp));
        LK_TRY_STATUS(io.i32("coordinator_epoch", a.coordinator_epoch));
        LK_TRY_STATUS(io.i64("current_txn_start_offset", a.current_txn_start_offset));
        return io.tags();
      }));
      return io.tags();
    }));
    return io.tags();
  }));
  return io.tags();
};

constexpr auto describe_transactions_request_fields = [](auto& io, int16_t, auto& m) -> status {
  LK_TRY_STATUS(io.string_array("transactional_ids", m.transactional_ids));
  return io.tags();
};

constexpr auto describe_transactions_response_fields = [](auto& io, int16_t, auto& m) -> status {
  LK_TRY_STATUS(io.i32("throttle_time_ms", m.throttle_time_ms));
  LK_TRY_STATUS(io.array("transaction_states", m.transaction_states, 30, [&](auto& d) -> status {
    LK_TRY_STATUS(io.code("error_code", d.error));
    LK_TRY_STATUS(io.string("transactional_id", d.transactional_id));
    LK_TRY_STATUS(io.string("transaction_state", d.transaction_state));
    LK_TRY_STATUS(io.i32("transaction_timeout_ms", d.transaction_timeout_ms));
    LK_TRY_STATUS(io.i64("transaction_start_time_ms", d.transaction_start_time_ms));
    LK_TRY_STATUS(io.i64("producer_id", d.producer_id));
    LK_TRY_STATUS(io.i16("producer_epoch", d.producer_epoch));
    LK_TRY_STATUS(io.array("topics", d.topics, 2, [&](auto& t) {
      return topic_partitions(io, "topic", t);
    }));
    return io.tags();
  }));
  return io.tags();
};

constexpr auto list_transactions_request_fields = [](auto& io, int16_t v, auto& m) -> status {
  LK_TRY_STATUS(io.string_array("state_filters", m.state_filters));
  LK_TRY_STATUS(io.array("producer_id_filters", m.producer_id_filters, 8,
                         [&](auto& id) { return io.i64("", id); }));
  if (v >= 1) LK_TRY_STATUS(io.i64("duration_filter", m.duration_filter));
  return io.tags();
};

constexpr auto list_transactions_response_fields = [](auto& io, int16_t, auto& m) -> status {
  LK_TRY_STATUS(io.i32("throttle_time_ms", m.throttle_time_ms));
  LK_TRY_STATUS(io.code("error_code", m.error));
  LK_TRY_STATUS(io.string_array("unknown_state_filters", m.unknown_state_filters));
  LK_TRY_STATUS(io.array("transaction_states", m.transaction_states, 11, [&](auto& l) -> status {
    LK_TRY_STATUS(io.string("transactional_id", l.transactional_id));
    LK_TRY_STATUS(io.i64("producer_id", l.producer_id));
    LK_TRY_STATUS(io.string("transaction_state", l.transaction_state));
    return io.tags();
  }));
  return io.tags();
};

}  // namespace

#define LK_KAFKA_DEFINE_CODEC(name, req_fields, resp_fields)                                \
  result<name##_request> decode_##name##_request(wire_reader& r, int16_t version) {         \
    return detail::decode_message<name##_request>(r, version, req_fields);                  \
  }                                                                                         \
  status encode_##name##_request(wire_writer& w, int16_t version, const name##_request& m) { \
    return detail::encode_message(w, version, m, req_fields);                               \
  }                                                                                         \
  result<name##_response> decode_##name##_response(wire_reader& r, int16_t version) {       \
    return detail::decode_message<name##_response>(r, version, resp_fields);                \
  }                                                                                         \
  status encode_##name##_response(wire_writer& w, int16_t version,                          \
                                  const name##_response& m) {                               \
    return detail::encode_message(w, version, m, resp_fields);                              \
  }
LK_KAFKA_DEFINE_CODEC(add_partitions_to_txn, add_partitions_request_fields,
                      add_partitions_response_fields)
LK_KAFKA_DEFINE_CODEC(add_offsets_to_txn, add_offsets_request_fields, error_response_fields)
LK_KAFKA_DEFINE_CODEC(end_txn, end_txn_request_fields, error_response_fields)
LK_KAFKA_DEFINE_CODEC(txn_offset_commit, txn_offset_commit_request_fields,
                      txn_offset_commit_response_fields)
LK_KAFKA_DEFINE_CODEC(describe_producers, describe_producers_request_fields,
                      describe_producers_response_fields)
LK_KAFKA_DEFINE_CODEC(describe_transactions, describe_transactions_request_fields,
                      describe_transactions_response_fields)
LK_KAFKA_DEFINE_CODEC(list_transactions, list_transactions_request_fields,
                      list_transactions_response_fields)
#undef LK_KAFKA_DEFINE_CODEC

}  // namespace lkstream::kafka

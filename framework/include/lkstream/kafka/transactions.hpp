#pragma once
// The transaction APIs (KIP-98, KIP-447, KIP-664), in the versions the served range of each
// key lists (supported_apis.hpp). Fields per version, from Kafka's message schemas:
//
// AddPartitionsToTxn (24), 0-3 (flexible from 3; 4+ is the broker-to-broker batched form)
//   request  transactional_id, producer_id, producer_epoch, topics [name, partitions []int32]
//   response throttle_time_ms, results [name, results [partition_index, error]]
// AddOffsetsToTxn (25), 0-3 (flexible from 3)
//   request  transactional_id, producer_id, producer_epoch, group_id
//   response throttle_time_ms, error
// EndTxn (26), 0-3 (flexible from 3; 5 adds the producer id and epoch to the response)
//   request  transactional_id, producer_id, producer_epoch, committed
//   response throttle_time_ms, error
// TxnOffsetCommit (28), 0-3 (flexible from 3)
//   request  transactional_id, group_id, producer_id, producer_epoch, generation_id (v3+),
//            member_id (v3+), group_instance_id (v3+, nullable),
//            topics [name, partitions [partition_index, committed_offset,
//                                      committed_leader_epoch (v2+), committed_metadata (nullable)]]
//   response throttle_time_ms, topics [name, partitions [partition_index, error]]
// DescribeProducers (61), 0 (flexible)
//   request  topics [name, partition_indexes []int32]
//   response throttle_time_ms, topics [name, partitions [partition_index, error, error_message
//            (nullable), active_producers [producer_id, producer_epoch int32, last_sequence,
//            last_timestamp, coordinator_epoch, current_txn_start_offset]]]
// DescribeTransactions (65), 0 (flexible)
//   request  transactional_ids []string
//   response throttle_time_ms, transaction_states [error, transactional_id, transaction_state,
//            transaction_timeout_ms, transaction_start_time_ms, producer_id, producer_epoch,
//            topics [topic, partitions []int32]]
// ListTransactions (66), 0-1 (flexible)
//   request  state_filters []string, producer_id_filters []int64, duration_filter (v1+, -1)
//   response throttle_time_ms, error, unknown_state_filters []string,
//            transaction_states [transactional_id, producer_id, transaction_state]

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "lkstream/base/result.hpp"
#include "lkstream/kafka/api_key.hpp"
#include "lkstream/kafka/error_code.hpp"
#include "lkstream/kafka/wire_reader.hpp"
#include "lkstream/kafka/wire_writer.hpp"

namespace lkstream::kafka {

// ---- AddPartitionsToTxn ----------------------------------------------------------------------

struct txn_topic_partitions {
  std::string name;
  std::vector<int32_t> partitions;
  friend bool operator==(const txn_topic_partitions&, const txn_topic_partitions&) = default;
};

struct add_partitions_to_txn_request {
  static constexpr api_key key = api_key::add_partitions_to_txn;
  static constexpr bool is_request = true;
  std::string transactional_id;
  int64_t producer_id = -1;
  int16_t producer_epoch = -1;
  std::vector<txn_topic_partitions> topics;
  friend bool operator==(const add_partitions_to_txn_request&,
                         const add_partitions_to_txn_request&) = default;
};

struct txn_partition_result {
  int32_t partition_index = 0;
  error_code error = error_code::none;
  friend bool operator==(const txn_partition_result&, const txn_partition_result&) = default;
};

struct txn_topic_result {
  std::string name;
  std::vector<txn_partition_result> results;
  friend bool operator==(const txn_topic_result&, const txn_topic_result&) = default;
};

struct add_partitions_to_txn_response {
  static constexpr api_key key = api_key::add_partitions_to_txn;
  static constexpr bool is_request = false;
  int32_t throttle_time_ms = 0;
  std::vector<txn_topic_result> results;
  friend bool operator==(const add_partitions_to_txn_response&,
                         const add_partitions_to_txn_response&) = default;
};

// ---- AddOffsetsToTxn ------------------------------------------------------------------------

struct add_offsets_to_txn_request {
  static constexpr api_key key = api_key::add_offsets_to_txn;
  static constexpr bool is_request = true;
  std::string transactional_id;
  int64_t producer_id = -1;
  int16_t producer_epoch = -1;
  std::string group_id;
  friend bool operator==(const add_offsets_to_txn_request&,
                         const add_offsets_to_txn_request&) = default;
};

struct add_offsets_to_txn_response {
  static constexpr api_key key = api_key::add_offsets_to_txn;
  static constexpr bool is_request = false;
  int32_t throttle_time_ms = 0;
  error_code error = error_code::none;
  friend bool operator==(const add_offsets_to_txn_response&,
                         const add_offsets_to_txn_response&) = default;
};

// ---- EndTxn ---------------------------------------------------------------------------------

struct end_txn_request {
  static constexpr api_key key = api_key::end_txn;
  static constexpr bool is_request = true;
  std::string transactional_id;
  int64_t producer_id = -1;
  int16_t producer_epoch = -1;
  bool committed = false;
  friend bool operator==(const end_txn_request&, const end_txn_request&) = default;
};

struct end_txn_response {
  static constexpr api_key key = api_key::end_txn;
  static constexpr bool is_request = false;
  int32_t throttle_time_ms = 0;
  error_code error = error_code::none;
  friend bool operator==(const end_txn_response&, const end_txn_response&) = default;
};

// ---- TxnOffsetCommit ------------------------------------------------------------------------

struct txn_offset_commit_partition {
  int32_t partition_index = 0;
  int64_t committed_offset = 0;
  int32_t committed_leader_epoch = -1;  // v2+
  std::optional<std::string> committed_metadata;
  friend bool operator==(const txn_offset_commit_partition&,
                         const txn_offset_commit_partition&) = default;
};

struct txn_offset_commit_topic {
  std::string name;
  std::vector<txn_offset_commit_partition> partitions;
  friend bool operator==(const txn_offset_commit_topic&, const txn_offset_commit_topic&) = default;
};

struct txn_offset_commit_request {
  static constexpr api_key key = api_key::txn_offset_commit;
  static constexpr bool is_request = true;
  std::string transactional_id;
  std::string group_id;
  int64_t producer_id = -1;
  int16_t producer_epoch = -1;
  int32_t generation_id = -1;                    // v3+
  std::string member_id;                         // v3+
  std::optional<std::string> group_instance_id;  // v3+
  std::vector<txn_offset_commit_topic> topics;
  friend bool operator==(const txn_offset_commit_request&,
                         const txn_offset_commit_request&) = default;
};

struct txn_offset_commit_response {
  static constexpr api_key key = api_key::txn_offset_commit;
  static constexpr bool is_request = false;
  int32_t throttle_time_ms = 0;
  std::vector<txn_topic_result> topics;  // [name, partitions [partition_index, error]]
  friend bool operator==(const txn_offset_commit_response&,
                         const txn_offset_commit_response&) = default;
};

// ---- DescribeProducers ----------------------------------------------------------------------

struct describe_producers_topic {
  std::string name;
  std::vector<int32_t> partition_indexes;
  friend bool operator==(const describe_producers_topic&,
                         const describe_producers_topic&) = default;
};

struct describe_producers_request {
  static constexpr api_key key = api_key::describe_producers;
  static constexpr bool is_request = true;
  std::vector<describe_producers_topic> topics;
  friend bool operator==(const describe_producers_request&,
                         const describe_producers_request&) = default;
};

struct active_producer {
  int64_t producer_id = -1;
  int32_t producer_epoch = -1;
  int32_t last_sequence = -1;
  int64_t last_timestamp = -1;
  int32_t coordinator_epoch = -1;
  int64_t current_txn_start_offset = -1;
  friend bool operator==(const active_producer&, const active_producer&) = default;
};

struct describe_producers_partition {
  int32_t partition_index = 0;
  error_code error = error_code::none;
  std::optional<std::string> error_message;
  std::vector<active_producer> active_producers;
  friend bool operator==(const describe_producers_partition&,
                         const describe_producers_partition&) = default;
};

struct describe_producers_topic_response {
  std::string name;
  std::vector<describe_producers_partition> partitions;
  friend bool operator==(const describe_producers_topic_response&,
                         const describe_producers_topic_response&) = default;
};

struct describe_producers_response {
  static constexpr api_key key = api_key::describe_producers;
  static constexpr bool is_request = false;
  int32_t throttle_time_ms = 0;
  std::vector<describe_producers_topic_response> topics;
  friend bool operator==(const describe_producers_response&,
                         const describe_producers_response&) = default;
};

// ---- DescribeTransactions -------------------------------------------------------------------

struct describe_transactions_request {
  static constexpr api_key key = api_key::describe_transactions;
  static constexpr bool is_request = true;
  std::vector<std::string> transactional_ids;
  friend bool operator==(const describe_transactions_request&,
                         const describe_transactions_request&) = default;
};

struct transaction_description {
  error_code error = error_code::none;
  std::string transactional_id;
  std::string transaction_state;
  int32_t transaction_timeout_ms = 0;
  int64_t transaction_start_time_ms = -1;
  int64_t producer_id = -1;
  int16_t producer_epoch = -1;
  std::vector<txn_topic_partitions> topics;  // [topic, partitions []int32]
  friend bool operator==(const transaction_description&,
                         const transaction_description&) = default;
};

struct describe_transactions_response {
  static constexpr api_key key = api_key::describe_transactions;
  static constexpr bool is_request = false;
  int32_t throttle_time_ms = 0;
  std::vector<transaction_description> transaction_states;
  friend bool operator==(const describe_transactions_response&,
                         const describe_transactions_response&) = default;
};

// ---- ListTransactions -----------------------------------------------------------------------

struct list_transactions_request {
  static constexpr api_key key = api_key::list_transactions;
  static constexpr bool is_request = true;
  std::vector<std::string> state_filters;
  std::vector<int64_t> producer_id_filters;
  int64_t duration_filter = -1;  // v1+: only transactions running longer than this (ms)
  friend bool operator==(const list_transactions_request&,
                         const list_transactions_request&) = default;
};

struct transaction_listing {
  std::string transactional_id;
  int64_t producer_id = -1;
  std::string transaction_state;
  friend bool operator==(const transaction_listing&, const transaction_listing&) = default;
};

struct list_transactions_response {
  static constexpr api_key key = api_key::list_transactions;
  static constexpr bool is_request = false;
  int32_t throttle_time_ms = 0;
  error_code error = error_code::none;
  std::vector<std::string> unknown_state_filters;
  std::vector<transaction_listing> transaction_states;
  friend bool operator==(const list_transactions_response&,
                         const list_transactions_response&) = default;
};

#define LK_KAFKA_DECLARE_CODEC(name)                                                     \
  result<name##_request> decode_##name##_request(wire_reader& r, int16_t version);        \
  status encode_##name##_request(wire_writer& w, int16_t version, const name##_request& m); \
  result<name##_response> decode_##name##_response(wire_reader& r, int16_t version);      \
  status encode_##name##_response(wire_writer& w, int16_t version, const name##_response& m);
LK_KAFKA_DECLARE_CODEC(add_partitions_to_txn)
LK_KAFKA_DECLARE_CODEC(add_offsets_to_txn)
LK_KAFKA_DECLARE_CODEC(end_txn)
LK_KAFKA_DECLARE_CODEC(txn_offset_commit)
LK_KAFKA_DECLARE_CODEC(describe_producers)
LK_KAFKA_DECLARE_CODEC(describe_transactions)
LK_KAFKA_DECLARE_CODEC(list_transactions)
#undef LK_KAFKA_DECLARE_CODEC

}  // namespace lkstream::kafka

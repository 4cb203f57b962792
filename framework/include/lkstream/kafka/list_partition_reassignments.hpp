#pragma once
// ListPartitionReassignments (key 46), version 0 (flexible). Java Admin
// listPartitionReassignments (kafka-reassign-partitions.sh --list, web consoles). A single node
// never reassigns, so the answer is always empty.
//
//   request  timeout_ms, topics (nullable = all) [name, partition_indexes [int32]]
//   response throttle_time_ms, error, error_message (nullable), topics [name, partitions
//            [partition_index, replicas, adding_replicas, removing_replicas]]

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "lkstream/base/result.hpp"
#include "lkstream/base/types.hpp"
#include "lkstream/kafka/api_key.hpp"
#include "lkstream/kafka/error_code.hpp"
#include "lkstream/kafka/wire_reader.hpp"
#include "lkstream/kafka/wire_writer.hpp"

namespace lkstream::kafka {


struct list_partition_reassignments_topic {
  std::string name;
  std::vector<int32_t> partition_indexes;

  friend bool operator==(const list_partition_reassignments_topic&,
                         const list_partition_reassignments_topic&) = default;
};

struct list_partition_reassignments_request {
  static constexpr api_key key = api_key::list_partition_reassignments;
  static constexpr bool is_request = true;

  int32_t timeout_ms = 60000;
  std::optional<std::vector<list_partition_reassignments_topic>> topics;

  friend bool operator==(const list_partition_reassignments_request&,
                         const list_partition_reassignments_request&) = default;
};

struct ongoing_partition_reassignment {
  int32_t partition_index = 0;
  std::vector<int32_t> replicas;
  std::vector<int32_t> adding_replicas;
  std::vector<int32_t> removing_replicas;

  friend bool operator==(const ongoing_partition_reassignment&,
                         const ongoing_partition_reassignment&) = default;
};

struct ongoing_topic_reassignment {
  std::string name;
  std::vector<ongoing_partition_reassignment> partitions;

  friend bool operator==(const ongoing_topic_reassignment&,
                         const ongoing_topic_reassignment&) = default;
};

struct list_partition_reassignments_response {
  static constexpr api_key key = api_key::list_partition_reassignments;
  static constexpr bool is_request = false;

  int32_t throttle_time_ms = 0;
  error_code error = error_code::none;
  std::optional<std::string> error_message;
  std::vector<ongoing_topic_reassignment> topics;

  friend bool operator==(const list_partition_reassignments_response&,
                         const list_partition_reassignments_response&) = default;
};

result<list_partition_reassignments_request> decode_list_partition_reassignments_request(wire_reader& r, int16_t version);
status encode_list_partition_reassignments_request(wire_writer& w, int16_t version, const list_partition_reassignments_request& m);
result<list_partition_reassignments_response> decode_list_partition_reassignments_response(wire_reader& r, int16_t version);
status encode_list_partition_reassignments_response(wire_writer& w, int16_t version, const list_partition_reassignments_response& m);

}  // namespace lkstream::kafka

#pragma once
// OffsetCommit (key 8), versions 2-7 (flexible from 8, not served).
//
//   request  group_id, generation_id, member_id, group_instance_id (v7+),
//            retention_time_ms (v2-4; ignored by brokers since Kafka 2.1),
//            topics [name, partitions [index, committed_offset, committed_leader_epoch (v6+),
//                                     committed_metadata (nullable)]]
//   response throttle_time_ms (v3+), topics [name, partitions [index, error]]
//
// generation_id < 0 with an empty member_id is a "simple" commit (kcat, assign() consumers).

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

struct offset_commit_partition {
  int32_t partition_index = 0;
  int64_t committed_offset = 0;
  int32_t committed_leader_epoch = -1;  // v6+
  std::optional<std::string> committed_metadata;

  friend bool operator==(const offset_commit_partition&, const offset_commit_partition&) = default;
};

struct offset_commit_topic {
  std::string name;
  std::vector<offset_commit_partition> partitions;

  friend bool operator==(const offset_commit_topic&, const offset_commit_topic&) = default;
};

struct offset_commit_request {
  static constexpr api_key key = api_key::offset_commit;
  static constexpr bool is_request = true;

  std::string group_id;
  int32_t generation_id = -1;
  std::string member_id;
  std::optional<std::string> group_instance_id;  // v7+
  int64_t retention_time_ms = -1;                // v2-4
  std::vector<offset_commit_topic> topics;

  friend bool operator==(const offset_commit_request&, const offset_commit_request&) = default;
};

struct offset_commit_partition_response {
  int32_t partition_index = 0;
  error_code error = error_code::none;

  friend bool operator==(const offset_commit_partition_response&,
                         const offset_commit_partition_response&) = default;
};

struct offset_commit_topic_response {
  std::string name;
  std::vector<offset_commit_partition_response> partitions;

  friend bool operator==(const offset_commit_topic_response&,
                         const offset_commit_topic_response&) = default;
};

struct offset_commit_response {
  static constexpr api_key key = api_key::offset_commit;
  static constexpr bool is_request = false;

  int32_t throttle_time_ms = 0;  // v3+
  std::vector<offset_commit_topic_response> topics;

  friend bool operator==(const offset_commit_response&, const offset_commit_response&) = default;
};

result<offset_commit_request> decode_offset_commit_request(wire_reader& r, int16_t version);
status encode_offset_commit_request(wire_writer& w, int16_t version,
                                    const offset_commit_request& m);
result<offset_commit_response> decode_offset_commit_response(wire_reader& r, int16_t version);
status encode_offset_commit_response(wire_writer& w, int16_t version,
                                     const offset_commit_response& m);

}  // namespace lkstream::kafka

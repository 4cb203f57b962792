#pragma once
// Kafka's "consumer" embedded protocol: the opaque bytes consumers put into JoinGroup
// (protocols[].metadata = ConsumerProtocolSubscription) and SyncGroup (assignments[].assignment
// = ConsumerProtocolAssignment). The broker never needs them to run a group; the engine's own
// consumers and tests do, and describe_group decodes them for people.
//
// Layout (apache/kafka clients/src/main/resources/common/message/ConsumerProtocol*.json), all
// big-endian and non-flexible: a leading int16 version, then
//   Subscription: topics [int32 n][n x string], user_data nullable bytes,
//                 v1+ owned_partitions [int32 n][n x (string topic, [int32 m][m x int32])],
//                 v2+ generation_id int32, v3+ rack_id nullable string.
//   Assignment:   assigned_partitions [int32 n][n x (string topic, [int32 m][m x int32])],
//                 user_data nullable bytes. (v0..v3 share this layout.)
// string = int16 length + bytes (-1 = null), bytes = int32 length + bytes (-1 = null).
//
// Decoding takes untrusted bytes: every length is bounds-checked against what remains, nothing
// is allocated beyond the input size, and failures come back as errc::invalid_argument naming
// the field and byte position. As Kafka does, a version above the newest known one is decoded
// as the newest (newer versions only append fields) and trailing bytes are ignored.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "lkstream/base/result.hpp"
#include "lkstream/base/types.hpp"

namespace lkstream::group {

/// One topic and some of its partitions (Kafka's ConsumerProtocol TopicPartition).
struct topic_partitions {
  std::string topic;
  std::vector<int32_t> partitions;
  friend bool operator==(const topic_partitions&, const topic_partitions&) = default;
};

struct consumer_subscription {
  static constexpr int16_t max_version = 3;
  int16_t version = 1;                          // version written by encode()
  std::vector<std::string> topics;
  std::optional<bytes> user_data;               // null unless the assignor uses it
  std::vector<topic_partitions> owned_partitions;  // v1+ (cooperative rebalancing)
  int32_t generation_id = -1;                   // v2+
  std::optional<std::string> rack_id;           // v3+
  friend bool operator==(const consumer_subscription&, const consumer_subscription&) = default;
};

struct consumer_assignment {
  static constexpr int16_t max_version = 3;
  int16_t version = 1;
  std::vector<topic_partitions> assigned_partitions;
  std::optional<bytes> user_data;
  friend bool operator==(const consumer_assignment&, const consumer_assignment&) = default;
};

/// Encodes at s.version (clamped to [0, max_version]); fields newer than that are left out.
bytes encode_subscription(const consumer_subscription& s);
bytes encode_assignment(const consumer_assignment& a);

/// Decodes JoinGroup member metadata. The returned version is the one on the wire.
result<consumer_subscription> decode_subscription(bytes_view data);

/// Decodes SyncGroup assignment bytes. Zero-length input is an empty assignment (version 0):
/// that is what the coordinator hands to members the leader left out.
result<consumer_assignment> decode_assignment(bytes_view data);

/// Groups a flat partition list into per-topic entries (topics in first-seen order).
std::vector<topic_partitions> group_by_topic(const std::vector<topic_partition>& tps);

/// The inverse of group_by_topic.
std::vector<topic_partition> flatten(const std::vector<topic_partitions>& tps);

}  // namespace lkstream::group

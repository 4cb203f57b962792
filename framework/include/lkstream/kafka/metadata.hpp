#pragma once
// Metadata (key 3), versions 0-8 (flexible from 9, not served).
//
//   request  topics [name] (null = all topics, v1+), allow_auto_topic_creation (v4+),
//            include_cluster_authorized_operations (v8), include_topic_authorized_operations (v8+)
//   response throttle_time_ms (v3+), brokers [node_id, host, port, rack (v1+)],
//            cluster_id (v2+), controller_id (v1+),
//            topics [error, name, is_internal (v1+),
//                    partitions [error, index, leader, leader_epoch (v7+), replicas, isr,
//                                offline_replicas (v5+)],
//                    topic_authorized_operations (v8+)],
//            cluster_authorized_operations (v8+)
//
// "All topics" is spelled [] in v0 and null in v1+. The codec normalises this: a decoded
// request has topics == nullopt whenever the client asked for all topics, in every version;
// encoding nullopt at v0 writes []. An empty list at v0 cannot be encoded (v0 has no way to
// ask for no topics).

#include <climits>
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

/// The leader epoch of every partition: a single node is always the leader, and its epoch
/// never moves past the first (Kafka's first leader epoch is 0 too).
inline constexpr int32_t partition_leader_epoch = 0;

/// "Authorized operations not requested / not known" (Kafka's INT32_MIN default).
inline constexpr int32_t authorized_operations_unknown = INT32_MIN;

/// The authorized operations a client is told when it asks for them (KIP-430): bit n set for
/// Kafka's AclOperation code n. Without ACLs every operation is allowed, so these are all the
/// operations that apply to the resource, exactly as Kafka answers without an authorizer:
/// READ (3), WRITE (4), CREATE (5), DELETE (6), ALTER (7), DESCRIBE (8), CLUSTER_ACTION (9),
/// DESCRIBE_CONFIGS (10), ALTER_CONFIGS (11), IDEMPOTENT_WRITE (12).
inline constexpr int32_t acl_bit(int code) { return int32_t{1} << code; }
inline constexpr int32_t cluster_operations_all = acl_bit(5) | acl_bit(7) | acl_bit(8) |
                                                  acl_bit(9) | acl_bit(10) | acl_bit(11) |
                                                  acl_bit(12);
inline constexpr int32_t topic_operations_all = acl_bit(3) | acl_bit(4) | acl_bit(5) |
                                                acl_bit(6) | acl_bit(7) | acl_bit(8) |
                                                acl_bit(10) | acl_bit(11);
inline constexpr int32_t group_operations_all = acl_bit(3) | acl_bit(6) | acl_bit(8) |
                                                acl_bit(10) | acl_bit(11);

struct metadata_request_topic {
  std::string name;
  friend bool operator==(const metadata_request_topic&, const metadata_request_topic&) = default;
};

struct metadata_request {
  static constexpr api_key key = api_key::metadata;
  static constexpr bool is_request = true;

  std::optional<std::vector<metadata_request_topic>> topics;  // nullopt = all topics
  bool allow_auto_topic_creation = true;                      // v4+ (earlier: implied true)
  bool include_cluster_authorized_operations = false;         // v8
  bool include_topic_authorized_operations = false;           // v8+

  friend bool operator==(const metadata_request&, const metadata_request&) = default;
};

struct metadata_broker {
  int32_t node_id = 0;
  std::string host;
  int32_t port = 0;
  std::optional<std::string> rack;  // v1+

  friend bool operator==(const metadata_broker&, const metadata_broker&) = default;
};

struct metadata_partition {
  error_code error = error_code::none;
  int32_t partition_index = 0;
  int32_t leader_id = -1;
  int32_t leader_epoch = -1;  // v7+
  std::vector<int32_t> replica_nodes;
  std::vector<int32_t> isr_nodes;
  std::vector<int32_t> offline_replicas;  // v5+

  friend bool operator==(const metadata_partition&, const metadata_partition&) = default;
};

struct metadata_topic {
  error_code error = error_code::none;
  std::string name;
  bool is_internal = false;  // v1+
  std::vector<metadata_partition> partitions;
  int32_t topic_authorized_operations = authorized_operations_unknown;  // v8+

  friend bool operator==(const metadata_topic&, const metadata_topic&) = default;
};

struct metadata_response {
  static constexpr api_key key = api_key::metadata;
  static constexpr bool is_request = false;

  int32_t throttle_time_ms = 0;  // v3+
  std::vector<metadata_broker> brokers;
  std::optional<std::string> cluster_id;  // v2+
  int32_t controller_id = -1;             // v1+
  std::vector<metadata_topic> topics;
  int32_t cluster_authorized_operations = authorized_operations_unknown;  // v8+

  friend bool operator==(const metadata_response&, const metadata_response&) = default;
};

result<metadata_request> decode_metadata_request(wire_reader& r, int16_t version);
status encode_metadata_request(wire_writer& w, int16_t version, const metadata_request& m);
result<metadata_response> decode_metadata_response(wire_reader& r, int16_t version);
status encode_metadata_response(wire_writer& w, int16_t version, const metadata_response& m);

}  // namespace lkstream::kafka

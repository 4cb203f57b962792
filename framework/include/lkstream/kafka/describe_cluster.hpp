#pragma once
// DescribeCluster (key 60), versions 0-2 (flexible from 0). Java Admin describeCluster
// (kafka-cluster.sh, most web consoles), librdkafka rd_kafka_DescribeCluster.
//
//   request  include_cluster_authorized_operations, endpoint_type (v1+, 1 brokers),
//            include_fenced_brokers (v2+)
//   response throttle_time_ms, error, error_message (nullable), endpoint_type (v1+),
//            cluster_id, controller_id, brokers [broker_id, host, port, rack (nullable),
//            is_fenced (v2+)], cluster_authorized_operations

#include <cstdint>
#include <climits>
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


inline constexpr int8_t endpoint_type_brokers = 1;
inline constexpr int8_t endpoint_type_controllers = 2;
/// cluster_authorized_operations when not asked for (Kafka: Integer.MIN_VALUE).
inline constexpr int32_t authorized_operations_omitted = INT32_MIN;

struct describe_cluster_request {
  static constexpr api_key key = api_key::describe_cluster;
  static constexpr bool is_request = true;

  bool include_cluster_authorized_operations = false;
  int8_t endpoint_type = endpoint_type_brokers;  // v1+
  bool include_fenced_brokers = false;           // v2+

  friend bool operator==(const describe_cluster_request&,
                         const describe_cluster_request&) = default;
};

struct describe_cluster_broker {
  int32_t broker_id = 0;
  std::string host;
  int32_t port = 0;
  std::optional<std::string> rack;
  bool is_fenced = false;  // v2+

  friend bool operator==(const describe_cluster_broker&,
                         const describe_cluster_broker&) = default;
};

struct describe_cluster_response {
  static constexpr api_key key = api_key::describe_cluster;
  static constexpr bool is_request = false;

  int32_t throttle_time_ms = 0;
  error_code error = error_code::none;
  std::optional<std::string> error_message;
  int8_t endpoint_type = endpoint_type_brokers;  // v1+
  std::string cluster_id;
  int32_t controller_id = -1;
  std::vector<describe_cluster_broker> brokers;
  int32_t cluster_authorized_operations = authorized_operations_omitted;

  friend bool operator==(const describe_cluster_response&,
                         const describe_cluster_response&) = default;
};

result<describe_cluster_request> decode_describe_cluster_request(wire_reader& r, int16_t version);
status encode_describe_cluster_request(wire_writer& w, int16_t version, const describe_cluster_request& m);
result<describe_cluster_response> decode_describe_cluster_response(wire_reader& r, int16_t version);
status encode_describe_cluster_response(wire_writer& w, int16_t version, const describe_cluster_response& m);

}  // namespace lkstream::kafka

#pragma once
// DescribeLogDirs (key 35), versions 1-5 (flexible from 2; v0 removed in Kafka 4.0). Java Admin
// describeLogDirs / describeReplicaLogDirs (kafka-log-dirs.sh), web consoles' disk usage.
//
//   request  topics (nullable = all) [topic, partitions [int32]]
//   response throttle_time_ms, error (v3+), results [error, log_dir, topics [name,
//            partitions [partition_index, partition_size, offset_lag, is_future_key]],
//            total_bytes (v4+), usable_bytes (v4+), is_cordoned (v5+)]

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


struct describe_log_dirs_topic {
  std::string topic;
  std::vector<int32_t> partitions;

  friend bool operator==(const describe_log_dirs_topic&,
                         const describe_log_dirs_topic&) = default;
};

struct describe_log_dirs_request {
  static constexpr api_key key = api_key::describe_log_dirs;
  static constexpr bool is_request = true;

  std::optional<std::vector<describe_log_dirs_topic>> topics;  // nullopt: every partition

  friend bool operator==(const describe_log_dirs_request&,
                         const describe_log_dirs_request&) = default;
};

struct describe_log_dirs_partition {
  int32_t partition_index = 0;
  int64_t partition_size = 0;
  int64_t offset_lag = 0;
  bool is_future_key = false;

  friend bool operator==(const describe_log_dirs_partition&,
                         const describe_log_dirs_partition&) = default;
};

struct describe_log_dirs_result_topic {
  std::string name;
  std::vector<describe_log_dirs_partition> partitions;

  friend bool operator==(const describe_log_dirs_result_topic&,
                         const describe_log_dirs_result_topic&) = default;
};

struct describe_log_dirs_result {
  error_code error = error_code::none;
  std::string log_dir;
  std::vector<describe_log_dirs_result_topic> topics;
  int64_t total_bytes = -1;   // v4+
  int64_t usable_bytes = -1;  // v4+
  bool is_cordoned = false;   // v5+

  friend bool operator==(const describe_log_dirs_result&,
                         const describe_log_dirs_result&) = default;
};

struct describe_log_dirs_response {
  static constexpr api_key key = api_key::describe_log_dirs;
  static constexpr bool is_request = false;

  int32_t throttle_time_ms = 0;
  error_code error = error_code::none;  // v3+
  std::vector<describe_log_dirs_result> results;

  friend bool operator==(const describe_log_dirs_response&,
                         const describe_log_dirs_response&) = default;
};

result<describe_log_dirs_request> decode_describe_log_dirs_request(wire_reader& r, int16_t version);
status encode_describe_log_dirs_request(wire_writer& w, int16_t version, const describe_log_dirs_request& m);
result<describe_log_dirs_response> decode_describe_log_dirs_response(wire_reader& r, int16_t version);
status encode_describe_log_dirs_response(wire_writer& w, int16_t version, const describe_log_dirs_response& m);

}  // namespace lkstream::kafka

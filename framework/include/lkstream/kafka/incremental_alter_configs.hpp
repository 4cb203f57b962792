#pragma once
// IncrementalAlterConfigs (key 44), versions 0-1 (flexible from 1). Java Admin
// incrementalAlterConfigs (kafka-configs.sh --alter), librdkafka rd_kafka_IncrementalAlterConfigs.
//
//   request  resources [resource_type int8, resource_name, configs [name, config_operation
//            int8 (0 set, 1 delete, 2 append, 3 subtract), value (nullable)]], validate_only
//   response throttle_time_ms, responses [error, error_message, resource_type, resource_name]

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "lkstream/base/result.hpp"
#include "lkstream/base/types.hpp"
#include "lkstream/kafka/alter_configs.hpp"
#include "lkstream/kafka/api_key.hpp"
#include "lkstream/kafka/error_code.hpp"
#include "lkstream/kafka/wire_reader.hpp"
#include "lkstream/kafka/wire_writer.hpp"

namespace lkstream::kafka {


inline constexpr int8_t config_op_set = 0;
inline constexpr int8_t config_op_delete = 1;
inline constexpr int8_t config_op_append = 2;
inline constexpr int8_t config_op_subtract = 3;

struct incremental_alter_configs_entry {
  std::string name;
  int8_t config_operation = config_op_set;
  std::optional<std::string> value;

  friend bool operator==(const incremental_alter_configs_entry&,
                         const incremental_alter_configs_entry&) = default;
};

struct incremental_alter_configs_resource {
  int8_t resource_type = 0;
  std::string resource_name;
  std::vector<incremental_alter_configs_entry> configs;

  friend bool operator==(const incremental_alter_configs_resource&,
                         const incremental_alter_configs_resource&) = default;
};

struct incremental_alter_configs_request {
  static constexpr api_key key = api_key::incremental_alter_configs;
  static constexpr bool is_request = true;

  std::vector<incremental_alter_configs_resource> resources;
  bool validate_only = false;

  friend bool operator==(const incremental_alter_configs_request&,
                         const incremental_alter_configs_request&) = default;
};

struct incremental_alter_configs_response {
  static constexpr api_key key = api_key::incremental_alter_configs;
  static constexpr bool is_request = false;

  int32_t throttle_time_ms = 0;
  std::vector<alter_configs_resource_response> responses;

  friend bool operator==(const incremental_alter_configs_response&,
                         const incremental_alter_configs_response&) = default;
};

result<incremental_alter_configs_request> decode_incremental_alter_configs_request(wire_reader& r, int16_t version);
status encode_incremental_alter_configs_request(wire_writer& w, int16_t version, const incremental_alter_configs_request& m);
result<incremental_alter_configs_response> decode_incremental_alter_configs_response(wire_reader& r, int16_t version);
status encode_incremental_alter_configs_response(wire_writer& w, int16_t version, const incremental_alter_configs_response& m);

}  // namespace lkstream::kafka

#pragma once
// DescribeConfigs (key 32), versions 0-2 (flexible from 4, documentation fields from 3: not
// served). Java Admin describeConfigs, kafka-python admin.
//
//   request  resources [resource_type int8, resource_name, configuration_keys (nullable =
//            all)], include_synonyms (v1+)
//   response throttle_time_ms,
//            results [error, error_message, resource_type, resource_name,
//                     configs [name, value (nullable), read_only, is_default (v0 only),
//                              config_source (v1+), is_sensitive,
//                              synonyms [name, value, source] (v1+)]]

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

/// Resource types (Kafka ConfigResource.Type).
inline constexpr int8_t config_resource_topic = 2;
inline constexpr int8_t config_resource_broker = 4;
inline constexpr int8_t config_resource_broker_logger = 8;

/// Config sources (v1+): 1 topic config, 4 static broker config, 5 default, -1 unknown.
inline constexpr int8_t config_source_unknown = -1;
inline constexpr int8_t config_source_topic = 1;
inline constexpr int8_t config_source_static_broker = 4;
inline constexpr int8_t config_source_default = 5;

struct describe_configs_resource {
  int8_t resource_type = config_resource_topic;
  std::string resource_name;
  std::optional<std::vector<std::string>> configuration_keys;  // nullopt = all

  friend bool operator==(const describe_configs_resource&,
                         const describe_configs_resource&) = default;
};

struct describe_configs_request {
  static constexpr api_key key = api_key::describe_configs;
  static constexpr bool is_request = true;

  std::vector<describe_configs_resource> resources;
  bool include_synonyms = false;  // v1+

  friend bool operator==(const describe_configs_request&,
                         const describe_configs_request&) = default;
};

struct describe_configs_synonym {
  std::string name;
  std::optional<std::string> value;
  int8_t source = config_source_unknown;

  friend bool operator==(const describe_configs_synonym&,
                         const describe_configs_synonym&) = default;
};

struct describe_configs_entry {
  std::string name;
  std::optional<std::string> value;
  bool read_only = false;
  bool is_default = false;                      // v0 only (v1+: config_source == default)
  int8_t config_source = config_source_unknown;  // v1+
  bool is_sensitive = false;
  std::vector<describe_configs_synonym> synonyms;  // v1+

  friend bool operator==(const describe_configs_entry&, const describe_configs_entry&) = default;
};

struct describe_configs_result {
  error_code error = error_code::none;
  std::optional<std::string> error_message;
  int8_t resource_type = config_resource_topic;
  std::string resource_name;
  std::vector<describe_configs_entry> configs;

  friend bool operator==(const describe_configs_result&,
                         const describe_configs_result&) = default;
};

struct describe_configs_response {
  static constexpr api_key key = api_key::describe_configs;
  static constexpr bool is_request = false;

  int32_t throttle_time_ms = 0;
  std::vector<describe_configs_result> results;

  friend bool operator==(const describe_configs_response&,
                         const describe_configs_response&) = default;
};

result<describe_configs_request> decode_describe_configs_request(wire_reader& r, int16_t version);
status encode_describe_configs_request(wire_writer& w, int16_t version,
                                       const describe_configs_request& m);
result<describe_configs_response> decode_describe_configs_response(wire_reader& r,
                                                                   int16_t version);
status encode_describe_configs_response(wire_writer& w, int16_t version,
                                        const describe_configs_response& m);

}  // namespace lkstream::kafka

#pragma once
// AlterConfigs (key 33), versions 0-2 (flexible from 2). The legacy, non-incremental form:
// the configs sent replace every config set on the resource (those left out return to their
// defaults). Java Admin (deprecated alterConfigs), librdkafka rd_kafka_AlterConfigs.
//
//   request  resources [resource_type int8, resource_name, configs [name, value (nullable)]],
//            validate_only
//   response throttle_time_ms, responses [error, error_message (nullable), resource_type,
//            resource_name]

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


struct alter_configs_entry {
  std::string name;
  std::optional<std::string> value;

  friend bool operator==(const alter_configs_entry&, const alter_configs_entry&) = default;
};

struct alter_configs_resource {
  int8_t resource_type = 0;
  std::string resource_name;
  std::vector<alter_configs_entry> configs;

  friend bool operator==(const alter_configs_resource&, const alter_configs_resource&) = default;
};

struct alter_configs_request {
  static constexpr api_key key = api_key::alter_configs;
  static constexpr bool is_request = true;

  std::vector<alter_configs_resource> resources;
  bool validate_only = false;

  friend bool operator==(const alter_configs_request&, const alter_configs_request&) = default;
};

/// One resource's outcome; IncrementalAlterConfigs answers with the same shape.
struct alter_configs_resource_response {
  error_code error = error_code::none;
  std::optional<std::string> error_message;
  int8_t resource_type = 0;
  std::string resource_name;

  friend bool operator==(const alter_configs_resource_response&,
                         const alter_configs_resource_response&) = default;
};

struct alter_configs_response {
  static constexpr api_key key = api_key::alter_configs;
  static constexpr bool is_request = false;

  int32_t throttle_time_ms = 0;
  std::vector<alter_configs_resource_response> responses;

  friend bool operator==(const alter_configs_response&, const alter_configs_response&) = default;
};

result<alter_configs_request> decode_alter_configs_request(wire_reader& r, int16_t version);
status encode_alter_configs_request(wire_writer& w, int16_t version, const alter_configs_request& m);
result<alter_configs_response> decode_alter_configs_response(wire_reader& r, int16_t version);
status encode_alter_configs_response(wire_writer& w, int16_t version, const alter_configs_response& m);

}  // namespace lkstream::kafka

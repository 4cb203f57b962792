#pragma once
// CreateAcls (key 30), versions 1-3 (flexible from 2). Java Admin createAcls. Without an
// authorizer every creation is answered SECURITY_DISABLED, as Kafka does.
//
//   request  creations [resource_type, resource_name, resource_pattern_type, principal, host,
//            operation, permission_type]
//   response throttle_time_ms, results [error, error_message (nullable)]

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


struct acl_creation {
  int8_t resource_type = 0;
  std::string resource_name;
  int8_t resource_pattern_type = 3;
  std::string principal;
  std::string host;
  int8_t operation = 0;
  int8_t permission_type = 0;

  friend bool operator==(const acl_creation&, const acl_creation&) = default;
};

struct create_acls_request {
  static constexpr api_key key = api_key::create_acls;
  static constexpr bool is_request = true;

  std::vector<acl_creation> creations;

  friend bool operator==(const create_acls_request&, const create_acls_request&) = default;
};

struct acl_result {
  error_code error = error_code::none;
  std::optional<std::string> error_message;

  friend bool operator==(const acl_result&, const acl_result&) = default;
};

struct create_acls_response {
  static constexpr api_key key = api_key::create_acls;
  static constexpr bool is_request = false;

  int32_t throttle_time_ms = 0;
  std::vector<acl_result> results;

  friend bool operator==(const create_acls_response&, const create_acls_response&) = default;
};

result<create_acls_request> decode_create_acls_request(wire_reader& r, int16_t version);
status encode_create_acls_request(wire_writer& w, int16_t version, const create_acls_request& m);
result<create_acls_response> decode_create_acls_response(wire_reader& r, int16_t version);
status encode_create_acls_response(wire_writer& w, int16_t version, const create_acls_response& m);

}  // namespace lkstream::kafka

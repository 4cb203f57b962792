#pragma once
// DescribeAcls (key 29), versions 1-3 (flexible from 2; v0 removed in Kafka 4.0). Java Admin
// describeAcls (kafka-acls.sh --list, web consoles). Without an authorizer (LKSTREAM has none
// yet) Kafka answers SECURITY_DISABLED, and so does LKSTREAM.
//
//   request  resource_type_filter int8, resource_name_filter (nullable), pattern_type_filter,
//            principal_filter (nullable), host_filter (nullable), operation, permission_type
//   response throttle_time_ms, error, error_message (nullable), resources [resource_type,
//            resource_name, pattern_type, acls [principal, host, operation, permission_type]]

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


/// An ACL filter (DescribeAcls, DeleteAcls) and an ACL binding (CreateAcls) share these fields.
struct acl_filter {
  int8_t resource_type = 1;  // 1 ANY
  std::optional<std::string> resource_name;
  int8_t pattern_type = 3;  // 3 LITERAL
  std::optional<std::string> principal;
  std::optional<std::string> host;
  int8_t operation = 1;        // 1 ANY
  int8_t permission_type = 1;  // 1 ANY

  friend bool operator==(const acl_filter&, const acl_filter&) = default;
};

struct describe_acls_request {
  static constexpr api_key key = api_key::describe_acls;
  static constexpr bool is_request = true;

  acl_filter filter;

  friend bool operator==(const describe_acls_request&, const describe_acls_request&) = default;
};

struct acl_description {
  std::string principal;
  std::string host;
  int8_t operation = 0;
  int8_t permission_type = 0;

  friend bool operator==(const acl_description&, const acl_description&) = default;
};

struct describe_acls_resource {
  int8_t resource_type = 0;
  std::string resource_name;
  int8_t pattern_type = 3;
  std::vector<acl_description> acls;

  friend bool operator==(const describe_acls_resource&, const describe_acls_resource&) = default;
};

struct describe_acls_response {
  static constexpr api_key key = api_key::describe_acls;
  static constexpr bool is_request = false;

  int32_t throttle_time_ms = 0;
  error_code error = error_code::none;
  std::optional<std::string> error_message;
  std::vector<describe_acls_resource> resources;

  friend bool operator==(const describe_acls_response&, const describe_acls_response&) = default;
};

result<describe_acls_request> decode_describe_acls_request(wire_reader& r, int16_t version);
status encode_describe_acls_request(wire_writer& w, int16_t version, const describe_acls_request& m);
result<describe_acls_response> decode_describe_acls_response(wire_reader& r, int16_t version);
status encode_describe_acls_response(wire_writer& w, int16_t version, const describe_acls_response& m);

}  // namespace lkstream::kafka

#pragma once
// DeleteAcls (key 31), versions 1-3 (flexible from 2). Java Admin deleteAcls. Without an
// authorizer every filter is answered SECURITY_DISABLED, as Kafka does.
//
//   request  filters [acl_filter (describe_acls.hpp)]
//   response throttle_time_ms, filter_results [error, error_message, matching_acls [error,
//            error_message, resource_type, resource_name, pattern_type, principal, host,
//            operation, permission_type]]

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "lkstream/base/result.hpp"
#include "lkstream/base/types.hpp"
#include "lkstream/kafka/api_key.hpp"
#include "lkstream/kafka/describe_acls.hpp"
#include "lkstream/kafka/error_code.hpp"
#include "lkstream/kafka/wire_reader.hpp"
#include "lkstream/kafka/wire_writer.hpp"

namespace lkstream::kafka {


struct delete_acls_request {
  static constexpr api_key key = api_key::delete_acls;
  static constexpr bool is_request = true;

  std::vector<acl_filter> filters;

  friend bool operator==(const delete_acls_request&, const delete_acls_request&) = default;
};

struct delete_acls_matching_acl {
  error_code error = error_code::none;
  std::optional<std::string> error_message;
  int8_t resource_type = 0;
  std::string resource_name;
  int8_t pattern_type = 3;
  std::string principal;
  std::string host;
  int8_t operation = 0;
  int8_t permission_type = 0;

  friend bool operator==(const delete_acls_matching_acl&,
                         const delete_acls_matching_acl&) = default;
};

struct delete_acls_filter_result {
  error_code error = error_code::none;
  std::optional<std::string> error_message;
  std::vector<delete_acls_matching_acl> matching_acls;

  friend bool operator==(const delete_acls_filter_result&,
                         const delete_acls_filter_result&) = default;
};

struct delete_acls_response {
  static constexpr api_key key = api_key::delete_acls;
  static constexpr bool is_request = false;

  int32_t throttle_time_ms = 0;
  std::vector<delete_acls_filter_result> filter_results;

  friend bool operator==(const delete_acls_response&, const delete_acls_response&) = default;
};

result<delete_acls_request> decode_delete_acls_request(wire_reader& r, int16_t version);
status encode_delete_acls_request(wire_writer& w, int16_t version, const delete_acls_request& m);
result<delete_acls_response> decode_delete_acls_response(wire_reader& r, int16_t version);
status encode_delete_acls_response(wire_writer& w, int16_t version, const delete_acls_response& m);

}  // namespace lkstream::kafka

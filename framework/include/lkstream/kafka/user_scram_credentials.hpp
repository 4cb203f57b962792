#pragma once
// DescribeUserScramCredentials (key 50) and AlterUserScramCredentials (key 51), KIP-554;
// version 0 only, flexible. The mechanism is Kafka's type byte (1 SCRAM-SHA-256,
// 2 SCRAM-SHA-512); an upsertion carries the client-derived SaltedPassword, never a password.
//
//   Describe  request  users (nullable) [name]       null or empty = every user
//             response throttle_time_ms, error_code, error_message (nullable),
//                      results [user, error_code, error_message (nullable),
//                               credential_infos [mechanism int8, iterations int32]]
//   Alter     request  deletions [name, mechanism], upsertions [name, mechanism, iterations,
//                      salt, salted_password]
//             response throttle_time_ms, results [user, error_code, error_message (nullable)]

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

struct describe_user_scram_credentials_request {
  static constexpr api_key key = api_key::describe_user_scram_credentials;
  static constexpr bool is_request = true;
  std::optional<std::vector<std::string>> users;
  friend bool operator==(const describe_user_scram_credentials_request&,
                         const describe_user_scram_credentials_request&) = default;
};

struct scram_credential_info {
  int8_t mechanism = 0;
  int32_t iterations = 0;
  friend bool operator==(const scram_credential_info&, const scram_credential_info&) = default;
};

struct describe_user_scram_credentials_result {
  std::string user;
  error_code error = error_code::none;
  std::optional<std::string> error_message;
  std::vector<scram_credential_info> credential_infos;
  friend bool operator==(const describe_user_scram_credentials_result&,
                         const describe_user_scram_credentials_result&) = default;
};

struct describe_user_scram_credentials_response {
  static constexpr api_key key = api_key::describe_user_scram_credentials;
  static constexpr bool is_request = false;
  int32_t throttle_time_ms = 0;
  error_code error = error_code::none;
  std::optional<std::string> error_message;
  std::vector<describe_user_scram_credentials_result> results;
  friend bool operator==(const describe_user_scram_credentials_response&,
                         const describe_user_scram_credentials_response&) = default;
};

struct scram_credential_deletion {
  std::string name;
  int8_t mechanism = 0;
  friend bool operator==(const scram_credential_deletion&, const scram_credential_deletion&) = default;
};

struct scram_credential_upsertion {
  std::string name;
  int8_t mechanism = 0;
  int32_t iterations = 0;
  lkstream::bytes salt;
  lkstream::bytes salted_password;
  friend bool operator==(const scram_credential_upsertion&, const scram_credential_upsertion&) = default;
};

struct alter_user_scram_credentials_request {
  static constexpr api_key key = api_key::alter_user_scram_credentials;
  static constexpr bool is_request = true;
  std::vector<scram_credential_deletion> deletions;
  std::vector<scram_credential_upsertion> upsertions;
  friend bool operator==(const alter_user_scram_credentials_request&,
                         const alter_user_scram_credentials_request&) = default;
};

struct alter_user_scram_credentials_result {
  std::string user;
  error_code error = error_code::none;
  std::optional<std::string> error_message;
  friend bool operator==(const alter_user_scram_credentials_result&,
                         const alter_user_scram_credentials_result&) = default;
};

struct alter_user_scram_credentials_response {
  static constexpr api_key key = api_key::alter_user_scram_credentials;
  static constexpr bool is_request = false;
  int32_t throttle_time_ms = 0;
  std::vector<alter_user_scram_credentials_result> results;
  friend bool operator==(const alter_user_scram_credentials_response&,
                         const alter_user_scram_credentials_response&) = default;
};

result<describe_user_scram_credentials_request> decode_describe_user_scram_credentials_request(wire_reader& r, int16_t version);
status encode_describe_user_scram_credentials_request(wire_writer& w, int16_t version, const describe_user_scram_credentials_request& m);
result<describe_user_scram_credentials_response> decode_describe_user_scram_credentials_response(wire_reader& r, int16_t version);
status encode_describe_user_scram_credentials_response(wire_writer& w, int16_t version, const describe_user_scram_credentials_response& m);

result<alter_user_scram_credentials_request> decode_alter_user_scram_credentials_request(wire_reader& r, int16_t version);
status encode_alter_user_scram_credentials_request(wire_writer& w, int16_t version, const alter_user_scram_credentials_request& m);
result<alter_user_scram_credentials_response> decode_alter_user_scram_credentials_response(wire_reader& r, int16_t version);
status encode_alter_user_scram_credentials_response(wire_writer& w, int16_t version, const alter_user_scram_credentials_response& m);

}  // namespace lkstream::kafka

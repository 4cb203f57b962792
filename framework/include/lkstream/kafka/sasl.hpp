#pragma once
// SaslHandshake (key 17, versions 0-1, never flexible) and SaslAuthenticate (key 36, versions
// 0-2, flexible from 2): KIP-43, KIP-152, KIP-368. Handshake v0 means the SASL tokens that
// follow travel as bare size-prefixed frames; v1 means they travel inside SaslAuthenticate.
//
//   SaslHandshake     request  mechanism
//                     response error_code, mechanisms [string]
//   SaslAuthenticate  request  auth_bytes
//                     response error_code, error_message (nullable), auth_bytes,
//                              session_lifetime_ms (v1+; 0 = no re-authentication needed)

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

struct sasl_handshake_request {
  static constexpr api_key key = api_key::sasl_handshake;
  static constexpr bool is_request = true;
  std::string mechanism;
  friend bool operator==(const sasl_handshake_request&, const sasl_handshake_request&) = default;
};

struct sasl_handshake_response {
  static constexpr api_key key = api_key::sasl_handshake;
  static constexpr bool is_request = false;
  error_code error = error_code::none;
  std::vector<std::string> mechanisms;
  friend bool operator==(const sasl_handshake_response&, const sasl_handshake_response&) = default;
};

struct sasl_authenticate_request {
  static constexpr api_key key = api_key::sasl_authenticate;
  static constexpr bool is_request = true;
  lkstream::bytes auth_bytes;
  friend bool operator==(const sasl_authenticate_request&, const sasl_authenticate_request&) = default;
};

struct sasl_authenticate_response {
  static constexpr api_key key = api_key::sasl_authenticate;
  static constexpr bool is_request = false;
  error_code error = error_code::none;
  std::optional<std::string> error_message;
  lkstream::bytes auth_bytes;
  int64_t session_lifetime_ms = 0;  // v1+
  friend bool operator==(const sasl_authenticate_response&, const sasl_authenticate_response&) = default;
};

result<sasl_handshake_request> decode_sasl_handshake_request(wire_reader& r, int16_t version);
status encode_sasl_handshake_request(wire_writer& w, int16_t version, const sasl_handshake_request& m);
result<sasl_handshake_response> decode_sasl_handshake_response(wire_reader& r, int16_t version);
status encode_sasl_handshake_response(wire_writer& w, int16_t version, const sasl_handshake_response& m);

result<sasl_authenticate_request> decode_sasl_authenticate_request(wire_reader& r, int16_t version);
status encode_sasl_authenticate_request(wire_writer& w, int16_t version, const sasl_authenticate_request& m);
result<sasl_authenticate_response> decode_sasl_authenticate_response(wire_reader& r, int16_t version);
status encode_sasl_authenticate_response(wire_writer& w, int16_t version, const sasl_authenticate_response& m);

}  // namespace lkstream::kafka

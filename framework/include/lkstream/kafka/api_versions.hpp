#pragma once
// ApiVersions (key 18), versions 0-4, flexible from v3. The first request of every connection.
//
//   request  v0-2: empty;  v3+: client_software_name, client_software_version (compact), tags
//   response error_code int16, api_keys [key, min, max], throttle_time_ms (v1+), then in v3+
//            tags 0-3 (supported/finalized features; not written, skipped when read)
//
// The response header is always v0. A request of a version above 4 is answered, without
// parsing its body, with make_unsupported_version_response() encoded at version 0
// (kafka-protocol-notes.md §1.2); decode_request() reports it as unsupported_version.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "lkstream/base/result.hpp"
#include "lkstream/kafka/api_key.hpp"
#include "lkstream/kafka/error_code.hpp"
#include "lkstream/kafka/wire_reader.hpp"
#include "lkstream/kafka/wire_writer.hpp"

namespace lkstream::kafka {

struct api_versions_request {
  static constexpr api_key key = api_key::api_versions;
  static constexpr bool is_request = true;

  std::string client_software_name;     // v3+, e.g. "librdkafka"
  std::string client_software_version;  // v3+, e.g. "2.0.2"

  friend bool operator==(const api_versions_request&, const api_versions_request&) = default;
};

struct api_version_range {
  int16_t key = 0;
  int16_t min_version = 0;
  int16_t max_version = 0;

  friend bool operator==(const api_version_range&, const api_version_range&) = default;
};

struct api_versions_response {
  static constexpr api_key key = api_key::api_versions;
  static constexpr bool is_request = false;

  error_code error = error_code::none;
  std::vector<api_version_range> api_keys;
  int32_t throttle_time_ms = 0;  // v1+

  friend bool operator==(const api_versions_response&, const api_versions_response&) = default;
};

result<api_versions_request> decode_api_versions_request(wire_reader& r, int16_t version);
status encode_api_versions_request(wire_writer& w, int16_t version, const api_versions_request& m);
result<api_versions_response> decode_api_versions_response(wire_reader& r, int16_t version);
status encode_api_versions_response(wire_writer& w, int16_t version,
                                    const api_versions_response& m);

/// This broker's answer: one entry per row of supported_apis (advertised_min..max_version).
api_versions_response make_api_versions_response();

/// The answer to an ApiVersions request of a version not served: UNSUPPORTED_VERSION with only
/// the key-18 range, to be encoded at version 0 (KIP-511; clients retry with a lower version).
api_versions_response make_unsupported_version_response();

/// Whether a v3+ client software name or version matches Kafka's rule
/// [a-zA-Z0-9](?:[a-zA-Z0-9\-.]*[a-zA-Z0-9])? . Kafka answers INVALID_REQUEST otherwise; a
/// broker may also accept anything.
bool is_valid_client_software_field(std::string_view s) noexcept;

}  // namespace lkstream::kafka

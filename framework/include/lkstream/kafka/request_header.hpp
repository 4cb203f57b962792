#pragma once
// Kafka request and response headers (RequestHeader.json / ResponseHeader.json).
//
//   request header v1: int16 api_key, int16 api_version, int32 correlation_id,
//                      nullable string client_id (classic int16 length)
//   request header v2: v1 + tagged fields. client_id stays a classic string even here, so
//                      that any broker can read the header of any ApiVersions request.
//   response header v0: int32 correlation_id;  v1: + tagged fields.
//
// Which version applies is decided by supported_apis.hpp (flexible request -> v2, flexible
// response -> v1, ApiVersions response always v0).

#include <cstdint>
#include <optional>
#include <string>

#include "lkstream/base/result.hpp"
#include "lkstream/base/types.hpp"
#include "lkstream/kafka/api_key.hpp"
#include "lkstream/kafka/wire_reader.hpp"
#include "lkstream/kafka/wire_writer.hpp"

namespace lkstream::kafka {

/// The first 8 bytes of every request header, in every header version. Enough to answer a
/// request whose api or version is not served (correlation id) without parsing anything else.
struct request_prefix {
  int16_t api_key = 0;
  int16_t api_version = 0;
  int32_t correlation_id = 0;
};

struct request_header {
  api_key key = api_key::api_versions;
  int16_t api_version = 0;
  int32_t correlation_id = 0;
  std::optional<std::string> client_id;

  friend bool operator==(const request_header&, const request_header&) = default;
};

/// Reads the 8-byte prefix. Fails only on fewer than 8 bytes.
result<request_prefix> read_request_prefix(wire_reader& r);

/// Reads a whole request header (v1 or v2 as the table says for the key and version). Fails
/// with errc::unsupported when the api key is not served, errc::invalid_argument on bad bytes.
result<request_header> decode_request_header(wire_reader& r);

/// Writes the header in the version the table selects. Fails on a client_id above 32767 bytes.
status encode_request_header(wire_writer& w, const request_header& h);

/// Response header of `header_version` (0 or 1, see response_header_version()).
void encode_response_header(wire_writer& w, int32_t correlation_id, int16_t header_version);
result<int32_t> decode_response_header(wire_reader& r, int16_t header_version);

}  // namespace lkstream::kafka

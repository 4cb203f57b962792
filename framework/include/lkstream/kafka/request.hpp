#pragma once
// Whole request frames.
//
// Server side: decode_request() takes one frame as read from the socket *after* its int32
// size prefix (the listener reads the prefix, enforces its own size cap, then reads exactly
// that many bytes), reads the header and dispatches to the typed decoder of the api key.
// Client side: encode_request() produces a frame including the size prefix.
//
// What the listener does with a request_error (kafka-protocol-notes.md §1.2, §5):
//   truncated_header     fewer than 8 header bytes: close the connection.
//   unknown_api          api key not served: close the connection (Kafka does too; we never
//                        advertise such keys, so well-behaved clients do not send them).
//   unsupported_version  ApiVersions: answer make_unsupported_version_response() encoded at
//                        version 0 with prefix->correlation_id (answer_unsupported_version()
//                        says so). Other APIs: close the connection (Kafka 4 closes on
//                        Produce v0-2, which is advertised but not decoded).
//   malformed            header or body bytes invalid, or bytes left over after the body:
//                        close the connection. `message` names the field and byte position.
//
// Lifetime: a decoded request may view the frame (Produce records); keep the frame alive.

#include <cstdint>
#include <optional>
#include <string>
#include <variant>

#include "lkstream/base/result.hpp"
#include "lkstream/base/types.hpp"
#include "lkstream/kafka/messages.hpp"
#include "lkstream/kafka/request_header.hpp"
#include "lkstream/kafka/wire_writer.hpp"

namespace lkstream::kafka {

struct request {
  request_header header;
  request_body body;
};

enum class request_error_kind : uint8_t {
  truncated_header,
  unknown_api,
  unsupported_version,
  malformed,
};

struct request_error {
  request_error_kind kind = request_error_kind::malformed;
  std::optional<request_prefix> prefix;  // set unless kind == truncated_header
  std::string message;                   // for logs: what failed, at which byte

  /// True when the listener must answer (ApiVersions of an unsupported version) rather than
  /// close the connection.
  bool answer_unsupported_version() const noexcept {
    return kind == request_error_kind::unsupported_version && prefix &&
           prefix->api_key == to_wire(api_key::api_versions);
  }
};

/// Never throws on bad input (only std::bad_alloc); never reads outside `frame`.
std::variant<request, request_error> decode_request(bytes_view frame);

/// Size prefix, header (v1, or v2 for flexible versions), body. Fails if header.key does not
/// match the body's type, if the version is not served, or if a field exceeds a wire limit.
result<wire_writer> encode_request(const request& req);

}  // namespace lkstream::kafka

#pragma once
// Whole response frames.
//
// Server side: encode_response() writes the int32 size prefix, the response header (v0, or
// v1 for flexible versions; ApiVersions always v0) and the body. The result is a wire_writer
// whose segments() go to writev as they are: Fetch record chunks are referenced, not copied.
// The caller moves the response body in (a variant) and keeps the writer until it is sent.
//
// Client side: decode_response() reads a frame (bytes after the size prefix) as the answer to
// a request of `key` and `version`. ApiVersions follows KIP-511: when the error code is
// UNSUPPORTED_VERSION the body is read as v0 whatever version was asked, and the caller
// retries with a version from the returned key-18 range.

#include <cstdint>

#include "lkstream/base/result.hpp"
#include "lkstream/base/types.hpp"
#include "lkstream/kafka/messages.hpp"
#include "lkstream/kafka/wire_writer.hpp"

namespace lkstream::kafka {

struct response {
  int32_t correlation_id = 0;
  response_body body;
};

result<wire_writer> encode_response(int32_t correlation_id, int16_t version,
                                    const response_body& body);

/// Decoded views (Fetch records) point into `frame`: keep it alive while using them.
result<response> decode_response(bytes_view frame, api_key key, int16_t version);

}  // namespace lkstream::kafka

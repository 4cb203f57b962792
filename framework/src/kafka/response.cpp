#include "lkstream/kafka/response.hpp"

#include <limits>

#include "lkstream/kafka/request_header.hpp"
#include "lkstream/kafka/supported_apis.hpp"
#include "lkstream/model/byte_order.hpp"

namespace lkstream::kafka {

result<wire_writer> encode_response(int32_t correlation_id, int16_t version,
                                    const response_body& body) {
  api_key key = key_of(body);
  wire_writer w;
  size_t size_place = w.reserve_int32();
  encode_response_header(w, correlation_id, response_header_version(key, version));
  LK_TRY_STATUS(encode_response_body(w, version, body));
  size_t size = w.size() - 4;
  if (size > static_cast<size_t>(std::numeric_limits<int32_t>::max()))
    return error{errc::invalid_argument, std::string(to_string(key)) + " response of " +
                                             std::to_string(size) +
                                             " bytes exceeds the int32 size prefix"};
  w.patch_int32(size_place, static_cast<int32_t>(size));
  return w;
}

result<response> decode_response(bytes_view frame, api_key key, int16_t version) {
  // KIP-511: an ApiVersions error answer is always in v0 layout. Header v0 is 4 bytes, and
  // error_code is the first body field in every version.
  if (key == api_key::api_versions && frame.size() >= 6 &&
      model::load_be<int16_t>(frame.data() + 4) == to_wire(error_code::unsupported_version))
    version = 0;
  wire_reader r(frame);
  LK_ASSIGN_OR_RETURN(int32_t correlation_id,
                      decode_response_header(r, response_header_version(key, version)));
  LK_ASSIGN_OR_RETURN(response_body body, decode_response_body(key, r, version));
  if (!r.at_end())
    return r.fail(std::string(to_string(key)) + " v" + std::to_string(version) + " response: " +
                  std::to_string(r.remaining()) + " bytes left after the body");
  return response{correlation_id, std::move(body)};
}

}  // namespace lkstream::kafka

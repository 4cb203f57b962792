#include "lkstream/kafka/request.hpp"

#include <limits>

#include "lkstream/kafka/supported_apis.hpp"

namespace lkstream::kafka {

namespace {

request_error make_error(request_error_kind kind, std::optional<request_prefix> prefix,
                         std::string message) {
  return request_error{kind, prefix, std::move(message)};
}

}  // namespace

std::variant<request, request_error> decode_request(bytes_view frame) {
  wire_reader r(frame);
  auto prefix = read_request_prefix(r);
  if (!prefix) return make_error(request_error_kind::truncated_header, {}, prefix.err().message);

  const api_support* api = find_api(prefix->api_key);
  if (!api)
    return make_error(request_error_kind::unknown_api, *prefix,
                      "api key " + std::to_string(prefix->api_key) + " is not served");
  if (!api->decodes(prefix->api_version))
    return make_error(request_error_kind::unsupported_version, *prefix,
                      std::string(to_string(api->key)) + " v" +
                          std::to_string(prefix->api_version) + " is not served (decoded: v" +
                          std::to_string(api->min_version) + "-" +
                          std::to_string(api->max_version) + ")");

  wire_reader body_reader(frame);
  auto header = decode_request_header(body_reader);
  if (!header)
    return make_error(request_error_kind::malformed, *prefix,
                      "request header: " + header.err().message);
  auto body = decode_request_body(header->key, body_reader, header->api_version);
  if (!body) return make_error(request_error_kind::malformed, *prefix, body.err().message);
  if (!body_reader.at_end())
    return make_error(request_error_kind::malformed, *prefix,
                      std::string(to_string(api->key)) + " v" +
                          std::to_string(header->api_version) + " request: " +
                          std::to_string(body_reader.remaining()) +
                          " bytes left after the body, at byte " +
                          std::to_string(body_reader.position()));
  return request{std::move(header).value(), std::move(body).value()};
}

result<wire_writer> encode_request(const request& req) {
  if (key_of(req.body) != req.header.key)
    return error{errc::invalid_argument,
                 "request header names " + std::string(to_string(req.header.key)) +
                     " but the body is " + std::string(to_string(key_of(req.body)))};
  wire_writer w;
  size_t size_place = w.reserve_int32();
  LK_TRY_STATUS(encode_request_header(w, req.header));
  LK_TRY_STATUS(encode_request_body(w, req.header.api_version, req.body));
  size_t size = w.size() - 4;
  if (size > static_cast<size_t>(std::numeric_limits<int32_t>::max()))
    return error{errc::invalid_argument, "request frame of " + std::to_string(size) +
                                             " bytes exceeds the int32 size prefix"};
  w.patch_int32(size_place, static_cast<int32_t>(size));
  return w;
}

}  // namespace lkstream::kafka

#include "lkstream/kafka/request_header.hpp"

#include "lkstream/kafka/supported_apis.hpp"
#include "serde.hpp"

namespace lkstream::kafka {

result<request_prefix> read_request_prefix(wire_reader& r) {
  if (r.remaining() < 8) return r.fail("request header needs 8 bytes (api key, version, "
                                       "correlation id)");
  request_prefix p;
  p.api_key = *r.read_int16();
  p.api_version = *r.read_int16();
  p.correlation_id = *r.read_int32();
  return p;
}

result<request_header> decode_request_header(wire_reader& r) {
  size_t start = r.position();
  LK_ASSIGN_OR_RETURN(request_prefix p, read_request_prefix(r));
  const api_support* api = find_api(p.api_key);
  if (!api) {
    error e = r.fail_at(start, "api key " + std::to_string(p.api_key) + " is not served");
    e.code = errc::unsupported;
    return e;
  }
  request_header h;
  h.key = api->key;
  h.api_version = p.api_version;
  h.correlation_id = p.correlation_id;
  LK_TRY_STATUS(detail::assign("client_id", r.read_nullable_string(), h.client_id));
  if (request_header_version(h.key, h.api_version) >= 2)
    LK_TRY_STATUS(detail::in_field("header tagged fields", r.skip_tagged_fields()));
  return h;
}

status encode_request_header(wire_writer& w, const request_header& h) {
  w.write_int16(to_wire(h.key));
  w.write_int16(h.api_version);
  w.write_int32(h.correlation_id);
  std::optional<std::string_view> id;
  if (h.client_id) id = *h.client_id;
  LK_TRY_STATUS(detail::in_field("client_id", w.write_nullable_string(id)));
  if (request_header_version(h.key, h.api_version) >= 2) w.write_empty_tagged_fields();
  return ok();
}

void encode_response_header(wire_writer& w, int32_t correlation_id, int16_t header_version) {
  w.write_int32(correlation_id);
  if (header_version >= 1) w.write_empty_tagged_fields();
}

result<int32_t> decode_response_header(wire_reader& r, int16_t header_version) {
  int32_t correlation_id = 0;
  LK_TRY_STATUS(detail::assign("correlation_id", r.read_int32(), correlation_id));
  if (header_version >= 1)
    LK_TRY_STATUS(detail::in_field("header tagged fields", r.skip_tagged_fields()));
  return correlation_id;
}

}  // namespace lkstream::kafka

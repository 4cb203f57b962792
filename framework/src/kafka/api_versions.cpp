#include "lkstream/kafka/api_versions.hpp"

#include "lkstream/kafka/supported_apis.hpp"
#include "serde.hpp"

namespace lkstream::kafka {

namespace {

constexpr auto request_fields = [](auto& io, int16_t v, auto& m) -> status {
  if (v >= 3) {
    LK_TRY_STATUS(io.string("client_software_name", m.client_software_name));
    LK_TRY_STATUS(io.string("client_software_version", m.client_software_version));
  }
  return io.tags();
};

constexpr auto response_fields = [](auto& io, int16_t v, auto& m) -> status {
  LK_TRY_STATUS(io.code("error_code", m.error));
  LK_TRY_STATUS(io.array("api_keys", m.api_keys, 6, [&](auto& k) -> status {
    LK_TRY_STATUS(io.i16("api_key", k.key));
    LK_TRY_STATUS(io.i16("min_version", k.min_version));
    LK_TRY_STATUS(io.i16("max_version", k.max_version));
    return io.tags();
  }));
  if (v >= 1) LK_TRY_STATUS(io.i32("throttle_time_ms", m.throttle_time_ms));
  return io.tags();
};

bool is_alnum(char c) noexcept {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

}  // namespace

result<api_versions_request> decode_api_versions_request(wire_reader& r, int16_t version) {
  return detail::decode_message<api_versions_request>(r, version, request_fields);
}

status encode_api_versions_request(wire_writer& w, int16_t version,
                                   const api_versions_request& m) {
  return detail::encode_message(w, version, m, request_fields);
}

result<api_versions_response> decode_api_versions_response(wire_reader& r, int16_t version) {
  return detail::decode_message<api_versions_response>(r, version, response_fields);
}

status encode_api_versions_response(wire_writer& w, int16_t version,
                                    const api_versions_response& m) {
  return detail::encode_message(w, version, m, response_fields);
}

api_versions_response make_api_versions_response() {
  api_versions_response resp;
  resp.api_keys.reserve(supported_apis.size());
  for (const auto& api : supported_apis)
    resp.api_keys.push_back({to_wire(api.key), api.advertised_min, api.max_version});
  return resp;
}

api_versions_response make_unsupported_version_response() {
  const api_support& api = api_info(api_key::api_versions);
  api_versions_response resp;
  resp.error = error_code::unsupported_version;
  resp.api_keys.push_back({to_wire(api.key), api.advertised_min, api.max_version});
  return resp;
}

bool is_valid_client_software_field(std::string_view s) noexcept {
  if (s.empty() || !is_alnum(s.front()) || !is_alnum(s.back())) return false;
  for (char c : s)
    if (!is_alnum(c) && c != '-' && c != '.') return false;
  return true;
}

}  // namespace lkstream::kafka

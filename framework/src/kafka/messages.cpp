#include "lkstream/kafka/messages.hpp"

#include "api_list.hpp"
#include "lkstream/kafka/supported_apis.hpp"

namespace lkstream::kafka {

static_assert(std::variant_size_v<request_body> == supported_apis.size());
static_assert(std::variant_size_v<response_body> == supported_apis.size());

namespace {

#define LK_KAFKA_ENCODE_OVERLOADS(name)                                             \
  status encode_body(wire_writer& w, int16_t v, const name##_request& m) {          \
    return encode_##name##_request(w, v, m);                                        \
  }                                                                                 \
  status encode_body(wire_writer& w, int16_t v, const name##_response& m) {         \
    return encode_##name##_response(w, v, m);                                       \
  }
LKSTREAM_KAFKA_FOR_EACH_API(LK_KAFKA_ENCODE_OVERLOADS)
#undef LK_KAFKA_ENCODE_OVERLOADS

template <class Variant, class Msg>
result<Variant> wrap(result<Msg> m) {
  if (!m) return std::move(m).take_error();
  return Variant{std::in_place_type<Msg>, std::move(m).value()};
}

error not_served(api_key key) {
  return {errc::unsupported, "api key " + std::to_string(to_wire(key)) + " is not served"};
}

}  // namespace

result<request_body> decode_request_body(api_key key, wire_reader& r, int16_t version) {
  switch (key) {
#define LK_KAFKA_DECODE_CASE(name) \
  case api_key::name:              \
    return wrap<request_body>(decode_##name##_request(r, version));
    LKSTREAM_KAFKA_FOR_EACH_API(LK_KAFKA_DECODE_CASE)
#undef LK_KAFKA_DECODE_CASE
  }
  return not_served(key);
}

result<response_body> decode_response_body(api_key key, wire_reader& r, int16_t version) {
  switch (key) {
#define LK_KAFKA_DECODE_CASE(name) \
  case api_key::name:              \
    return wrap<response_body>(decode_##name##_response(r, version));
    LKSTREAM_KAFKA_FOR_EACH_API(LK_KAFKA_DECODE_CASE)
#undef LK_KAFKA_DECODE_CASE
  }
  return not_served(key);
}

status encode_request_body(wire_writer& w, int16_t version, const request_body& body) {
  return std::visit([&](const auto& m) { return encode_body(w, version, m); }, body);
}

status encode_response_body(wire_writer& w, int16_t version, const response_body& body) {
  return std::visit([&](const auto& m) { return encode_body(w, version, m); }, body);
}

}  // namespace lkstream::kafka

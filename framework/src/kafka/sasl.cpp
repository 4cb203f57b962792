#include "lkstream/kafka/sasl.hpp"

#include "serde.hpp"

namespace lkstream::kafka {

namespace {

constexpr auto handshake_request_fields = [](auto& io, int16_t, auto& m) -> status {
  LK_TRY_STATUS(io.string("mechanism", m.mechanism));
  return io.tags();
};

constexpr auto handshake_response_fields = [](auto& io, int16_t, auto& m) -> status {
  LK_TRY_STATUS(io.code("error_code", m.error));
  LK_TRY_STATUS(io.array("mechanisms", m.mechanisms, 2,
                         [&](auto& s) -> status { return io.string("", s); }));
  return io.tags();
};

constexpr auto authenticate_request_fields = [](auto& io, int16_t, auto& m) -> status {
  LK_TRY_STATUS(io.bytes("auth_bytes", m.auth_bytes));
  return io.tags();
};

constexpr auto authenticate_response_fields = [](auto& io, int16_t v, auto& m) -> status {
  LK_TRY_STATUS(io.code("error_code", m.error));
  LK_TRY_STATUS(io.nullable_string("error_message", m.error_message));
  LK_TRY_STATUS(io.bytes("auth_bytes", m.auth_bytes));
  if (v >= 1) LK_TRY_STATUS(io.i64("session_lifetime_ms", m.session_lifetime_ms));
  return io.tags();
};

}  // namespace

result<sasl_handshake_request> decode_sasl_handshake_request(wire_reader& r, int16_t version) {
  return detail::decode_message<sasl_handshake_request>(r, version, handshake_request_fields);
}
status encode_sasl_handshake_request(wire_writer& w, int16_t version, const sasl_handshake_request& m) {
  return detail::encode_message(w, version, m, handshake_request_fields);
}
result<sasl_handshake_response> decode_sasl_handshake_response(wire_reader& r, int16_t version) {
  return detail::decode_message<sasl_handshake_response>(r, version, handshake_response_fields);
}
status encode_sasl_handshake_response(wire_writer& w, int16_t version, const sasl_handshake_response& m) {
  return detail::encode_message(w, version, m, handshake_response_fields);
}

result<sasl_authenticate_request> decode_sasl_authenticate_request(wire_reader& r, int16_t version) {
  return detail::decode_message<sasl_authenticate_request>(r, version, authenticate_request_fields);
}
status encode_sasl_authenticate_request(wire_writer& w, int16_t version, const sasl_authenticate_request& m) {
  return detail::encode_message(w, version, m, authenticate_request_fields);
}
result<sasl_authenticate_response> decode_sasl_authenticate_response(wire_reader& r, int16_t version) {
  return detail::decode_message<sasl_authenticate_response>(r, version, authenticate_response_fields);
}
status encode_sasl_authenticate_response(wire_writer& w, int16_t version, const sasl_authenticate_response& m) {
  return detail::encode_message(w, version, m, authenticate_response_fields);
}

}  // namespace lkstream::kafka

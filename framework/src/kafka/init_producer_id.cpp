#include "lkstream/kafka/init_producer_id.hpp"

#include "serde.hpp"

namespace lkstream::kafka {

namespace {

constexpr auto request_fields = [](auto& io, int16_t v, auto& m) -> status {
  LK_TRY_STATUS(io.nullable_string("transactional_id", m.transactional_id));
  LK_TRY_STATUS(io.i32("transaction_timeout_ms", m.transaction_timeout_ms));
  return io.tags();
};

constexpr auto response_fields = [](auto& io, int16_t v, auto& m) -> status {
  LK_TRY_STATUS(io.i32("throttle_time_ms", m.throttle_time_ms));
  LK_TRY_STATUS(io.code("error_code", m.error));
  LK_TRY_STATUS(io.i64("producer_id", m.producer_id));
  LK_TRY_STATUS(io.i16("producer_epoch", m.producer_epoch));
  return io.tags();
};

}  // namespace

result<init_producer_id_request> decode_init_producer_id_request(wire_reader& r, int16_t version) {
  return detail::decode_message<init_producer_id_request>(r, version, request_fields);
}

status encode_init_producer_id_request(wire_writer& w, int16_t version,
                                       const init_producer_id_request& m) {
  return detail::encode_message(w, version, m, request_fields);
}

result<init_producer_id_response> decode_init_producer_id_response(wire_reader& r,
                                                                   int16_t version) {
  return detail::decode_message<init_producer_id_response>(r, version, response_fields);
}

status encode_init_producer_id_response(wire_writer& w, int16_t version,
                                        const init_producer_id_response& m) {
  return detail::encode_message(w, version, m, response_fields);
}

}  // namespace lkstream::kafka

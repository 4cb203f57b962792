#include "lkstream/kafka/delete_topics.hpp"

#include "serde.hpp"

namespace lkstream::kafka {

namespace {

constexpr auto request_fields = [](auto& io, int16_t v, auto& m) -> status {
  LK_TRY_STATUS(io.string_array("topic_names", m.topic_names));
  LK_TRY_STATUS(io.i32("timeout_ms", m.timeout_ms));
  return io.tags();
};

constexpr auto response_fields = [](auto& io, int16_t v, auto& m) -> status {
  if (v >= 1) LK_TRY_STATUS(io.i32("throttle_time_ms", m.throttle_time_ms));
  LK_TRY_STATUS(io.array("responses", m.responses, 3, [&](auto& t) -> status {
    LK_TRY_STATUS(io.string("name", t.name));
    LK_TRY_STATUS(io.code("error_code", t.error));
    return io.tags();
  }));
  return io.tags();
};

}  // namespace

result<delete_topics_request> decode_delete_topics_request(wire_reader& r, int16_t version) {
  return detail::decode_message<delete_topics_request>(r, version, request_fields);
}

status encode_delete_topics_request(wire_writer& w, int16_t version,
                                    const delete_topics_request& m) {
  return detail::encode_message(w, version, m, request_fields);
}

result<delete_topics_response> decode_delete_topics_response(wire_reader& r, int16_t version) {
  return detail::decode_message<delete_topics_response>(r, version, response_fields);
}

status encode_delete_topics_response(wire_writer& w, int16_t version,
                                     const delete_topics_response& m) {
  return detail::encode_message(w, version, m, response_fields);
}

}  // namespace lkstream::kafka

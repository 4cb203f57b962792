#include "lkstream/kafka/alter_configs.hpp"

#include "serde.hpp"

namespace lkstream::kafka {

namespace {

constexpr auto request_fields = [](auto& io, int16_t v, auto& m) -> status {
  LK_TRY_STATUS(io.array("resources", m.resources, 3, [&](auto& r) -> status {
    LK_TRY_STATUS(io.i8("resource_type", r.resource_type));
    LK_TRY_STATUS(io.string("resource_name", r.resource_name));
    LK_TRY_STATUS(io.array("configs", r.configs, 2, [&](auto& c) -> status {
      LK_TRY_STATUS(io.string("name", c.name));
      LK_TRY_STATUS(io.nullable_string("value", c.value));
      return io.tags();
    }));
    return io.tags();
  }));
  LK_TRY_STATUS(io.boolean("validate_only", m.validate_only));
  return io.tags();
};

constexpr auto response_fields = [](auto& io, int16_t v, auto& m) -> status {
  LK_TRY_STATUS(io.i32("throttle_time_ms", m.throttle_time_ms));
  LK_TRY_STATUS(io.array("responses", m.responses, 5, [&](auto& r) -> status {
    LK_TRY_STATUS(io.code("error_code", r.error));
    LK_TRY_STATUS(io.nullable_string("error_message", r.error_message));
    LK_TRY_STATUS(io.i8("resource_type", r.resource_type));
    LK_TRY_STATUS(io.string("resource_name", r.resource_name));
    return io.tags();
  }));
  return io.tags();
};

}  // namespace

result<alter_configs_request> decode_alter_configs_request(wire_reader& r, int16_t version) {
  return detail::decode_message<alter_configs_request>(r, version, request_fields);
}

status encode_alter_configs_request(wire_writer& w, int16_t version, const alter_configs_request& m) {
  return detail::encode_message(w, version, m, request_fields);
}

result<alter_configs_response> decode_alter_configs_response(wire_reader& r, int16_t version) {
  return detail::decode_message<alter_configs_response>(r, version, response_fields);
}

status encode_alter_configs_response(wire_writer& w, int16_t version, const alter_configs_response& m) {
  return detail::encode_message(w, version, m, response_fields);
}

}  // namespace lkstream::kafka

#include "lkstream/kafka/describe_configs.hpp"

#include "serde.hpp"

namespace lkstream::kafka {

namespace {

constexpr auto request_fields = [](auto& io, int16_t v, auto& m) -> status {
  LK_TRY_STATUS(io.array("resources", m.resources, 3, [&](auto& res) -> status {
    LK_TRY_STATUS(io.i8("resource_type", res.resource_type));
    LK_TRY_STATUS(io.string("resource_name", res.resource_name));
    LK_TRY_STATUS(io.nullable_array("configuration_keys", res.configuration_keys, 1,
                                    [&](auto& k) -> status { return io.string("", k); }));
    return io.tags();
  }));
  if (v >= 1) LK_TRY_STATUS(io.boolean("include_synonyms", m.include_synonyms));
  return io.tags();
};

constexpr auto response_fields = [](auto& io, int16_t v, auto& m) -> status {
  LK_TRY_STATUS(io.i32("throttle_time_ms", m.throttle_time_ms));
  LK_TRY_STATUS(io.array("results", m.results, 6, [&](auto& res) -> status {
    LK_TRY_STATUS(io.code("error_code", res.error));
    LK_TRY_STATUS(io.nullable_string("error_message", res.error_message));
    LK_TRY_STATUS(io.i8("resource_type", res.resource_type));
    LK_TRY_STATUS(io.string("resource_name", res.resource_name));
    LK_TRY_STATUS(io.array("configs", res.configs, 4, [&](auto& c) -> status {
      LK_TRY_STATUS(io.string("name", c.name));
      LK_TRY_STATUS(io.nullable_string("value", c.value));
      LK_TRY_STATUS(io.boolean("read_only", c.read_only));
      if (v == 0) LK_TRY_STATUS(io.boolean("is_default", c.is_default));
      if (v >= 1) LK_TRY_STATUS(io.i8("config_source", c.config_source));
      LK_TRY_STATUS(io.boolean("is_sensitive", c.is_sensitive));
      if (v >= 1) {
        LK_TRY_STATUS(io.array("synonyms", c.synonyms, 3, [&](auto& s) -> status {
          LK_TRY_STATUS(io.string("name", s.name));
          LK_TRY_STATUS(io.nullable_string("value", s.value));
          LK_TRY_STATUS(io.i8("source", s.source));
          return io.tags();
        }));
      }
      return io.tags();
    }));
    return io.tags();
  }));
  return io.tags();
};

}  // namespace

result<describe_configs_request> decode_describe_configs_request(wire_reader& r, int16_t version) {
  return detail::decode_message<describe_configs_request>(r, version, request_fields);
}

status encode_describe_configs_request(wire_writer& w, int16_t version,
                                       const describe_configs_request& m) {
  return detail::encode_message(w, version, m, request_fields);
}

result<describe_configs_response> decode_describe_configs_response(wire_reader& r,
                                                                   int16_t version) {
  return detail::decode_message<describe_configs_response>(r, version, response_fields);
}

status encode_describe_configs_response(wire_writer& w, int16_t version,
                                        const describe_configs_response& m) {
  return detail::encode_message(w, version, m, response_fields);
}

}  // namespace lkstream::kafka

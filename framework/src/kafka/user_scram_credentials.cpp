#include "lkstream/kafka/user_scram_credentials.hpp"

#include "serde.hpp"

namespace lkstream::kafka {

namespace {

constexpr auto describe_request_fields = [](auto& io, int16_t, auto& m) -> status {
  LK_TRY_STATUS(io.nullable_array("users", m.users, 2, [&](auto& name) -> status {
    LK_TRY_STATUS(io.string("name", name));
    return io.tags();
  }));
  return io.tags();
};

constexpr auto describe_response_fields = [](auto& io, int16_t, auto& m) -> status {
  LK_TRY_STATUS(io.i32("throttle_time_ms", m.throttle_time_ms));
  LK_TRY_STATUS(io.code("error_code", m.error));
  LK_TRY_STATUS(io.nullable_string("error_message", m.error_message));
  LK_TRY_STATUS(io.array("results", m.results, 6, [&](auto& r) -> status {
    LK_TRY_STATUS(io.string("user", r.user));
    LK_TRY_STATUS(io.code("error_code", r.error));
    LK_TRY_STATUS(io.nullable_string("error_message", r.error_message));
    LK_TRY_STATUS(io.array("credential_infos", r.credential_infos, 6, [&](auto& c) -> status {
      LK_TRY_STATUS(io.i8("mechanism", c.mechanism));
      LK_TRY_STATUS(io.i32("iterations", c.iterations));
      return io.tags();
    }));
    return io.tags();
  }));
  return io.tags();
};

constexpr auto alter_request_fields = [](auto& io, int16_t, auto& m) -> status {
  LK_TRY_STATUS(io.array("deletions", m.deletions, 3, [&](auto& d) -> status {
    LK_TRY_STATUS(io.string("name", d.name));
    LK_TRY_STATUS(io.i8("mechanism", d.mechanism));
    return io.tags();
  }));
  LK_TRY_STATUS(io.array("upsertions", m.upsertions, 9, [&](auto& u) -> status {
    LK_TRY_STATUS(io.string("name", u.name));
    LK_TRY_STATUS(io.i8("mechanism", u.mechanism));
    LK_TRY_STATUS(io.i32("iterations", u.iterations));
    LK_TRY_STATUS(io.bytes("salt", u.salt));
    LK_TRY_STATUS(io.bytes("salted_password", u.salted_password));
    return io.tags();
  }));
  return io.tags();
};

constexpr auto alter_response_fields = [](auto& io, int16_t, auto& m) -> status {
  LK_TRY_STATUS(io.i32("throttle_time_ms", m.throttle_time_ms));
  LK_TRY_STATUS(io.array("results", m.results, 4, [&](auto& r) -> status {
    LK_TRY_STATUS(io.string("user", r.user));
    LK_TRY_STATUS(io.code("error_code", r.error));
    LK_TRY_STATUS(io.nullable_string("error_message", r.error_message));
    return io.tags();
  }));
  return io.tags();
};

}  // namespace

result<describe_user_scram_credentials_request> decode_describe_user_scram_credentials_request(wire_reader& r, int16_t version) {
  return detail::decode_message<describe_user_scram_credentials_request>(r, version, describe_request_fields);
}
status encode_describe_user_scram_credentials_request(wire_writer& w, int16_t version, const describe_user_scram_credentials_request& m) {
  return detail::encode_message(w, version, m, describe_request_fields);
}
result<describe_user_scram_credentials_response> decode_describe_user_scram_credentials_response(wire_reader& r, int16_t version) {
  return detail::decode_message<describe_user_scram_credentials_response>(r, version, describe_response_fields);
}
status encode_describe_user_scram_credentials_response(wire_writer& w, int16_t version, const describe_user_scram_credentials_response& m) {
  return detail::encode_message(w, version, m, describe_response_fields);
}

result<alter_user_scram_credentials_request> decode_alter_user_scram_credentials_request(wire_reader& r, int16_t version) {
  return detail::decode_message<alter_user_scram_credentials_request>(r, version, alter_request_fields);
}
status encode_alter_user_scram_credentials_request(wire_writer& w, int16_t version, const alter_user_scram_credentials_request& m) {
  return detail::encode_message(w, version, m, alter_request_fields);
}
result<alter_user_scram_credentials_response> decode_alter_user_scram_credentials_response(wire_reader& r, int16_t version) {
  return detail::decode_message<alter_user_scram_credentials_response>(r, version, alter_response_fields);
}
status encode_alter_user_scram_credentials_response(wire_writer& w, int16_t version, const alter_user_scram_credentials_response& m) {
  return detail::encode_message(w, version, m, alter_response_fields);
}

}  // namespace lkstream::kafka

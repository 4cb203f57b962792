#pragma once
// Heartbeat (key 12), versions 0-3 (flexible from 4, not served).
//
//   request  group_id, generation_id, member_id, group_instance_id (v3+)
//   response throttle_time_ms (v1+), error

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "lkstream/base/result.hpp"
#include "lkstream/base/types.hpp"
#include "lkstream/kafka/api_key.hpp"
#include "lkstream/kafka/error_code.hpp"
#include "lkstream/kafka/wire_reader.hpp"
#include "lkstream/kafka/wire_writer.hpp"

namespace lkstream::kafka {

struct heartbeat_request {
  static constexpr api_key key = api_key::heartbeat;
  static constexpr bool is_request = true;

  std::string group_id;
  int32_t generation_id = -1;
  std::string member_id;
  std::optional<std::string> group_instance_id;  // v3+

  friend bool operator==(const heartbeat_request&, const heartbeat_request&) = default;
};

struct heartbeat_response {
  static constexpr api_key key = api_key::heartbeat;
  static constexpr bool is_request = false;

  int32_t throttle_time_ms = 0;  // v1+
  error_code error = error_code::none;

  friend bool operator==(const heartbeat_response&, const heartbeat_response&) = default;
};

result<heartbeat_request> decode_heartbeat_request(wire_reader& r, int16_t version);
status encode_heartbeat_request(wire_writer& w, int16_t version, const heartbeat_request& m);
result<heartbeat_response> decode_heartbeat_response(wire_reader& r, int16_t version);
status encode_heartbeat_response(wire_writer& w, int16_t version, const heartbeat_response& m);

}  // namespace lkstream::kafka

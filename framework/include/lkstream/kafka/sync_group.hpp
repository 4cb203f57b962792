#pragma once
// SyncGroup (key 14), versions 0-3 (flexible from 4, not served).
//
//   request  group_id, generation_id, member_id, group_instance_id (v3+),
//            assignments [member_id, assignment bytes]  (the leader's; followers send [])
//   response throttle_time_ms (v1+), error, assignment bytes
//
// The response's assignment is never null on the wire (empty bytes for members the leader
// left out, notes P6).

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

struct sync_group_assignment {
  std::string member_id;
  bytes assignment;

  friend bool operator==(const sync_group_assignment&, const sync_group_assignment&) = default;
};

struct sync_group_request {
  static constexpr api_key key = api_key::sync_group;
  static constexpr bool is_request = true;

  std::string group_id;
  int32_t generation_id = -1;
  std::string member_id;
  std::optional<std::string> group_instance_id;  // v3+
  std::vector<sync_group_assignment> assignments;

  friend bool operator==(const sync_group_request&, const sync_group_request&) = default;
};

struct sync_group_response {
  static constexpr api_key key = api_key::sync_group;
  static constexpr bool is_request = false;

  int32_t throttle_time_ms = 0;  // v1+
  error_code error = error_code::none;
  bytes assignment;

  friend bool operator==(const sync_group_response&, const sync_group_response&) = default;
};

result<sync_group_request> decode_sync_group_request(wire_reader& r, int16_t version);
status encode_sync_group_request(wire_writer& w, int16_t version, const sync_group_request& m);
result<sync_group_response> decode_sync_group_response(wire_reader& r, int16_t version);
status encode_sync_group_response(wire_writer& w, int16_t version, const sync_group_response& m);

}  // namespace lkstream::kafka

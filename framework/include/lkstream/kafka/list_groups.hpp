#pragma once
// ListGroups (key 16), versions 0-2 (flexible from 3, state filter from 4: not served).
//
//   request  (no fields)
//   response throttle_time_ms (v1+), error, groups [group_id, protocol_type]

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

struct list_groups_request {
  static constexpr api_key key = api_key::list_groups;
  static constexpr bool is_request = true;

  friend bool operator==(const list_groups_request&, const list_groups_request&) = default;
};

struct list_groups_group {
  std::string group_id;
  std::string protocol_type;

  friend bool operator==(const list_groups_group&, const list_groups_group&) = default;
};

struct list_groups_response {
  static constexpr api_key key = api_key::list_groups;
  static constexpr bool is_request = false;

  int32_t throttle_time_ms = 0;  // v1+
  error_code error = error_code::none;
  std::vector<list_groups_group> groups;

  friend bool operator==(const list_groups_response&, const list_groups_response&) = default;
};

result<list_groups_request> decode_list_groups_request(wire_reader& r, int16_t version);
status encode_list_groups_request(wire_writer& w, int16_t version, const list_groups_request& m);
result<list_groups_response> decode_list_groups_response(wire_reader& r, int16_t version);
status encode_list_groups_response(wire_writer& w, int16_t version,
                                   const list_groups_response& m);

}  // namespace lkstream::kafka

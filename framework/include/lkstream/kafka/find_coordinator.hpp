#pragma once
// FindCoordinator (key 10), versions 0-2 (flexible from 3, batched keys from 4: not served).
//
//   request  key, key_type (v1+: 0 group, 1 transaction)
//   response throttle_time_ms (v1+), error, error_message (v1+), node_id, host, port
//
// A single-node broker always answers with itself.

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

inline constexpr int8_t coordinator_type_group = 0;
inline constexpr int8_t coordinator_type_transaction = 1;

struct find_coordinator_request {
  static constexpr api_key key = api_key::find_coordinator;
  static constexpr bool is_request = true;

  std::string coordinator_key;  // "key" in the schema: the group id or transactional id
  int8_t key_type = coordinator_type_group;  // v1+

  friend bool operator==(const find_coordinator_request&,
                         const find_coordinator_request&) = default;
};

struct find_coordinator_response {
  static constexpr api_key key = api_key::find_coordinator;
  static constexpr bool is_request = false;

  int32_t throttle_time_ms = 0;  // v1+
  error_code error = error_code::none;
  std::optional<std::string> error_message;  // v1+
  int32_t node_id = -1;
  std::string host;
  int32_t port = -1;

  friend bool operator==(const find_coordinator_response&,
                         const find_coordinator_response&) = default;
};

result<find_coordinator_request> decode_find_coordinator_request(wire_reader& r, int16_t version);
status encode_find_coordinator_request(wire_writer& w, int16_t version,
                                       const find_coordinator_request& m);
result<find_coordinator_response> decode_find_coordinator_response(wire_reader& r,
                                                                   int16_t version);
status encode_find_coordinator_response(wire_writer& w, int16_t version,
                                        const find_coordinator_response& m);

}  // namespace lkstream::kafka

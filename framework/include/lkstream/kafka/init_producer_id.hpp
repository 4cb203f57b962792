#pragma once
// InitProducerId (key 22), versions 0-1 (flexible from 2, not served; librdkafka then uses v1).
//
//   request  transactional_id (nullable), transaction_timeout_ms
//   response throttle_time_ms (all versions), error, producer_id, producer_epoch

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

struct init_producer_id_request {
  static constexpr api_key key = api_key::init_producer_id;
  static constexpr bool is_request = true;

  std::optional<std::string> transactional_id;  // null for idempotent-only producers
  int32_t transaction_timeout_ms = 0;

  friend bool operator==(const init_producer_id_request&,
                         const init_producer_id_request&) = default;
};

struct init_producer_id_response {
  static constexpr api_key key = api_key::init_producer_id;
  static constexpr bool is_request = false;

  int32_t throttle_time_ms = 0;
  error_code error = error_code::none;
  int64_t producer_id = -1;
  int16_t producer_epoch = -1;

  friend bool operator==(const init_producer_id_response&,
                         const init_producer_id_response&) = default;
};

result<init_producer_id_request> decode_init_producer_id_request(wire_reader& r, int16_t version);
status encode_init_producer_id_request(wire_writer& w, int16_t version,
                                       const init_producer_id_request& m);
result<init_producer_id_response> decode_init_producer_id_response(wire_reader& r,
                                                                   int16_t version);
status encode_init_producer_id_response(wire_writer& w, int16_t version,
                                        const init_producer_id_response& m);

}  // namespace lkstream::kafka

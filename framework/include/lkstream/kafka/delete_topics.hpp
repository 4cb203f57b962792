#pragma once
// DeleteTopics (key 20), versions 0-3 (flexible from 4, not served).
//
//   request  topic_names [string], timeout_ms
//   response throttle_time_ms (v1+), responses [name, error]

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

struct delete_topics_request {
  static constexpr api_key key = api_key::delete_topics;
  static constexpr bool is_request = true;

  std::vector<std::string> topic_names;
  int32_t timeout_ms = 60000;

  friend bool operator==(const delete_topics_request&, const delete_topics_request&) = default;
};

struct delete_topics_topic_response {
  std::string name;
  error_code error = error_code::none;

  friend bool operator==(const delete_topics_topic_response&,
                         const delete_topics_topic_response&) = default;
};

struct delete_topics_response {
  static constexpr api_key key = api_key::delete_topics;
  static constexpr bool is_request = false;

  int32_t throttle_time_ms = 0;  // v1+
  std::vector<delete_topics_topic_response> responses;

  friend bool operator==(const delete_topics_response&, const delete_topics_response&) = default;
};

result<delete_topics_request> decode_delete_topics_request(wire_reader& r, int16_t version);
status encode_delete_topics_request(wire_writer& w, int16_t version,
                                    const delete_topics_request& m);
result<delete_topics_response> decode_delete_topics_response(wire_reader& r, int16_t version);
status encode_delete_topics_response(wire_writer& w, int16_t version,
                                     const delete_topics_response& m);

}  // namespace lkstream::kafka

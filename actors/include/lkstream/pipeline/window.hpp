#pragma once
// Event-time windows of keyed streams.
//
// A record belongs to every window [start, start + size) with start a multiple of `slide` and
// start <= ts < start + size, ts being the record timestamp (tumbling: slide = size, one window
// per record). Windows are per key.
//
// Time advances with the watermark: the highest record timestamp the pipeline's source has read
// (over all its partitions). A window fires once, when the watermark reaches
// end + allowed_lateness: records up to allowed_lateness out of order are still counted. A
// record whose windows all fired before the batch it arrived in is late: it is counted
// (pipeline_status::late_records) and dropped. Like Kafka Streams' grace period with
// final-result suppression; results are emitted once per window and key.
//
// At the end of a bounded run (pipeline_options::stop_at_end) every open window fires.

#include <chrono>
#include <string>

#include <nlohmann/json.hpp>

#include "lkstream/base/types.hpp"

namespace lkstream {

struct window_spec {
  int64_t size_ms = 0;
  int64_t slide_ms = 0;
  int64_t allowed_lateness_ms = 0;

  /// The same window with an allowed lateness (grace period).
  window_spec allowed_lateness(std::chrono::milliseconds d) const {
    auto w = *this;
    w.allowed_lateness_ms = d.count();
    return w;
  }
};

inline window_spec tumbling(std::chrono::milliseconds size) {
  return {size.count(), size.count(), 0};
}

inline window_spec sliding(std::chrono::milliseconds size, std::chrono::milliseconds slide) {
  return {size.count(), slide.count(), 0};
}

/// The result of one window of one key; emitted with timestamp end - 1 and the window's key.
template <class R>
struct window_result {
  std::string key;
  timestamp_ms start = 0;
  timestamp_ms end = 0;  // exclusive
  R value{};
  friend bool operator==(const window_result&, const window_result&) = default;
};

/// JSON form: {"key": ..., "start": ..., "end": ..., "value": ...}.
template <class R>
void to_json(nlohmann::json& j, const window_result<R>& w) {
  j = nlohmann::json{{"key", w.key}, {"start", w.start}, {"end", w.end}, {"value", w.value}};
}

template <class R>
void from_json(const nlohmann::json& j, window_result<R>& w) {
  j.at("key").get_to(w.key);
  j.at("start").get_to(w.start);
  j.at("end").get_to(w.end);
  j.at("value").get_to(w.value);
}

}  // namespace lkstream

#pragma once
// exposition: writes the Prometheus text format (version 0.0.4), the body of GET /metrics.
//
//   metrics::exposition out;
//   out.family("lkstream_partition_end_offset", "gauge", "Next offset to be assigned.");
//   out.sample("lkstream_partition_end_offset", {{"topic", "t"}, {"partition", "0"}}, 42);
//   std::string body = out.take();
//
// Contract (what `promtool check metrics` checks): every sample follows the family() line of
// its metric and a family's samples are written together, so callers loop per family. Names
// are the caller's constants (snake_case, lkstream_ prefix); label values are escaped here
// (backslash, double quote, newline), so topic and group names of any text are safe.

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>

#include "lkstream/metrics/histogram.hpp"

namespace lkstream::metrics {

using label = std::pair<std::string_view, std::string_view>;

class exposition {
 public:
  /// # HELP and # TYPE lines of a metric ("counter", "gauge" or "histogram").
  void family(std::string_view name, std::string_view type, std::string_view help);
  void sample(std::string_view name, std::initializer_list<label> labels, double value);
  /// name_bucket{le=...} (cumulative), name_sum and name_count of one labelled series.
  void histogram(std::string_view name, std::initializer_list<label> labels,
                 const latency_histogram::snapshot& h);
  std::string take() { return std::move(out_); }

 private:
  void series(std::string_view name, std::string_view suffix,
              std::initializer_list<label> labels, std::string_view extra_label,
              std::string_view extra_value, double value);
  std::string out_;
};

}  // namespace lkstream::metrics

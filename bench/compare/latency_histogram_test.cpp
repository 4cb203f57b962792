// Unit tests of the comparison's latency histogram: percentiles against exact order statistics.
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

#include "latency_histogram.hpp"

using lkstream::bench::latency_histogram;

namespace {

uint64_t exact_percentile(std::vector<uint64_t> v, double pct) {
  std::sort(v.begin(), v.end());
  auto rank = static_cast<size_t>(pct / 100.0 * static_cast<double>(v.size()) + 0.5);
  rank = std::clamp<size_t>(rank, 1, v.size());
  return v[rank - 1];
}

}  // namespace

TEST_CASE("bench_compare: histogram percentiles are within one bucket above the exact value") {
  latency_histogram h;
  std::vector<uint64_t> values;
  uint64_t x = 12345;
  for (int i = 0; i < 200000; ++i) {
    x ^= x << 13, x ^= x >> 7, x ^= x << 17;
    // Spread over 1 us .. ~17 s, log-uniformly, as latencies are.
    uint64_t v = uint64_t{1000} << (x % 25);
    v += (x >> 8) % v;
    values.push_back(v);
    h.record(static_cast<int64_t>(v));
  }
  CHECK(h.count() == values.size());
  for (double pct : {1.0, 50.0, 90.0, 99.0, 99.9, 99.99}) {
    uint64_t exact = exact_percentile(values, pct);
    uint64_t got = h.percentile(pct);
    CAPTURE(pct);
    CHECK(got >= exact);  // the upper edge of the bucket: never understated
    CHECK(static_cast<double>(got) <= static_cast<double>(exact) * (1.0 + 1.0 / 128) + 1);
  }
  CHECK(h.max() == *std::max_element(values.begin(), values.end()));
  CHECK(h.min() == *std::min_element(values.begin(), values.end()));
  CHECK(h.percentile(100) == h.max());
}

TEST_CASE("bench_compare: small values are exact, negatives count as zero, empty reports zero") {
  latency_histogram empty;
  CHECK(empty.percentile(99) == 0);
  CHECK(empty.max() == 0);
  latency_histogram h;
  for (int v = 0; v < 100; ++v) h.record(v);
  h.record(-5);
  CHECK(h.count() == 101);
  CHECK(h.min() == 0);
  CHECK(h.percentile(50) == 49);
  CHECK(h.max() == 99);
}

TEST_CASE("bench_compare: merging histograms equals recording into one") {
  latency_histogram a, b, both;
  for (int i = 1; i <= 1000; ++i) {
    (i % 2 ? a : b).record(i * 1000);
    both.record(i * 1000);
  }
  a.merge(b);
  CHECK(a.count() == both.count());
  for (double pct : {10.0, 50.0, 99.0}) CHECK(a.percentile(pct) == both.percentile(pct));
  CHECK(a.max() == both.max());
}

#pragma once
// A log-linear latency histogram in the spirit of HdrHistogram: values (nanoseconds) are bucketed
// by their highest set bit and the next 7 bits, so every bucket is at most 1/128 (< 0.8 %) wide
// relative to its value, over the whole range of int64. Fixed size (64 * 128 counters, 64 KiB),
// no allocation while recording. The exact minimum and maximum are kept beside the buckets.
//
// Threading: not synchronised; one writer at a time (the owner serialises, or merges copies).

#include <algorithm>
#include <array>
#include <bit>
#include <cstdint>

namespace lkstream::bench {

class latency_histogram {
 public:
  static constexpr int sub_bits = 7;
  static constexpr int sub_count = 1 << sub_bits;

  void record(int64_t value_ns) {
    uint64_t v = value_ns < 0 ? 0 : static_cast<uint64_t>(value_ns);
    ++counts_[index_of(v)];
    ++total_;
    max_ = std::max(max_, v);
    min_ = std::min(min_, v);
  }

  void merge(const latency_histogram& other) {
    for (size_t i = 0; i < counts_.size(); ++i) counts_[i] += other.counts_[i];
    total_ += other.total_;
    max_ = std::max(max_, other.max_);
    min_ = std::min(min_, other.min_);
  }

  uint64_t count() const { return total_; }
  uint64_t max() const { return total_ ? max_ : 0; }
  uint64_t min() const { return total_ ? min_ : 0; }

  /// The value at percentile `pct` (0..100]: the upper edge of the bucket holding that rank,
  /// clamped to the exact maximum (so the reported figure never understates). 0 when empty.
  uint64_t percentile(double pct) const {
    if (total_ == 0) return 0;
    auto rank = static_cast<uint64_t>(pct / 100.0 * static_cast<double>(total_) + 0.5);
    rank = std::clamp<uint64_t>(rank, 1, total_);
    uint64_t seen = 0;
    for (size_t i = 0; i < counts_.size(); ++i) {
      seen += counts_[i];
      if (seen >= rank) return std::min(upper_edge(i), max_);
    }
    return max_;
  }

 private:
  static size_t index_of(uint64_t v) {
    if (v < sub_count) return v;
    int e = std::bit_width(v) - 1;  // >= sub_bits
    auto sub = (v >> (e - sub_bits)) & (sub_count - 1);
    return static_cast<size_t>(e - sub_bits + 1) * sub_count + sub;
  }
  static uint64_t upper_edge(size_t i) {
    if (i < sub_count) return i;
    auto e = static_cast<int>(i / sub_count) + sub_bits - 1;
    uint64_t sub = i % sub_count;
    uint64_t base = (uint64_t{1} << e) | (sub << (e - sub_bits));
    return base + (uint64_t{1} << (e - sub_bits)) - 1;
  }

  std::array<uint64_t, 64 * sub_count> counts_{};
  uint64_t total_ = 0;
  uint64_t max_ = 0;
  uint64_t min_ = UINT64_MAX;
};

}  // namespace lkstream::bench

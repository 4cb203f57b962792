#pragma once
// The .timeindex file of a segment (Kafka's TimeIndex). Entry, 12 bytes, big-endian:
//   timestamp       i64   the largest batch max_timestamp seen so far in the segment
//   relative_offset u32   last offset of the batch where that maximum first appeared, minus
//                         the segment's base offset
// Timestamps strictly increase from entry to entry. Entries are added together with offset
// index entries when the maximum grew, plus one when the segment is sealed (index_builder).
// Lookup for ts: greatest entry with timestamp < ts; every batch up to its offset has
// max_timestamp < ts, so the answer is found by scanning forward from there.

#include <cstdint>

#include "lkstream/model/byte_order.hpp"
#include "sparse_index.hpp"

namespace lkstream::storage {

struct time_index_traits {
  struct entry {
    int64_t timestamp = 0;
    uint32_t relative_offset = 0;
    friend bool operator==(const entry&, const entry&) = default;
  };
  static constexpr size_t entry_size = 12;

  static void encode(const entry& e, std::byte* out) noexcept {
    model::store_be<int64_t>(out, e.timestamp);
    model::store_be<uint32_t>(out + 8, e.relative_offset);
  }
  static entry decode(const std::byte* in) noexcept {
    return {model::load_be<int64_t>(in), model::load_be<uint32_t>(in + 8)};
  }
};

using time_index = sparse_index<time_index_traits>;

}  // namespace lkstream::storage

#pragma once
// The .index file of a segment (Kafka's OffsetIndex). Entry, 8 bytes, big-endian:
//   relative_offset u32   last offset of a batch minus the segment's base offset
//   position        u32   byte position in the .log where that batch starts
// Sparse: an entry is added when more than index_interval_bytes were appended since the last
// one (index_builder). Lookup: greatest entry with relative_offset <= target, then scan batch
// headers forward from its position.

#include <cstdint>

#include "lkstream/model/byte_order.hpp"
#include "sparse_index.hpp"

namespace lkstream::storage {

struct offset_index_traits {
  struct entry {
    uint32_t relative_offset = 0;
    uint32_t position = 0;
    friend bool operator==(const entry&, const entry&) = default;
  };
  static constexpr size_t entry_size = 8;

  static void encode(const entry& e, std::byte* out) noexcept {
    model::store_be<uint32_t>(out, e.relative_offset);
    model::store_be<uint32_t>(out + 4, e.position);
  }
  static entry decode(const std::byte* in) noexcept {
    return {model::load_be<uint32_t>(in), model::load_be<uint32_t>(in + 4)};
  }
};

using offset_index = sparse_index<offset_index_traits>;

}  // namespace lkstream::storage

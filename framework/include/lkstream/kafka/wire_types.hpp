#pragma once
// Small value types shared by the Kafka codec: UUIDs and references to record bytes that the
// codec passes through without copying.

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>

#include "lkstream/base/types.hpp"

namespace lkstream::kafka {

/// Kafka UUID: 16 raw bytes on the wire (topic ids from Metadata v10 / Fetch v13 on).
using uuid = std::array<std::byte, 16>;

/// A run of record-batch bytes that an encoder references instead of copying.
///
/// `data` must point into memory that stays alive and unchanged as long as the chunk (or any
/// writer holding it) lives. `owner`, when set, is what keeps it alive: a broker puts the
/// shared buffer returned by storage::log::read here, with `data` covering all of it or a
/// slice of it. `owner` may be empty when `data` views a buffer the caller keeps alive by
/// other means (the decoder does this: decoded chunks view the received frame).
struct record_chunk {
  std::shared_ptr<const void> owner;  // any buffer: a log read, a Produce frame, a vector
  bytes_view data;

  record_chunk() = default;
  /// Views the whole shared buffer and keeps it alive.
  explicit record_chunk(shared_bytes buffer)
      : data(buffer ? bytes_view{*buffer} : bytes_view{}) {
    owner = std::move(buffer);
  }
  record_chunk(std::shared_ptr<const void> buffer, bytes_view slice)
      : owner(std::move(buffer)), data(slice) {}

  size_t size() const noexcept { return data.size(); }

  /// Equal when the bytes are equal; owners are not compared.
  friend bool operator==(const record_chunk& a, const record_chunk& b) noexcept {
    return std::equal(a.data.begin(), a.data.end(), b.data.begin(), b.data.end());
  }
};

/// Byte-wise equality of two views (std::span has no operator==).
inline bool same_bytes(bytes_view a, bytes_view b) noexcept {
  return std::equal(a.begin(), a.end(), b.begin(), b.end());
}

}  // namespace lkstream::kafka

#pragma once
// Vocabulary types shared by every layer.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "lkstream/base/named_type.hpp"

namespace lkstream {

/// A Kafka offset: position of a record in a partition's log.
using offset = named_type<int64_t, struct offset_tag>;
/// A partition number within a topic.
using partition_id = named_type<int32_t, struct partition_id_tag>;

/// Milliseconds since the Unix epoch (Kafka's record timestamp unit).
using timestamp_ms = int64_t;

using bytes = std::vector<std::byte>;
using bytes_view = std::span<const std::byte>;
using mutable_bytes_view = std::span<std::byte>;

/// An immutable, shared buffer. Whole record batches travel between actors and threads as
/// these: the sender keeps no mutable alias, so readers never need locks.
using shared_bytes = std::shared_ptr<const bytes>;

inline bytes_view as_bytes(std::string_view s) noexcept {
  return {reinterpret_cast<const std::byte*>(s.data()), s.size()};
}
inline std::string_view as_string_view(bytes_view b) noexcept {
  return {reinterpret_cast<const char*>(b.data()), b.size()};
}

struct topic_partition {
  std::string topic;
  partition_id partition;
  friend auto operator<=>(const topic_partition&, const topic_partition&) = default;
};

}  // namespace lkstream

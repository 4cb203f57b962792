#pragma once
// shared_slice: read-only bytes inside a buffer that the slice keeps alive.
//
// Record batches travel between actors and threads as these: a slice of a Kafka request frame
// (Produce hands each partition its batch without copying it out), an embedded producer's
// batch buffer, or a buffer read from disk. Copies share the owner; the bytes never change
// while any copy lives (whoever made the slice keeps no mutable alias of them).
//
// Memory: a slice keeps its owner's whole allocation alive, not only its own bytes.
// pinned_bytes() is that allocation's size (>= size()); a holder that bounds memory (the hot
// tail) counts pinned_bytes(), not size(). Makers of slices keep the two close with
// worth_pinning() (a Produce batch much smaller than its frame is copied into a buffer of its own).
//
// Threading: a shared_slice may be copied and read on any thread (shared_ptr semantics).

#include <algorithm>
#include <cstddef>
#include <memory>
#include <utility>

#include "lkstream/base/types.hpp"

namespace lkstream {

/// The rule every maker of slices follows: keep `used` bytes as a slice of their
/// `buffer_bytes` buffer only when they are at least half of it; else copy them into a buffer
/// of their own, so a small slice never pins a big buffer.
constexpr bool worth_pinning(size_t used, size_t buffer_bytes) noexcept {
  return 2 * used >= buffer_bytes;
}

class shared_slice {
 public:
  shared_slice() = default;
  /// `data` must lie inside memory that `owner` keeps alive; `pinned_bytes` is the size of
  /// that memory (at least data.size()).
  shared_slice(std::shared_ptr<const void> owner, bytes_view data, size_t pinned_bytes) noexcept
      : owner_(std::move(owner)), data_(data), pinned_(std::max(pinned_bytes, data.size())) {}
  /// All of a shared vector; pins its capacity.
  explicit shared_slice(shared_bytes buffer) noexcept
      : data_(buffer ? bytes_view{*buffer} : bytes_view{}),
        pinned_(buffer ? buffer->capacity() : 0) {
    owner_ = std::move(buffer);
  }

  bytes_view view() const noexcept { return data_; }
  const std::byte* data() const noexcept { return data_.data(); }
  size_t size() const noexcept { return data_.size(); }
  bool empty() const noexcept { return data_.empty(); }
  const std::byte* begin() const noexcept { return data_.data(); }
  const std::byte* end() const noexcept { return data_.data() + data_.size(); }

  /// Bytes of memory this slice keeps allocated (its owner's buffer).
  size_t pinned_bytes() const noexcept { return pinned_; }
  /// What keeps the bytes alive; hold a copy to extend their lifetime without the view.
  const std::shared_ptr<const void>& owner() const noexcept { return owner_; }

  /// Byte-wise equality with any byte range (owners are not compared).
  friend bool operator==(const shared_slice& a, bytes_view b) noexcept {
    return std::equal(a.begin(), a.end(), b.begin(), b.end());
  }

 private:
  std::shared_ptr<const void> owner_;
  bytes_view data_;
  size_t pinned_ = 0;
};

}  // namespace lkstream

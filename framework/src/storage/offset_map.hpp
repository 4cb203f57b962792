#pragma once
// The cleaner's key map (Kafka's SkimpyOffsetMap): key -> the latest offset seen for it, in a
// fixed block of memory allocated once, so a cleaning uses exactly the configured dedupe
// buffer however many records it reads.
//
// Layout: open addressing with linear probing over slots of 24 bytes
//   hash of the key (128 bits: MurmurHash3 x64_128, two u64) | offset i64 (-1 = empty slot)
// Keys themselves are not stored. Two keys with the same 128-bit hash would share a slot (the
// older record of one would be dropped as if the other superseded it): with 2^128 hashes the
// chance is negligible, as Kafka accepts for its 16-byte MD5 digests.
//
// The map accepts at most max_entries() keys (load factor 0.9, Kafka's
// log.cleaner.io.buffer.load.factor) so probes stay short; the cleaner checks room before each
// batch and cleans a prefix of the dirty range when the map fills.
//
// Single owner; not thread-safe.

#include <cstdint>
#include <vector>

#include "lkstream/base/types.hpp"

namespace lkstream::storage {

class offset_map {
 public:
  static constexpr size_t slot_bytes = 24;

  /// Slots for `memory_bytes` (at least two).
  explicit offset_map(uint64_t memory_bytes);

  /// Forgets every key (keeps the memory).
  void clear() noexcept;

  /// Records `o` as the latest offset of `key`. Requires size() < max_entries() unless the key
  /// is already present.
  void put(bytes_view key, int64_t o) noexcept;

  /// The latest offset recorded for `key`, or -1.
  int64_t get(bytes_view key) const noexcept;

  size_t size() const noexcept { return size_; }
  size_t max_entries() const noexcept { return max_entries_; }
  uint64_t memory_bytes() const noexcept { return slots_.size() * slot_bytes; }

 private:
  struct slot {
    uint64_t h1;
    uint64_t h2;
    int64_t offset;  // -1: empty
  };
  static_assert(sizeof(slot) == slot_bytes);

  size_t find(uint64_t h1, uint64_t h2) const noexcept;

  std::vector<slot> slots_;
  size_t max_entries_ = 0;
  size_t size_ = 0;
};

}  // namespace lkstream::storage

#include "offset_map.hpp"

#include <algorithm>
#include <cstring>

namespace lkstream::storage {
namespace {

constexpr double load_factor = 0.9;

inline uint64_t rotl64(uint64_t x, int r) noexcept { return (x << r) | (x >> (64 - r)); }

inline uint64_t fmix64(uint64_t k) noexcept {
  k ^= k >> 33;
  k *= 0xff51afd7ed558ccdULL;
  k ^= k >> 33;
  k *= 0xc4ceb9fe1a85ec53ULL;
  k ^= k >> 33;
  return k;
}

// MurmurHash3 x64_128 (Austin Appleby, public domain); blocks read in host byte order, which is
// fine for a hash that never leaves the process.
void murmur3_128(bytes_view key, uint64_t& out1, uint64_t& out2) noexcept {
  const auto* data = reinterpret_cast<const uint8_t*>(key.data());
  const size_t len = key.size();
  const size_t nblocks = len / 16;
  constexpr uint64_t c1 = 0x87c37b91114253d5ULL;
  constexpr uint64_t c2 = 0x4cf5ad432745937fULL;
  uint64_t h1 = 0x9747b28c, h2 = 0x9747b28c;  // fixed seed
  for (size_t i = 0; i < nblocks; ++i) {
    uint64_t k1, k2;
    std::memcpy(&k1, data + i * 16, 8);
    std::memcpy(&k2, data + i * 16 + 8, 8);
    k1 *= c1; k1 = rotl64(k1, 31); k1 *= c2; h1 ^= k1;
    h1 = rotl64(h1, 27); h1 += h2; h1 = h1 * 5 + 0x52dce729;
    k2 *= c2; k2 = rotl64(k2, 33); k2 *= c1; h2 ^= k2;
    h2 = rotl64(h2, 31); h2 += h1; h2 = h2 * 5 + 0x38495ab5;
  }
  const uint8_t* tail = data + nblocks * 16;
  const size_t rest = len & 15;
  uint64_t k1 = 0, k2 = 0;
  for (size_t i = rest; i > 8; --i) k2 ^= uint64_t{tail[i - 1]} << ((i - 9) * 8);
  if (rest > 8) { k2 *= c2; k2 = rotl64(k2, 33); k2 *= c1; h2 ^= k2; }
  for (size_t i = std::min<size_t>(rest, 8); i > 0; --i) k1 ^= uint64_t{tail[i - 1]} << ((i - 1) * 8);
  if (rest > 0) { k1 *= c1; k1 = rotl64(k1, 31); k1 *= c2; h1 ^= k1; }
  h1 ^= len; h2 ^= len;
  h1 += h2; h2 += h1;
  h1 = fmix64(h1); h2 = fmix64(h2);
  h1 += h2; h2 += h1;
  out1 = h1;
  out2 = h2;
}

}  // namespace

offset_map::offset_map(uint64_t memory_bytes)
    : slots_(std::max<uint64_t>(memory_bytes / slot_bytes, 2), slot{0, 0, -1}) {
  // At least one slot always stays empty, so every probe ends.
  max_entries_ = std::min(static_cast<size_t>(slots_.size() * load_factor), slots_.size() - 1);
  max_entries_ = std::max<size_t>(max_entries_, 1);
}

void offset_map::clear() noexcept {
  if (size_ == 0) return;
  std::fill(slots_.begin(), slots_.end(), slot{0, 0, -1});
  size_ = 0;
}

size_t offset_map::find(uint64_t h1, uint64_t h2) const noexcept {
  const size_t n = slots_.size();
  size_t i = static_cast<size_t>(h1 % n);
  while (slots_[i].offset >= 0 && (slots_[i].h1 != h1 || slots_[i].h2 != h2)) i = (i + 1) % n;
  return i;  // the key's slot, or the empty slot where it would go
}

void offset_map::put(bytes_view key, int64_t o) noexcept {
  uint64_t h1, h2;
  murmur3_128(key, h1, h2);
  slot& s = slots_[find(h1, h2)];
  if (s.offset < 0) {
    ++size_;
    s.h1 = h1;
    s.h2 = h2;
  }
  s.offset = std::max(s.offset, o);
}

int64_t offset_map::get(bytes_view key) const noexcept {
  uint64_t h1, h2;
  murmur3_128(key, h1, h2);
  return slots_[find(h1, h2)].offset;
}

}  // namespace lkstream::storage

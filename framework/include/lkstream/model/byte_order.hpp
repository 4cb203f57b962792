#pragma once
// Big-endian integer access and Kafka's zig-zag varints, over byte spans. Bounds are the
// caller's job for the fixed-width functions; the varint readers check and report.

#include <bit>
#include <cstdint>
#include <cstring>
#include <optional>

#include "lkstream/base/types.hpp"

namespace lkstream::model {

/// Byte swap for 1..8 byte integers (std::byteswap is C++23).
template <class T>
constexpr T byte_swap(T v) noexcept {
  if constexpr (sizeof(T) == 1) return v;
  else if constexpr (sizeof(T) == 2) return static_cast<T>(__builtin_bswap16(static_cast<uint16_t>(v)));
  else if constexpr (sizeof(T) == 4) return static_cast<T>(__builtin_bswap32(static_cast<uint32_t>(v)));
  else return static_cast<T>(__builtin_bswap64(static_cast<uint64_t>(v)));
}

template <class T>
inline T load_be(const std::byte* p) noexcept {
  T v;
  std::memcpy(&v, p, sizeof(T));
  if constexpr (std::endian::native == std::endian::little && sizeof(T) > 1) v = byte_swap(v);
  return v;
}

template <class T>
inline void store_be(std::byte* p, T v) noexcept {
  if constexpr (std::endian::native == std::endian::little && sizeof(T) > 1) v = byte_swap(v);
  std::memcpy(p, &v, sizeof(T));
}

template <class T>
inline void append_be(bytes& out, T v) {
  size_t n = out.size();
  out.resize(n + sizeof(T));
  store_be(out.data() + n, v);
}

/// Appends a zig-zag varlong (Kafka's ByteUtils.writeVarlong).
inline void append_varlong(bytes& out, int64_t v) {
  uint64_t z = (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63);
  while (z >= 0x80) {
    out.push_back(static_cast<std::byte>((z & 0x7f) | 0x80));
    z >>= 7;
  }
  out.push_back(static_cast<std::byte>(z));
}

inline size_t varlong_size(int64_t v) noexcept {
  uint64_t z = (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63);
  size_t n = 1;
  while (z >= 0x80) { z >>= 7; ++n; }
  return n;
}

/// Reads a zig-zag varlong at data[pos], advancing pos. nullopt if truncated or longer than
/// 10 bytes.
inline std::optional<int64_t> read_varlong(bytes_view data, size_t& pos) noexcept {
  uint64_t z = 0;
  for (int shift = 0; shift < 70; shift += 7) {
    if (pos >= data.size()) return std::nullopt;
    auto b = static_cast<uint8_t>(data[pos++]);
    z |= static_cast<uint64_t>(b & 0x7f) << shift;
    if (!(b & 0x80)) return static_cast<int64_t>((z >> 1) ^ -(z & 1));
  }
  return std::nullopt;
}

/// Reads a zig-zag varint (must fit int32).
inline std::optional<int32_t> read_varint(bytes_view data, size_t& pos) noexcept {
  auto v = read_varlong(data, pos);
  if (!v || *v < INT32_MIN || *v > INT32_MAX) return std::nullopt;
  return static_cast<int32_t>(*v);
}

}  // namespace lkstream::model

#include "lkstream/model/partitioner.hpp"

#include <cstring>

namespace lkstream::model {

int32_t murmur2(bytes_view key) noexcept {
  // Kafka's Utils.murmur2: little-endian 4-byte words, 32-bit arithmetic with wrap-around.
  constexpr uint32_t seed = 0x9747b28c;
  constexpr uint32_t m = 0x5bd1e995;
  constexpr int r = 24;
  const auto* data = reinterpret_cast<const uint8_t*>(key.data());
  const auto length = static_cast<uint32_t>(key.size());
  uint32_t h = seed ^ length;
  const uint32_t words = length / 4;
  for (uint32_t i = 0; i < words; ++i) {
    const uint8_t* p = data + i * 4;
    uint32_t k = uint32_t(p[0]) | uint32_t(p[1]) << 8 | uint32_t(p[2]) << 16 | uint32_t(p[3]) << 24;
    k *= m;
    k ^= k >> r;
    k *= m;
    h *= m;
    h ^= k;
  }
  const uint8_t* tail = data + words * 4;
  switch (length % 4) {
    case 3: h ^= uint32_t(tail[2]) << 16; [[fallthrough]];
    case 2: h ^= uint32_t(tail[1]) << 8; [[fallthrough]];
    case 1: h ^= uint32_t(tail[0]); h *= m;
  }
  h ^= h >> 13;
  h *= m;
  h ^= h >> 15;
  return static_cast<int32_t>(h);
}

partition_id partition_for_key(bytes_view key, int32_t partition_count) noexcept {
  // Kafka: Utils.toPositive(murmur2(key)) % numPartitions, toPositive = x & 0x7fffffff.
  auto positive = static_cast<uint32_t>(murmur2(key)) & 0x7fffffffu;
  return partition_id{static_cast<int32_t>(positive % static_cast<uint32_t>(partition_count))};
}

}  // namespace lkstream::model

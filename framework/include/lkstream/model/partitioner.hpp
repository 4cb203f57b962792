#pragma once
// Kafka's default partitioner: murmur2 of the key bytes, made positive, modulo the partition
// count. A key lands on the same partition number as with Kafka's Java client and librdkafka's
// "murmur2_random" partitioner.

#include <cstdint>

#include "lkstream/base/types.hpp"

namespace lkstream::model {

/// Kafka's murmur2 (Utils.murmur2), seed 0x9747b28c.
int32_t murmur2(bytes_view key) noexcept;

/// partition = (murmur2(key) & 0x7fffffff) % partition_count; partition_count must be > 0.
partition_id partition_for_key(bytes_view key, int32_t partition_count) noexcept;

}  // namespace lkstream::model

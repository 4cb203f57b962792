#pragma once
// CRC-32C (Castagnoli), as Kafka uses for RecordBatch v2. Uses the SSE4.2 crc32 instruction
// when the CPU has it (checked once at run time), a table-driven fallback otherwise.

#include <cstdint>

#include "lkstream/base/types.hpp"

namespace lkstream::model {

/// Extends `crc` (0 for a fresh computation) over `data`.
uint32_t crc32c(bytes_view data, uint32_t crc = 0) noexcept;

/// True when the hardware path is in use (reported by benchmarks and `serve` at startup).
bool crc32c_hardware() noexcept;

}  // namespace lkstream::model

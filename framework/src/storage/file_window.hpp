#pragma once
// A read-ahead window over [0, end) of a file for walking batch headers: view(pos, len)
// returns the bytes from the buffer when they are there and otherwise refills it with one
// read_at of max(len, chunk_bytes). Views stay valid until the next call. Used by recovery
// (whole batches) and by lookups (61-byte headers), so a scan costs one read per chunk rather
// than one per batch.

#include <cstdint>

#include "lkstream/base/result.hpp"
#include "lkstream/storage/file_system.hpp"

namespace lkstream::storage {

class file_window {
 public:
  file_window(const file& f, uint64_t end, size_t chunk_bytes) noexcept
      : file_(f), end_(end), chunk_(chunk_bytes) {}

  /// Bytes [pos, pos + len); shorter only when `end` (or the real end of file) comes first.
  result<bytes_view> view(uint64_t pos, size_t len);

 private:
  const file& file_;
  uint64_t end_;
  size_t chunk_;
  bytes buf_;
  uint64_t buf_pos_ = 0;
  size_t buf_len_ = 0;
};

}  // namespace lkstream::storage

#include "file_window.hpp"

#include <algorithm>

namespace lkstream::storage {

result<bytes_view> file_window::view(uint64_t pos, size_t len) {
  if (pos >= end_) return bytes_view{};
  len = static_cast<size_t>(std::min<uint64_t>(len, end_ - pos));
  if (pos >= buf_pos_ && pos + len <= buf_pos_ + buf_len_)
    return bytes_view{buf_.data() + (pos - buf_pos_), len};
  const auto want = static_cast<size_t>(std::min<uint64_t>(std::max(len, chunk_), end_ - pos));
  if (buf_.size() < want) buf_.resize(want);
  buf_len_ = 0;
  LK_ASSIGN_OR_RETURN(size_t n, file_.read_at(pos, mutable_bytes_view(buf_.data(), want)));
  buf_pos_ = pos;
  buf_len_ = n;
  return bytes_view{buf_.data(), std::min(n, len)};
}

}  // namespace lkstream::storage

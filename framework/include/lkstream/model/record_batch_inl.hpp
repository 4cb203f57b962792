#pragma once
// Template definitions for record_batch.hpp.

#include "lkstream/model/byte_order.hpp"

namespace lkstream::model {

template <class Fn>
status for_each_header(const record_view& rec, Fn&& fn) {
  size_t pos = 0;
  const bytes_view raw = rec.headers_raw;
  for (int32_t i = 0; i < rec.header_count; ++i) {
    auto klen = read_varint(raw, pos);
    if (!klen || *klen < 0 || static_cast<size_t>(*klen) > raw.size() - pos)
      return {errc::corrupt_batch, "bad header key length"};
    record_header_view h;
    h.key = as_string_view(raw.subspan(pos, static_cast<size_t>(*klen)));
    pos += static_cast<size_t>(*klen);
    auto vlen = read_varint(raw, pos);
    if (!vlen || *vlen < -1 || (*vlen > 0 && static_cast<size_t>(*vlen) > raw.size() - pos))
      return {errc::corrupt_batch, "bad header value length"};
    if (*vlen >= 0) {
      h.value = raw.subspan(pos, static_cast<size_t>(*vlen));
      pos += static_cast<size_t>(*vlen);
    }
    fn(static_cast<const record_header_view&>(h));
  }
  return {};
}

}  // namespace lkstream::model

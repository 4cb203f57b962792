#include "lkstream/partition/partition_types.hpp"

#include <cstring>

namespace lkstream::partition {

append_batch append_batch::of(std::shared_ptr<bytes> buffer) {
  append_batch b;
  if (!buffer) return b;
  b.data = mutable_bytes_view(*buffer);
  b.pinned_bytes = buffer->capacity();
  b.owner = std::move(buffer);
  return b;
}

append_batch append_batch::copy_of(bytes_view src) {
  append_batch b;
  auto buffer = std::make_shared_for_overwrite<std::byte[]>(src.size());
  if (!src.empty()) std::memcpy(buffer.get(), src.data(), src.size());
  b.data = mutable_bytes_view(buffer.get(), src.size());
  b.pinned_bytes = src.size();
  b.owner = std::move(buffer);
  return b;
}

append_batch append_batch::slice_or_copy(std::shared_ptr<void> owner, mutable_bytes_view src,
                                         size_t buffer_bytes) {
  if (!worth_pinning(src.size(), buffer_bytes)) return copy_of(src);
  return {std::move(owner), src, buffer_bytes};
}

shared_slice append_batch::freeze() && {
  return shared_slice(std::move(owner), data, pinned_bytes);
}

}  // namespace lkstream::partition

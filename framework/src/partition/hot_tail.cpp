#include "lkstream/partition/hot_tail.hpp"

#include <algorithm>

namespace lkstream::partition {

void hot_tail::push(tail_batch b) {
  if (max_bytes_ == 0) return;
  bytes_ += b.data.pinned_bytes();
  batches_.push_back(std::move(b));
  evict();
}

void hot_tail::evict() {
  while (batches_.size() > 1 && bytes_ > max_bytes_) {
    bytes_ -= batches_.front().data.pinned_bytes();
    batches_.pop_front();
  }
  if (max_bytes_ == 0) clear();
}

bool hot_tail::covers(offset start) const noexcept {
  return !batches_.empty() && start >= batches_.front().base && start <= batches_.back().last;
}

size_t hot_tail::read(offset start, size_t max_bytes, offset max_offset,
                      std::vector<shared_slice>& out) const {
  auto it = std::partition_point(batches_.begin(), batches_.end(),
                                 [&](const tail_batch& b) { return b.last < start; });
  size_t added = 0;
  for (; it != batches_.end(); ++it) {
    if (it->base > max_offset) break;
    if (added > 0 && added + it->data.size() > max_bytes) break;
    out.push_back(it->data);
    added += it->data.size();
  }
  return added;
}

void hot_tail::trim_before(offset start) {
  while (!batches_.empty() && batches_.front().last < start) {
    bytes_ -= batches_.front().data.pinned_bytes();
    batches_.pop_front();
  }
}

}  // namespace lkstream::partition

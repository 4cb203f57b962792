#include "index_builder.hpp"

namespace lkstream::storage {

void index_builder::add_batch(uint64_t position, const model::batch_header& h,
                              uint32_t index_interval_bytes, offset_index& offsets,
                              time_index& times) {
  const auto relative_last = static_cast<uint32_t>(h.last_offset() - base_.value());
  if (h.max_timestamp > max_timestamp_) {
    max_timestamp_ = h.max_timestamp;
    offset_of_max_ = relative_last;
  }
  if (bytes_since_last_entry_ > index_interval_bytes) {
    offsets.push_back({relative_last, static_cast<uint32_t>(position)});
    maybe_add_time_entry(times);
    bytes_since_last_entry_ = 0;
  }
  bytes_since_last_entry_ += h.size_bytes();
}

void index_builder::seal(time_index& times) const {
  maybe_add_time_entry(times);
}

void index_builder::maybe_add_time_entry(time_index& times) const {
  if (max_timestamp_ < 0) return;
  if (times.empty() || max_timestamp_ > times.back().timestamp)
    times.push_back({max_timestamp_, offset_of_max_});
}

}  // namespace lkstream::storage

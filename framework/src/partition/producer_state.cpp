#include "lkstream/partition/producer_state.hpp"

namespace lkstream::partition {
namespace {

// Sequence numbers wrap from INT32_MAX to 0 (Kafka DefaultRecordBatch.incrementSequence).
int32_t add_sequence(int32_t seq, int32_t delta) {
  return static_cast<int32_t>((static_cast<int64_t>(seq) + delta) % (int64_t{INT32_MAX} + 1));
}

}  // namespace

sequence_verdict producer_state::check(const model::batch_header& h) const {
  sequence_verdict v;
  if (h.producer_id < 0) return v;
  const auto pid = std::to_string(h.producer_id);
  if (h.base_sequence < 0) {
    v.check = sequence_check::missing_sequence;
    v.message = "batch of producer " + pid + " has producer_id but base_sequence " +
                std::to_string(h.base_sequence);
    return v;
  }
  auto it = entries_.find(h.producer_id);
  if (it == entries_.end()) return v;
  const entry& e = it->second;
  if (h.producer_epoch < e.epoch) {
    v.check = sequence_check::stale_epoch;
    v.message = "producer " + pid + " epoch " + std::to_string(h.producer_epoch) +
                " is older than its current epoch " + std::to_string(e.epoch);
    return v;
  }
  if (h.producer_epoch > e.epoch) {
    if (h.base_sequence != 0) {
      v.check = sequence_check::out_of_order;
      v.message = "producer " + pid + " new epoch " + std::to_string(h.producer_epoch) +
                  " must start at sequence 0, got " + std::to_string(h.base_sequence);
    }
    return v;
  }
  if (e.batches.empty()) return v;  // only a marker so far: any sequence
  const int32_t last_seq = add_sequence(h.base_sequence, h.last_offset_delta);
  for (const auto& b : e.batches) {
    if (b.first_seq == h.base_sequence && b.last_seq == last_seq) {
      v.check = sequence_check::duplicate;
      v.original = {b.first_offset, b.last_offset, -1};
      return v;
    }
  }
  const int32_t expected = add_sequence(e.batches.back().last_seq, 1);
  if (h.base_sequence != expected) {
    v.check = sequence_check::out_of_order;
    v.message = "producer " + pid + " epoch " + std::to_string(h.producer_epoch) +
                ": expected sequence " + std::to_string(expected) + ", got " +
                std::to_string(h.base_sequence);
  }
  return v;
}

void producer_state::record(const model::batch_header& h, offset base, offset last) {
  if (h.producer_id < 0 || h.base_sequence < 0) return;
  auto [it, fresh] = entries_.try_emplace(h.producer_id);
  entry& e = it->second;
  if (!fresh && h.producer_epoch < e.epoch) return;
  if (fresh || h.producer_epoch > e.epoch) {
    e.epoch = h.producer_epoch;
    e.batches.clear();
  }
  e.batches.push_back({h.base_sequence, add_sequence(h.base_sequence, h.last_offset_delta), base,
                       last, h.max_timestamp});
  if (e.batches.size() > batches_retained) e.batches.pop_front();
}

void producer_state::record_marker(int64_t producer_id, int16_t epoch) {
  if (producer_id < 0) return;
  auto [it, fresh] = entries_.try_emplace(producer_id);
  entry& e = it->second;
  if (fresh || epoch > e.epoch) {
    e.epoch = epoch;
    e.batches.clear();
  }
}

std::optional<int16_t> producer_state::epoch_of(int64_t producer_id) const {
  auto it = entries_.find(producer_id);
  if (it == entries_.end()) return std::nullopt;
  return it->second.epoch;
}

status producer_state::rebuild(const storage::log& log, offset from) {
  return log.scan(from, [this](bytes_view batch) {
    auto h = model::read_header(batch);
    if (!h || h->producer_id < 0) return true;
    if (h->is_control())
      record_marker(h->producer_id, h->producer_epoch);
    else
      record(*h, offset{h->base_offset}, offset{h->last_offset()});
    return true;
  });
}

}  // namespace lkstream::partition

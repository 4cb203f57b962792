#include "lkstream/plugin_host/ack_tracker.hpp"

namespace lkstream::plugin_host {

uint64_t ack_tracker::add(uint64_t token, uint64_t records) {
  std::lock_guard<std::mutex> g(m_);
  pending_.push_back({token, records, records, false});
  in_flight_ += records;
  return first_seq_ + pending_.size() - 1;
}

void ack_tracker::settle(uint64_t seq, bool durable, const std::string& reason) {
  std::lock_guard<std::mutex> g(m_);
  if (!durable && !failure_) failure_ = reason.empty() ? "a record was not stored" : reason;
  if (seq < first_seq_ || seq - first_seq_ >= pending_.size()) return;
  auto& e = pending_[seq - first_seq_];
  if (e.outstanding == 0) return;
  --e.outstanding;
  --in_flight_;
  if (!durable) e.failed = true;
}

std::vector<uint64_t> ack_tracker::take_acks() {
  std::lock_guard<std::mutex> g(m_);
  std::vector<uint64_t> out;
  while (!pending_.empty() && pending_.front().outstanding == 0 && !pending_.front().failed) {
    out.push_back(pending_.front().token);
    acked_records_ += pending_.front().records;
    pending_.pop_front();
    ++first_seq_;
  }
  return out;
}

std::optional<std::string> ack_tracker::failure() const {
  std::lock_guard<std::mutex> g(m_);
  return failure_;
}

uint64_t ack_tracker::in_flight() const {
  std::lock_guard<std::mutex> g(m_);
  return in_flight_;
}

uint64_t ack_tracker::acked_records() const {
  std::lock_guard<std::mutex> g(m_);
  return acked_records_;
}

}  // namespace lkstream::plugin_host

#include "pipeline/source_tracker.hpp"

#include <utility>

namespace lkstream::actors {

pipeline_detail::ticket_ptr source_tracker::open(std::map<topic_partition, int64_t> next_offsets) {
  uint64_t seq = 0;
  {
    std::lock_guard<std::mutex> g(m_);
    seq = next_seq_++;
    open_.emplace(seq, entry{std::move(next_offsets), false});
    max_seen_ = std::max(max_seen_, open_.size());
  }
  std::weak_ptr<source_tracker> weak = weak_from_this();
  return std::make_shared<pipeline_detail::ticket>([weak, seq](bool ok) {
    if (auto t = weak.lock()) t->complete(seq, ok);
  });
}

void source_tracker::complete(uint64_t seq, bool ok) {
  {
    std::lock_guard<std::mutex> g(m_);
    if (abandoned_) return;
    if (!ok) failed_ = true;
    auto it = open_.find(seq);
    if (it == open_.end()) return;
    it->second.done = true;
    // Fold the completed prefix into the committable offsets.
    while (!open_.empty() && open_.begin()->second.done) {
      for (auto& [tp, off] : open_.begin()->second.offsets) {
        auto& c = committable_[tp];
        c = std::max(c, off);
      }
      open_.erase(open_.begin());
    }
  }
  cv_.notify_all();
  if (on_change_) on_change_();
}

size_t source_tracker::in_flight() const {
  std::lock_guard<std::mutex> g(m_);
  return open_.size();
}

size_t source_tracker::max_in_flight_seen() const {
  std::lock_guard<std::mutex> g(m_);
  return max_seen_;
}

bool source_tracker::wait_below(size_t limit, std::chrono::milliseconds timeout) {
  std::unique_lock<std::mutex> g(m_);
  return cv_.wait_for(g, timeout, [&] { return open_.size() < limit || failed_; });
}

std::map<topic_partition, int64_t> source_tracker::take_committable() {
  std::lock_guard<std::mutex> g(m_);
  if (failed_ || abandoned_) return {};
  return std::exchange(committable_, {});
}

bool source_tracker::failed() const {
  std::lock_guard<std::mutex> g(m_);
  return failed_;
}

void source_tracker::abandon() {
  {
    std::lock_guard<std::mutex> g(m_);
    abandoned_ = true;
  }
  cv_.notify_all();
}

}  // namespace lkstream::actors

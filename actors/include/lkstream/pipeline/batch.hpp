#pragma once
// What flows between pipeline stages: batches of typed elements, never single records.
//
// A batch is handed from one stage actor to the next as a shared_ptr; the sender keeps no
// reference, so the receiver owns it and may move elements out. A batch carries the tickets of
// the source polls it derives from: a ticket completes (and the source may commit the offsets
// of its records) when its last reference is gone, i.e. when every batch, dead letter and
// checkpoint derived from those records was durably written or deliberately dropped.
//
// Threading: a batch is used by one stage at a time. Tickets may be released on any thread.

#include <algorithm>
#include <atomic>
#include <functional>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "lkstream/base/types.hpp"

namespace lkstream::pipeline_detail {

inline constexpr timestamp_ms no_watermark = std::numeric_limits<timestamp_ms>::min();

/// Where an element came from: the source (index of the from() in the pipeline), partition and
/// offset of the record it was read from; -1 for elements made by a window (many origins).
struct origin {
  int32_t source = -1;
  int32_t partition = -1;
  int64_t offset = -1;
};

/// Completion of one source poll. The callback runs once, when the last reference goes, with
/// ok = false if any holder called fail() (a sink append failed): then nothing is committed.
class ticket {
 public:
  explicit ticket(std::function<void(bool ok)> done) : done_(std::move(done)) {}
  ~ticket() {
    if (done_) done_(!failed_.load(std::memory_order_acquire));
  }
  ticket(const ticket&) = delete;
  ticket& operator=(const ticket&) = delete;
  void fail() { failed_.store(true, std::memory_order_release); }

 private:
  std::function<void(bool)> done_;
  std::atomic<bool> failed_{false};
};

using ticket_ptr = std::shared_ptr<ticket>;

/// One typed record inside the pipeline: the value, its key (set by key_by or read from the
/// source record) and its event timestamp (the record timestamp, kept by every operator).
template <class T>
struct element {
  T value;
  std::string key;
  bool keyed = false;
  timestamp_ms ts = 0;
  origin from;
};

/// FNV-1a 64: the key -> instance mapping of keyed stages. Fixed (unlike std::hash) because
/// checkpointed state is partitioned by it and must land on the same instance after a restart.
inline uint64_t key_hash(std::string_view key) {
  uint64_t h = 1469598103934665603ull;
  for (unsigned char c : key) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return h;
}

class batch_base;
using batch_ptr = std::shared_ptr<batch_base>;

class batch_base {
 public:
  virtual ~batch_base() = default;
  virtual size_t size() const = 0;
  /// Splits into n batches by key_hash(key) % n (unkeyed elements go to instance 0); each part
  /// gets a copy of the tickets, the watermark and the end flag, even when empty.
  virtual std::vector<batch_ptr> split_by_key(size_t n) = 0;
  /// A deep copy (fan-out of one stream to several downstream stages).
  virtual batch_ptr clone() const = 0;

  std::vector<ticket_ptr> tickets;
  /// Highest event timestamp the source has read up to and including this batch.
  timestamp_ms watermark = no_watermark;
  /// The last batch of a bounded run: stateful stages flush every open window.
  bool end_of_input = false;

  /// Copies the bookkeeping (not the elements) of `from`.
  void inherit(const batch_base& from) {
    tickets = from.tickets;
    watermark = from.watermark;
    end_of_input = from.end_of_input;
  }
  /// Moves the bookkeeping of `from` (whose tickets are then released by this batch).
  void take(batch_base& from) {
    tickets = std::move(from.tickets);
    watermark = from.watermark;
    end_of_input = from.end_of_input;
  }
};

template <class T>
class batch final : public batch_base {
 public:
  size_t size() const override { return items.size(); }

  std::vector<batch_ptr> split_by_key(size_t n) override {
    std::vector<std::shared_ptr<batch<T>>> parts(n);
    for (auto& p : parts) {
      p = std::make_shared<batch<T>>();
      p->inherit(*this);
      p->items.reserve(items.size() / n + 1);
    }
    for (auto& e : items) {
      size_t i = e.keyed ? static_cast<size_t>(key_hash(e.key) % n) : 0;
      parts[i]->items.push_back(std::move(e));
    }
    items.clear();
    return {parts.begin(), parts.end()};
  }

  batch_ptr clone() const override {
    if constexpr (std::is_copy_constructible_v<T>) {
      auto b = std::make_shared<batch<T>>(*this);
      return b;
    } else {
      return nullptr;  // the builder refuses fan-out of non-copyable types
    }
  }

  std::vector<element<T>> items;
};

}  // namespace lkstream::pipeline_detail

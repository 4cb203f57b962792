#pragma once
// source_tracker: which source polls are complete, and which offsets may be committed.
//
// Every poll of a pipeline's source gets a sequence number and a ticket (batch.hpp). A ticket
// completes when its last reference goes; the offsets of a poll become committable once it and
// every earlier poll completed (a commit never skips an incomplete poll). A failed ticket (a
// sink append failed) stops all further commits: the records after the last commit are read
// again by the next run. abandon() (shutdown) ignores completions from then on, because
// batches destroyed by stopping actors are not processed.
//
// Threading: every member is thread-safe; tickets may complete on any thread.

#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>

#include "lkstream/base/types.hpp"
#include "lkstream/pipeline/batch.hpp"

namespace lkstream::actors {

class source_tracker : public std::enable_shared_from_this<source_tracker> {
 public:
  /// `on_change` runs (outside the lock) when a ticket completes, e.g. to wake the source.
  explicit source_tracker(std::function<void()> on_change = {})
      : on_change_(std::move(on_change)) {}

  /// Registers a poll whose records end below `next_offsets` (per partition); the returned
  /// ticket travels with every batch derived from it.
  pipeline_detail::ticket_ptr open(std::map<topic_partition, int64_t> next_offsets);

  size_t in_flight() const;
  size_t max_in_flight_seen() const;
  /// Waits until fewer than `limit` polls are in flight (true) or the timeout passed (false).
  bool wait_below(size_t limit, std::chrono::milliseconds timeout);

  /// The offsets to commit now (highest per partition of the completed prefix not yet taken);
  /// empty when nothing new completed or after a failure.
  std::map<topic_partition, int64_t> take_committable();

  bool failed() const;
  void abandon();

 private:
  struct entry {
    std::map<topic_partition, int64_t> offsets;
    bool done = false;
  };
  void complete(uint64_t seq, bool ok);

  mutable std::mutex m_;
  std::condition_variable cv_;
  std::function<void()> on_change_;
  uint64_t next_seq_ = 0;
  std::map<uint64_t, entry> open_;
  std::map<topic_partition, int64_t> committable_;
  size_t max_seen_ = 0;
  bool failed_ = false;
  bool abandoned_ = false;
};

}  // namespace lkstream::actors

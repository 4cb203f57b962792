#pragma once
// Turns per-record delivery reports into per-emit acks for a source connector, in emit order.
//
// A source emits batches of records, each with its own ack token. Records of one emit may go
// to several partitions and their delivery reports arrive in any order, on engine threads. The
// tracker releases a token only when every record of its emit is durable AND every earlier
// emit was released, so a source that commits "everything up to token T" on ack(T) never
// commits past a record that is not yet stored. The first failed record stops the releases for
// good: tokens from that emit on are never acked (the instance is then restarted and resends).
//
// Threading: add()/take_acks()/queries from the connector thread, settle() from any thread.

#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace lkstream::plugin_host {

class ack_tracker {
 public:
  /// Registers an emit of `records` records carrying the plugin's `token`; returns the emit's
  /// sequence number for settle(). An emit of 0 records completes with the ones before it.
  uint64_t add(uint64_t token, uint64_t records);

  /// One record of emit `seq` reached its final state: durable, or failed with `reason`.
  void settle(uint64_t seq, bool durable, const std::string& reason = {});

  /// The tokens that may be acked now, in emit order; each is returned once.
  std::vector<uint64_t> take_acks();

  /// The first failure reported, if any.
  std::optional<std::string> failure() const;

  /// Records emitted and not yet settled.
  uint64_t in_flight() const;
  /// Records of released (acked) emits.
  uint64_t acked_records() const;

 private:
  struct pending_emit {
    uint64_t token;
    uint64_t records;
    uint64_t outstanding;
    bool failed = false;  // a record of it was not stored: never released
  };

  mutable std::mutex m_;
  std::deque<pending_emit> pending_;  // pending_[i] has sequence number first_seq_ + i
  uint64_t first_seq_ = 0;
  uint64_t in_flight_ = 0;
  uint64_t acked_records_ = 0;
  std::optional<std::string> failure_;
};

}  // namespace lkstream::plugin_host

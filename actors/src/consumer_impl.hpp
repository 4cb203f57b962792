#pragma once
// consumer::impl: fetch machinery (one outstanding long-poll fetch per assigned partition,
// results queued for poll()) and group membership (a background thread running the classic
// join / sync / heartbeat cycle against the group manager; consumer_group.cpp).

#include <condition_variable>
#include <deque>
#include <functional>
#include <optional>
#include <map>
#include <mutex>
#include <thread>

#include "engine_impl.hpp"
#include "lkstream/consumer.hpp"
#include "lkstream/group/group_requests.hpp"
#include "lkstream/model/compression.hpp"

namespace lkstream {

struct consumer_shared;

/// One assigned partition.
struct partition_slot {
  std::shared_ptr<const std::string> topic;
  int32_t partition = 0;
  actors::partition_actor actor;
  int64_t position = -1;    // next offset poll() returns (-1: to be initialised)
  int64_t fetch_pos = -1;   // next offset to fetch
  int64_t high_watermark = -1;
  uint64_t epoch = 0;       // bumped on seek/revoke: older fetch results are dropped
  bool fetching = false;
  // The last compressed batch decoded for poll() (consumer::impl::records_of).
  std::shared_ptr<bytes> decoded;
  int64_t decoded_base = -1;
};

/// A fetch result waiting to be polled.
struct fetched_chunk {
  topic_partition tp;
  uint64_t epoch;
  actors::fetch_response resp;
  size_t bytes;
};

/// State shared with fetch sinks, which may outlive the consumer.
struct consumer_shared : std::enable_shared_from_this<consumer_shared> {
  std::mutex m;
  std::condition_variable cv;
  std::map<topic_partition, partition_slot> slots;
  std::deque<fetched_chunk> queue;
  size_t buffered = 0;
  size_t buffer_max = 64 << 20;
  size_t fetch_max = 1 << 20;
  bool woken = false;
  bool closed = false;

  /// Issues a fetch for the slot if none is outstanding and there is buffer room.
  void maybe_fetch_locked(partition_slot& s);
  void fetch_all_locked();
};

/// The commits of one consumer, in issue order (consumer_group.cpp). Callers append under
/// `m`; at most one writer actor at a time takes the oldest entries, writes them as one
/// request (the newest offset per partition) and runs their callbacks in order; it quits when
/// the queue is empty. Shared with the writer, which may outlive the consumer.
struct commit_queue {
  struct entry {
    std::map<topic_partition, int64_t> offsets;
    int32_t generation = -1;  // the group identity when the commit was issued
    std::string member_id;
    std::function<void(const status&)> done;
    std::optional<status> refused;  // refused when issued: delivered in its turn, not written
  };
  std::mutex m;
  std::condition_variable cv;  // notified when the queue drained
  std::deque<entry> queued;
  bool writing = false;        // a writer actor is running
};

struct consumer::impl {
  engine::impl* eng = nullptr;
  consumer_options opts;
  std::shared_ptr<consumer_shared> sh = std::make_shared<consumer_shared>();
  std::chrono::steady_clock::time_point last_auto_commit = std::chrono::steady_clock::now();

  // Group membership (consumer_group.cpp). The identity below is published by the membership
  // thread after each successful sync and read by commits, under identity_m.
  std::vector<std::string> subscription;
  std::mutex identity_m;
  std::string member_id;
  int32_t generation = -1;
  bool in_group = false;
  std::thread membership;
  std::mutex group_m;
  std::condition_variable group_cv;
  bool rejoin_requested = false;
  bool stop_membership = false;

  model::decompressor decompressor;  // used by poll() under sh->m
  std::shared_ptr<commit_queue> commits = std::make_shared<commit_queue>();

  status set_assignment(const std::vector<topic_partition>& tps);
  status init_positions_locked(std::unique_lock<std::mutex>& lk);
  result<bytes_view> records_of(partition_slot& slot, const model::batch_header& h,
                                bytes_view batch);
  result<int64_t> list_offset(const actors::partition_actor& a, int64_t ts);
  std::map<topic_partition, int64_t> positions();

  // consumer_group.cpp
  status start_membership();
  void publish_identity(bool joined, int32_t gen, std::string member);
  void membership_loop();
  void stop_group();
  /// Queues a commit and waits for its outcome (issue order with the async ones).
  status commit(const std::map<topic_partition, int64_t>& offsets);
  /// Queues a commit (or a refusal, delivered in order); starts the writer when idle.
  void enqueue_commit(std::map<topic_partition, int64_t> offsets,
                      std::function<void(const status&)> done, std::optional<status> refused);
  /// Why these offsets cannot be committed by this consumer now; ok if they can.
  status check_commit(const std::map<topic_partition, int64_t>& offsets, bool explicit_offsets);
  /// Waits until no commit is pending; false on timeout.
  bool wait_commits(std::chrono::milliseconds timeout);
  group::offset_commit_request commit_request(const std::map<topic_partition, int64_t>& offsets);
  result<std::map<topic_partition, int64_t>> fetch_committed(const std::vector<topic_partition>& tps);
};

}  // namespace lkstream

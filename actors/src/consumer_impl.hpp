#pragma once
// consumer::impl: fetch machinery (one outstanding long-poll fetch per assigned partition,
// results queued for poll()) and group membership (consumer_group.cpp).
//
// Concurrency model. Four parties touch a consumer; each piece of state has one owner or one
// lock, and each lock guards only the state named with it:
//   1. The application thread (one at a time: poll, commit, seek, assign, subscribe, close).
//      It owns `opts`, `subscription`, `last_auto_commit` and `decompressor`, and reads/writes
//      the fetch state under `sh->m`.
//   2. Fetch sinks, called on partition actors' threads (CAF workers): they only append the
//      result to `sh->queue` and issue the next fetch, under `sh->m`, and wake poll() through
//      `sh->cv`. They hold `sh` weakly: a result that arrives after close is dropped.
//   3. The group member actor (groups only, consumer_member.cpp): the join/sync/heartbeat
//      cycle as asynchronous requests to the group manager, no thread of its own. It publishes
//      the member identity under `identity_m` (read by commits), changes the assignment under
//      `sh->m` (assign_slots: no blocking call; poll() gives new partitions their positions)
//      and queues its revocation commits like any other. close() asks it to leave and waits
//      for its answer, after which it touches nothing of the consumer.
//   4. The commit writer actor (at most one at a time, spawned when commits are queued): it
//      takes queued commits under `commits->m`, writes them in issue order and runs their
//      callbacks; `commits->cv` tells waiters (sync commit, close) that the queue drained.
// wakeup() and close() may come from any thread: they set flags under `sh->m` and notify;
// close() then waits for the commit queue to drain and for the member to leave.
// Blocking requests to actors (committed offsets, list offsets) are made only by the
// application thread, never while `sh->m` is held: init_positions_locked() unlocks around them.

#include <condition_variable>
#include <deque>
#include <functional>
#include <future>
#include <optional>
#include <map>
#include <mutex>

#include "consumer_member_api.hpp"
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
  bool read_committed = false;  // isolation_level::read_committed (fixed at creation)
  bool woken = false;
  bool closed = false;
  bool slots_changed = false;  // assign_slots() ran: poll() positions the new partitions

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

  // Group membership (consumer_group.cpp, consumer_member.cpp). The identity below is
  // published by the member actor after each successful sync and read by commits, under
  // identity_m.
  std::vector<std::string> subscription;
  actors::consumer_member_actor member;
  std::future<void> member_gone;  // ready once the member actor terminated
  std::mutex identity_m;
  std::string member_id;
  int32_t generation = -1;
  bool in_group = false;

  model::decompressor decompressor;  // used by poll() under sh->m
  std::shared_ptr<commit_queue> commits = std::make_shared<commit_queue>();

  /// assign(): the partitions, with their positions (committed or reset) before it returns.
  status set_assignment(const std::vector<topic_partition>& tps);
  /// The slots for `tps` (positions kept for partitions kept; the next poll() initialises the
  /// others) without a blocking call: safe from the member actor.
  status assign_slots(const std::vector<topic_partition>& tps);
  status init_positions_locked(std::unique_lock<std::mutex>& lk);
  result<bytes_view> records_of(partition_slot& slot, const model::batch_header& h,
                                bytes_view batch);
  result<int64_t> list_offset(const actors::partition_actor& a, int64_t ts);
  // poll(), under sh->m: moves the records of the oldest fetched chunk at or after its slot's
  // position into `out` (up to max_poll_records); true when the chunk was used up (and
  // dropped), false when `out` filled first. A fetch error comes back once, then the chunk goes.
  result<bool> take_front_chunk_locked(record_set& out);
  /// Appends the batch's records at or after the slot's position; true if it took any.
  result<bool> append_records(partition_slot& slot, const model::batch_header& h,
                              bytes_view batch, record_set& out);
  void auto_commit_if_due();
  std::map<topic_partition, int64_t> positions();

  // consumer_group.cpp, consumer_member.cpp
  /// Spawns the member actor; `gone` is set when it terminated.
  actors::consumer_member_actor spawn_member(std::vector<std::string> topics,
                                             std::shared_ptr<std::promise<void>> gone);
  void publish_identity(bool joined, int32_t gen, std::string member);
  /// Asks the member to leave the group and waits until it did (close()).
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

#include "net/handlers/fetch.hpp"

#include <algorithm>
#include <chrono>
#include <memory>

#include "lkstream/model/record_batch.hpp"
#include "net/internal_topics.hpp"
#include "net/kafka_errors.hpp"
#include "topic/topic_registry.hpp"

namespace lkstream::net {
namespace {

using kafka::error_code;

struct fetch_slot {
  size_t t = 0, p = 0;               // position in the response
  actors::partition_actor partition;
  // To answer a parked fetch early (fetch_now). Weak: the partition actor holds the sink while
  // the fetch is queued or parked, and the sink's callback holds this gather.
  std::weak_ptr<actors::fetch_sink> sink;
  bool done = false;                 // no request of this slot is (or will be) outstanding
  int64_t next_offset = 0;           // where a follow-up read of this partition starts
  size_t budget = 0;                 // partition_max_bytes left for follow-up reads
  std::vector<shared_slice> chunks;  // whole batches, as the partition returned them
};

// The offset after the last whole batch in `chunk` (or `fallback` when it holds none).
int64_t offset_after(const shared_slice& chunk, int64_t fallback) {
  bytes_view rest = chunk.view();
  int64_t next = fallback;
  while (!rest.empty()) {
    auto size = model::peek_batch_size(rest);
    if (!size || !*size || **size > rest.size()) break;
    auto h = model::read_header(rest.first(**size));
    if (!h) break;
    next = h->last_offset() + 1;
    rest = rest.subspan(**size);
  }
  return next;
}

// One Fetch request in flight: the partitions' answers arrive one by one on the io thread.
//
// min_bytes counts across the request's partitions (Kafka's DelayedFetch): every partition is
// asked with min_bytes 1, so it parks until it has anything. A partition that answers with data
// while the request's total is still below min_bytes (and max_wait_ms has not passed) is asked
// again from the offset after its data, with the wait that is left; the request is answered
// once the total reaches min_bytes (the parked partitions then get fetch_now and answer with
// what they have), a partition reports an error, or every partition's wait ran out.
struct fetch_gather : std::enable_shared_from_this<fetch_gather> {
  kafka::fetch_response resp;
  std::vector<fetch_slot> slots;
  std::weak_ptr<listener_core> core;
  std::chrono::steady_clock::time_point deadline;
  size_t open = 0;  // slots not done
  size_t bytes = 0;
  size_t min_bytes = 1;
  size_t max_bytes = 0;
  bool flushed = false;  // every parked partition was told to answer now
  bool read_committed = false;
  std::optional<reply_slot> reply;

  static void ask(const std::shared_ptr<fetch_gather>& g, size_t i,
                  const actors::fetch_request& rq) {
    auto sink = std::make_shared<net_fetch_sink>(
        g->core, [g, i](actors::fetch_response& r) { g->on_answer(i, r); });
    g->slots[i].sink = sink;
    caf::anon_send(g->slots[i].partition, actors::fetch_atom::value, rq,
                   actors::fetch_sink_ptr(std::move(sink)));
  }

  void on_answer(size_t i, actors::fetch_response& r) {
    auto& slot = slots[i];
    if (slot.done) return;
    auto& pr = resp.responses[slot.t].partitions[slot.p];
    pr.error = to_kafka_error(r.code);
    // Kafka reports the offsets only with data (an out-of-range fetch gets -1 for all three),
    // and the aborted transactions only to read_committed (null otherwise).
    if (r.code == errc::ok) {
      pr.high_watermark = r.high_watermark.value();
      pr.last_stable_offset = r.last_stable.value();
      pr.log_start_offset = r.log_start.value();
    }
    if (!read_committed) {
      pr.aborted_transactions.reset();
    } else {
      // A follow-up read of the same partition may list a transaction again.
      for (const auto& a : r.aborted) {
        kafka::fetch_aborted_transaction at{a.producer_id, a.first.value()};
        if (std::ranges::find(*pr.aborted_transactions, at) == pr.aborted_transactions->end())
          pr.aborted_transactions->push_back(at);
      }
    }
    const size_t got = r.code == errc::ok ? r.bytes : 0;
    if (got) {
      bytes += got;
      slot.budget = slot.budget > got ? slot.budget - got : 0;
      for (auto& c : r.chunks) {
        slot.next_offset = offset_after(c, slot.next_offset);
        slot.chunks.push_back(std::move(c));
      }
    }
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                          deadline - std::chrono::steady_clock::now())
                          .count();
    if (r.code != errc::ok || flushed || bytes >= min_bytes || got == 0 || slot.budget == 0 ||
        left <= 0) {
      slot.done = true;
      --open;
      if (!flushed && (bytes >= min_bytes || r.code != errc::ok)) flush();
      if (open == 0) finish();
      return;
    }
    // Some data, not yet min_bytes in total: wait for more from where this answer ended.
    actors::fetch_request more;
    more.start = offset{slot.next_offset};
    more.max_bytes = slot.budget;
    more.min_bytes = 1;
    more.max_wait_ms = left;
    more.read_committed = read_committed;
    ask(shared_from_this(), i, more);
  }

  // Enough data (or an error to report): the partitions still parked answer with what they have.
  void flush() {
    flushed = true;
    for (auto& s : slots)
      if (!s.done)
        if (auto sink = s.sink.lock())
          caf::anon_send(s.partition, actors::answer_parked_fetch_atom::value, actors::fetch_sink_ptr(sink));
  }

  // Whole batches only; response max_bytes is a soft limit that only the very first batch may
  // exceed (KIP-74, notes P9/P10).
  void finish() {
    size_t total = 0;
    bool full = false;
    for (auto& slot : slots) {
      auto& pr = resp.responses[slot.t].partitions[slot.p];
      for (auto& chunk : slot.chunks) {
        if (full || chunk.empty()) break;
        bytes_view all = chunk.view();
        size_t pos = 0, taken = 0;
        while (pos < all.size()) {
          auto size = model::peek_batch_size(all.subspan(pos));
          if (!size || !*size) break;  // cannot happen for stored batches; stop cleanly
          const size_t n = **size;
          if (total != 0 && total + n > max_bytes) {
            full = true;
            break;
          }
          total += n;
          taken += n;
          pos += n;
        }
        if (taken) pr.records.emplace_back(chunk.owner(), all.subspan(0, taken));
      }
      slot.chunks.clear();
    }
    auto r = std::move(*reply);
    reply.reset();
    r.send(std::move(resp));
  }
};

}  // namespace

void handle_fetch(const request_context& ctx, kafka::fetch_request rq, reply_slot reply) {
  auto g = std::make_shared<fetch_gather>();
  g->core = ctx.weak_core();
  g->reply.emplace(std::move(reply));
  g->min_bytes = static_cast<size_t>(std::max(rq.min_bytes, 1));
  g->max_bytes = static_cast<size_t>(std::max(rq.max_bytes, 1));
  const int64_t max_wait = rq.min_bytes > 0 ? std::max(rq.max_wait_ms, 0) : 0;
  g->deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(max_wait);
  g->read_committed = rq.isolation_level == kafka::isolation_read_committed;
  auto& board = ctx.core.eng.board();
  if (rq.session_id != 0 && rq.session_epoch > 0) {
    // Incremental fetch sessions (KIP-227) are not kept: every fetch is a full one (session
    // 0). A client continuing a session it believes in is told, as Kafka tells it about a
    // session it forgot, FETCH_SESSION_ID_NOT_FOUND, and starts over with a full fetch.
    g->resp.error = error_code::fetch_session_id_not_found;
    g->finish();
    return;
  }

  std::vector<actors::fetch_request> requests;
  for (size_t t = 0; t < rq.topics.size(); ++t) {
    auto& ft = rq.topics[t];
    auto& tr = g->resp.responses.emplace_back();
    tr.topic = ft.topic;
    auto topic = board.find(ft.topic);
    for (size_t p = 0; p < ft.partitions.size(); ++p) {
      auto& fp = ft.partitions[p];
      auto& pr = tr.partitions.emplace_back();
      pr.partition_index = fp.partition;
      if (!topic && is_consumer_offsets_partition(ft.topic, fp.partition)) {
        // No records behind the internal topic (internal_topics.hpp): an empty log.
        pr.high_watermark = pr.last_stable_offset = pr.log_start_offset = 0;
        if (fp.fetch_offset != 0) pr.error = error_code::offset_out_of_range;
        if (!g->read_committed) pr.aborted_transactions.reset();
        continue;
      }
      if (!topic || fp.partition < 0 ||
          fp.partition >= static_cast<int32_t>(topic->partitions.size())) {
        pr.error = error_code::unknown_topic_or_partition;
        continue;
      }
      if (fp.current_leader_epoch > kafka::partition_leader_epoch) {
        pr.error = error_code::unknown_leader_epoch;  // the client is ahead of us (KIP-320)
        if (!g->read_committed) pr.aborted_transactions.reset();
        continue;
      }
      actors::fetch_request frq;
      frq.start = offset{fp.fetch_offset};
      frq.max_bytes =
          static_cast<size_t>(std::clamp(fp.partition_max_bytes, 1, std::max(rq.max_bytes, 1)));
      frq.min_bytes = 1;  // each partition wakes on any data; min_bytes is counted here
      frq.max_wait_ms = max_wait;
      frq.read_committed = g->read_committed;
      fetch_slot slot;
      slot.t = t;
      slot.p = p;
      slot.partition = topic->partitions[fp.partition];
      slot.next_offset = fp.fetch_offset;
      slot.budget = frq.max_bytes;
      g->slots.push_back(std::move(slot));
      requests.push_back(frq);
    }
  }
  g->open = g->slots.size();
  if (g->slots.empty()) {
    g->finish();
    return;
  }
  // Answers come back through the io thread, so none can arrive before every slot was asked.
  for (size_t i = 0; i < g->slots.size(); ++i) fetch_gather::ask(g, i, requests[i]);
}

}  // namespace lkstream::net

#include "net/handlers/fetch.hpp"

#include <algorithm>

#include "lkstream/model/record_batch.hpp"
#include "net/kafka_errors.hpp"
#include "topic/topic_registry.hpp"

namespace lkstream::net {
namespace {

using kafka::error_code;

struct fetch_slot {
  size_t t = 0, p = 0;               // position in the response
  caf::actor partition;
  // To answer a parked fetch early (fetch_now). Weak: the partition actor holds the sink while
  // the fetch is queued or parked, and the sink's callback holds this gather.
  std::weak_ptr<actors::fetch_sink> sink;
  bool answered = false;
  std::vector<shared_bytes> chunks;  // whole batches, as the partition returned them
};

// One Fetch request in flight: the partitions' answers arrive one by one on the io thread.
struct fetch_gather {
  kafka::fetch_response resp;
  std::vector<fetch_slot> slots;
  size_t outstanding = 0;
  size_t bytes = 0;
  size_t min_bytes = 1;
  size_t max_bytes = 0;
  bool flushed = false;  // every parked partition was told to answer now
  std::optional<reply_slot> reply;

  void on_answer(size_t i, actors::fetch_response& r) {
    auto& slot = slots[i];
    if (slot.answered) return;
    slot.answered = true;
    auto& pr = resp.responses[slot.t].partitions[slot.p];
    pr.error = to_kafka_error(r.code);
    if (r.code == errc::ok || r.code == errc::offset_out_of_range) {
      pr.high_watermark = r.high_watermark.value();
      pr.last_stable_offset = r.high_watermark.value();  // no transactions: LSO = HW (P14)
      pr.log_start_offset = r.log_start.value();
    }
    if (r.code == errc::ok) {
      slot.chunks = std::move(r.chunks);
      bytes += r.bytes;
    }
    --outstanding;
    if (!flushed && (bytes >= min_bytes || r.code != errc::ok)) flush();
    if (outstanding == 0) finish();
  }

  // Enough data (or an error to report): the partitions still parked answer with what they have.
  void flush() {
    flushed = true;
    for (auto& s : slots)
      if (!s.answered)
        if (auto sink = s.sink.lock())
          caf::anon_send(s.partition, actors::fetch_now_atom::value, actors::fetch_sink_ptr(sink));
  }

  // Whole batches only; response max_bytes is a soft limit that only the very first batch may
  // exceed (KIP-74, notes P9/P10).
  void finish() {
    size_t total = 0;
    bool full = false;
    for (auto& slot : slots) {
      auto& pr = resp.responses[slot.t].partitions[slot.p];
      for (auto& chunk : slot.chunks) {
        if (full || !chunk) break;
        bytes_view all(*chunk);
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
        if (taken) pr.records.emplace_back(chunk, all.subspan(0, taken));
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
  g->reply.emplace(std::move(reply));
  g->min_bytes = static_cast<size_t>(std::max(rq.min_bytes, 1));
  g->max_bytes = static_cast<size_t>(std::max(rq.max_bytes, 1));
  const int64_t max_wait = rq.min_bytes > 0 ? std::max(rq.max_wait_ms, 0) : 0;
  auto& board = *ctx.core.eng.board;

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
      if (!topic || fp.partition < 0 ||
          fp.partition >= static_cast<int32_t>(topic->partitions.size())) {
        pr.error = error_code::unknown_topic_or_partition;
        continue;
      }
      fetch_slot slot;
      slot.t = t;
      slot.p = p;
      slot.partition = topic->partitions[fp.partition];
      g->slots.push_back(std::move(slot));
      actors::fetch_request frq;
      frq.start = offset{fp.fetch_offset};
      frq.max_bytes = static_cast<size_t>(std::clamp(fp.partition_max_bytes, 1, std::max(rq.max_bytes, 1)));
      frq.min_bytes = 1;  // each partition wakes on any data; min_bytes is counted here
      frq.max_wait_ms = max_wait;
      requests.push_back(frq);
    }
  }
  g->outstanding = g->slots.size();
  if (g->slots.empty()) {
    g->finish();
    return;
  }
  // All sinks exist before the first request goes out: an answer may trigger flush().
  std::vector<actors::fetch_sink_ptr> sinks;
  for (size_t i = 0; i < g->slots.size(); ++i) {
    sinks.push_back(std::make_shared<net_fetch_sink>(
        ctx.weak_core(), [g, i](actors::fetch_response& r) { g->on_answer(i, r); }));
    g->slots[i].sink = sinks.back();
  }
  for (size_t i = 0; i < g->slots.size(); ++i)
    caf::anon_send(g->slots[i].partition, actors::fetch_atom::value, requests[i],
                   std::move(sinks[i]));
}

}  // namespace lkstream::net

#include "partition/partition_actor.hpp"
#include "partition/producer_state.hpp"
#include "file_syncer.hpp"

#include <algorithm>
#include <chrono>
#include <optional>

#include "lkstream/partition/hot_tail.hpp"
#include "lkstream/model/record_batch.hpp"

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(lkstream::actors::partition_actor_config)

namespace lkstream::actors {
namespace {

struct parked_fetch {
  fetch_request request;
  fetch_sink_ptr sink;
  caf::actor_clock::time_point deadline;
};

struct pending_ack {
  append_sink_ptr sink;
  storage::append_result info;
};

struct partition_state {
  std::string topic;
  partition_id id;
  std::shared_ptr<storage::log> log;
  clock_fn now;
  bool log_append_time = false;
  partition::hot_tail tail{0};
  offset synced_end;                   // end offset covered by the last successful sync
  std::vector<pending_ack> unsynced;   // `always`: acks waiting for the next sync
  bool sync_queued = false;            // a sync_atom to ourselves is in the mailbox
  bool sync_in_flight = false;         // a job is out at the syncer (one at a time)
  caf::actor syncer;                   // file_syncer; none: fdatasync inline
  bool interval_timer_armed = false;
  std::vector<parked_fetch> parked;
  // One timer for all parked fetches (a timer per fetch cost the clock thread a message per
  // fetch): armed for the earliest deadline; only the newest (tmo_gen) counts when it fires.
  uint64_t tmo_gen = 0;
  bool tmo_armed = false;
  caf::actor_clock::time_point tmo_at;
  producer_state producers;
  bool producers_loaded = false;  // rebuilt lazily, at the first idempotent batch
  bool closed = false;
  static inline const char* name = "partition";

  storage::fsync_policy policy() const { return log->config().fsync; }

  offset high_watermark() const {
    return policy() == storage::fsync_policy::always ? synced_end : log->end_offset();
  }

  fetch_response read(const fetch_request& rq) {
    fetch_response resp;
    resp.start = rq.start;
    resp.log_start = log->start_offset();
    resp.high_watermark = high_watermark();
    if (rq.start < resp.log_start || rq.start > log->end_offset()) {
      resp.code = errc::offset_out_of_range;
      resp.message = "offset " + std::to_string(rq.start.value()) + " outside [" +
                     std::to_string(resp.log_start.value()) + ", " +
                     std::to_string(log->end_offset().value()) + "] of " + topic + "-" +
                     std::to_string(id.value());
      return resp;
    }
    if (rq.start >= resp.high_watermark) return resp;
    const offset max_offset = resp.high_watermark - 1;
    if (tail.covers(rq.start)) {
      resp.bytes = tail.read(rq.start, rq.max_bytes, max_offset, resp.chunks);
      return resp;
    }
    auto r = log->read({rq.start, rq.max_bytes, max_offset});
    if (!r) {
      resp.code = r.err().code;
      resp.message = r.err().message;
      return resp;
    }
    if (!r->data.empty()) {
      resp.bytes = r->data.size();
      resp.chunks.push_back(std::move(r->data));
    }
    return resp;
  }

  // Answers parked fetches that can now be satisfied, those whose max wait is over at `now`,
  // or all of them when `all`. In place: no allocation per append.
  void wake_parked(bool all, caf::actor_clock::time_point now = {}) {
    if (parked.empty()) return;
    auto hw = high_watermark();
    size_t kept = 0;
    for (size_t i = 0; i < parked.size(); ++i) {
      auto& p = parked[i];
      const bool expired = all || p.deadline <= now;
      if (!expired && p.request.start >= hw) {
        if (kept != i) parked[kept] = std::move(p);
        ++kept;
        continue;
      }
      auto resp = read(p.request);
      if (!expired && resp.code == errc::ok && resp.bytes < p.request.min_bytes) {
        if (kept != i) parked[kept] = std::move(p);
        ++kept;
        continue;
      }
      p.sink->on_fetched(std::move(resp));
    }
    parked.resize(kept);
  }

  // The earliest deadline of the parked fetches, if any.
  std::optional<caf::actor_clock::time_point> next_deadline() const {
    std::optional<caf::actor_clock::time_point> out;
    for (auto& p : parked)
      if (!out || p.deadline < *out) out = p.deadline;
    return out;
  }

  // The idempotent-producer state covers the last two segments: enough for every producer that
  // appended recently (a producer id without state is accepted with any sequence, as in Kafka).
  void load_producers() {
    if (producers_loaded) return;
    producers_loaded = true;
    auto segs = log->segments();
    offset from = log->start_offset();
    if (segs.size() > 2) from = segs[segs.size() - 2].base_offset;
    (void)producers.rebuild(*log, from);  // a read error only loses duplicate detection
  }

  // Answers a parked fetch now with what is readable (fetch_now_atom).
  void answer_parked_now(const fetch_sink_ptr& sink) {
    auto i = std::find_if(parked.begin(), parked.end(),
                          [&](const parked_fetch& p) { return p.sink == sink; });
    if (i == parked.end()) return;  // already answered
    auto p = std::move(*i);
    parked.erase(i);
    p.sink->on_fetched(read(p.request));
  }

  void ack(pending_ack& a, const status& st) {
    append_outcome out;
    if (st) {
      out.info = a.info;
      out.log_start = log->start_offset();
    } else {
      out.code = st.err().code;
      out.message = "append written but fdatasync failed: " + st.err().message;
    }
    a.sink->on_appended(out);
  }

  void ack_all_unsynced(const status& st) {
    for (auto& a : unsynced) ack(a, st);
    unsynced.clear();
  }

  // Settles the waiting appends a sync covered (those below `covers`), in order; the others
  // (appended while it ran) wait for the next one.
  void settle_unsynced(offset covers, const status& st) {
    size_t kept = 0;
    for (size_t i = 0; i < unsynced.size(); ++i) {
      if (unsynced[i].info.last_offset < covers) {
        ack(unsynced[i], st);
      } else {
        if (kept != i) unsynced[kept] = std::move(unsynced[i]);
        ++kept;
      }
    }
    unsynced.resize(kept);
  }

  status sync_now() {
    auto st = log->sync();
    if (st) synced_end = log->end_offset();
    return st;
  }

  // Runs when the actor terminates (CAF destroys the state in on_exit): acknowledge or fail
  // what waits, sync and close the log.
  ~partition_state() {
    if (closed || !log) return;
    ack_all_unsynced(sync_now());
    for (auto& p : parked) {
      fetch_response resp;
      resp.code = errc::closed;
      resp.message = "partition closed";
      resp.start = p.request.start;
      p.sink->on_fetched(std::move(resp));
    }
    parked.clear();
    (void)log->close();
  }
};

using partition_actor = caf::stateful_actor<partition_state>;

void start_sync(partition_actor* self);

// `interval`: a sync at most fsync_interval_ms from now, unless one is armed already.
void arm_interval_sync(partition_actor* self) {
  auto& s = self->state;
  if (s.interval_timer_armed) return;
  s.interval_timer_armed = true;
  self->delayed_send(self, std::chrono::milliseconds(s.log->config().fsync_interval_ms),
                     tick_sync_atom::value);
}

// The outcome of a sync job, on the actor: acknowledge what it covered, publish the new high
// watermark (`always`), and start the next job if appends arrived meanwhile (group commit).
void finish_sync(partition_actor* self, const storage::log_sync_job& job, const status& st) {
  auto& s = self->state;
  s.sync_in_flight = false;
  if (s.closed) return;
  s.log->end_sync(job, st);
  if (st) s.synced_end = std::max(s.synced_end, job.covers);
  s.wake_parked(false);  // readers first, as after an append
  s.settle_unsynced(job.covers, st);
  if (!s.unsynced.empty() && !s.sync_queued) start_sync(self);
  // `interval`: what was appended while this job ran (or all of it, if it failed) still needs
  // a sync even if no further append arms the timer.
  if (s.policy() == storage::fsync_policy::interval && (!st || s.log->end_offset() > job.covers))
    arm_interval_sync(self);
}

// Starts an fdatasync of what was appended so far on the syncer thread (inline without one);
// the actor keeps appending meanwhile. One job at a time.
void start_sync(partition_actor* self) {
  auto& s = self->state;
  if (s.sync_in_flight || s.closed) return;
  auto job = s.log->begin_sync();
  if (!job) {
    s.ack_all_unsynced(std::move(job).take_error());
    return;
  }
  if (!*job) {  // everything written is durable already
    s.synced_end = s.log->end_offset();
    s.ack_all_unsynced(status{});
    s.wake_parked(false);
    return;
  }
  storage::log_sync_job j = std::move(**job);
  if (!s.syncer) {
    finish_sync(self, j, j.file->sync());
    return;
  }
  s.sync_in_flight = true;
  self->request(s.syncer, caf::infinite, file_sync_atom::value, j.file)
      .then(
          [self, j](int32_t code, std::string& message) {
            finish_sync(self, j,
                        code == 0 ? status{} : status{static_cast<errc>(code), std::move(message)});
          },
          [self, j](caf::error&) {  // the syncer is gone (shutdown): sync here
            finish_sync(self, j, j.file->sync());
          });
}

caf::behavior partition_behavior(partition_actor* self, partition_actor_config cfg) {
  auto& st = self->state;
  st.topic = std::move(cfg.topic);
  st.id = cfg.id;
  st.log = std::move(cfg.log);
  st.now = std::move(cfg.now);
  st.log_append_time = cfg.log_append_time;
  st.syncer = std::move(cfg.syncer);
  st.tail.set_max_bytes(st.log->config().hot_tail_bytes);
  st.synced_end = st.log->end_offset();  // what recovery found is on disk
  self->set_default_handler(caf::drop);
  return {
    [=](append_atom, append_batch& batch, append_sink_ptr& sink, bool validate) {
      auto& s = self->state;
      if (s.closed) {
        sink->on_appended({errc::closed, "partition deleted", {}, sequence_check::ok});
        return;
      }
      const timestamp_ms now = s.now();
      if (batch.data.size() > s.log->config().max_batch_bytes) {  // before spending a CRC pass
        sink->on_appended({errc::message_too_large,
                           "batch of " + std::to_string(batch.data.size()) +
                               " bytes exceeds max_batch_bytes " +
                               std::to_string(s.log->config().max_batch_bytes) + " of " +
                               s.topic + "-" + std::to_string(s.id.value()),
                           {}, sequence_check::ok});
        return;
      }
      if (validate) {  // the client's CRC, before LogAppendTime rewrites it
        if (auto v = model::validate_batch(batch.data); !v) {
          sink->on_appended({v.err().code, v.err().message, {}, sequence_check::ok});
          return;
        }
      }
      auto hdr = model::read_header(batch.data);
      if (hdr && hdr->producer_id >= 0 && !hdr->is_control()) {
        s.load_producers();
        auto verdict = s.producers.check(*hdr);
        switch (verdict.check) {
          case sequence_check::ok:
            break;
          case sequence_check::duplicate:
            // Never acknowledge more than the original's ack promises (fsync = always).
            if (s.policy() == storage::fsync_policy::always &&
                verdict.original.last_offset >= s.synced_end) {
              s.unsynced.push_back({std::move(sink), verdict.original});
              if (!s.sync_queued) {
                s.sync_queued = true;
                self->send(self, sync_atom::value);
              }
              return;
            }
            sink->on_appended({errc::ok, {}, verdict.original, sequence_check::duplicate,
                               s.log->start_offset()});
            return;
          case sequence_check::out_of_order:
            sink->on_appended({errc::out_of_order_sequence, std::move(verdict.message), {},
                               verdict.check});
            return;
          case sequence_check::stale_epoch:
            sink->on_appended({errc::invalid_argument, std::move(verdict.message), {},
                               verdict.check});
            return;
          case sequence_check::missing_sequence:
            sink->on_appended({errc::corrupt_batch, std::move(verdict.message), {},
                               verdict.check});
            return;
        }
      }
      if (s.log_append_time) model::set_log_append_time(batch.data, now);
      auto r = s.log->append(batch.data, now, false);
      if (!r) {
        sink->on_appended({r.err().code, r.err().message, {}, sequence_check::ok});
        return;
      }
      if (s.log_append_time) r->log_append_time = now;
      if (hdr && hdr->producer_id >= 0 && !hdr->is_control())
        s.producers.record(*hdr, r->base_offset, r->last_offset);
      if (s.log_append_time) hdr = model::read_header(batch.data);  // max_timestamp was rewritten
      s.tail.push({r->base_offset, r->last_offset, hdr ? hdr->max_timestamp : -1,
                   std::move(batch).freeze()});
      switch (s.policy()) {
        case storage::fsync_policy::always:
          s.unsynced.push_back({std::move(sink), *r});
          if (!s.sync_queued) {
            s.sync_queued = true;
            self->send(self, sync_atom::value);
          }
          return;  // readers are woken after the sync
        case storage::fsync_policy::interval:
          arm_interval_sync(self);
          break;
        case storage::fsync_policy::never:
          break;
      }
      // Readers first: the consumers' wake-up goes out before the producer's callbacks run
      // (they may seal and send its next batch), which is the end-to-end latency's path.
      s.wake_parked(false);
      sink->on_appended({errc::ok, {}, *r, sequence_check::ok, s.log->start_offset()});
    },
    [=](sync_atom) {
      auto& s = self->state;
      s.sync_queued = false;
      start_sync(self);
    },
    [=](tick_sync_atom) {
      auto& s = self->state;
      s.interval_timer_armed = false;
      start_sync(self);
    },
    [=](fetch_atom, const fetch_request& rq, fetch_sink_ptr& sink) {
      auto& s = self->state;
      if (s.closed) {
        fetch_response resp;
        resp.code = errc::closed;
        resp.message = "partition deleted";
        sink->on_fetched(std::move(resp));
        return;
      }
      auto resp = s.read(rq);
      if (resp.code != errc::ok || rq.max_wait_ms <= 0 || resp.bytes >= rq.min_bytes) {
        sink->on_fetched(std::move(resp));
        return;
      }
      const auto wait = std::chrono::milliseconds(rq.max_wait_ms);
      const auto deadline = self->clock().now() + wait;
      s.parked.push_back({rq, std::move(sink), deadline});
      if (!s.tmo_armed || deadline < s.tmo_at) {
        s.tmo_armed = true;
        s.tmo_at = deadline;
        self->delayed_send(self, wait, fetch_tmo_atom::value, ++s.tmo_gen);
      }
    },
    [=](fetch_now_atom, const fetch_sink_ptr& sink) { self->state.answer_parked_now(sink); },
    [=](fetch_tmo_atom, uint64_t gen) {
      auto& s = self->state;
      if (gen != s.tmo_gen || s.closed) return;  // superseded by an earlier deadline
      s.tmo_armed = false;
      const auto now = self->clock().now();
      s.wake_parked(false, now);
      if (auto next = s.next_deadline()) {
        s.tmo_armed = true;
        s.tmo_at = *next;
        self->delayed_send(self, std::max(caf::actor_clock::duration_type::zero(), *next - now),
                           fetch_tmo_atom::value, ++s.tmo_gen);
      }
    },
    [=](list_off_atom, int64_t ts) -> caf::result<int64_t, int64_t> {
      auto& s = self->state;
      if (s.closed) return to_caf_error(errc::closed, "partition deleted");
      if (ts == -2) return {s.log->start_offset().value(), int64_t{-1}};
      if (ts == -1) return {s.high_watermark().value(), int64_t{-1}};
      auto r = s.log->offset_for_timestamp(ts);
      if (!r) return to_caf_error(r.err());
      if (!r->has_value()) return {int64_t{-1}, int64_t{-1}};
      return {r->value().value(), ts};
    },
    [=](describe_atom) -> partition_description {
      auto& s = self->state;
      partition_description d;
      d.id = s.id;
      if (s.closed) return d;
      d.log_start = s.log->start_offset();
      d.end = s.log->end_offset();
      d.high_watermark = s.high_watermark();
      d.size_bytes = s.log->size_bytes();
      d.segments = s.log->segments().size();
      d.hot_tail_bytes = s.tail.size_bytes();
      d.recovery = s.log->recovery();
      return d;
    },
    [=](retention_atom, int64_t now_ms) -> caf::result<uint64_t> {
      auto& s = self->state;
      if (s.closed) return uint64_t{0};
      auto r = s.log->apply_retention(now_ms);
      if (!r) return to_caf_error(r.err());
      s.tail.trim_before(s.log->start_offset());
      return static_cast<uint64_t>(*r);
    },
    [=](config_atom, const storage::log_config& c, bool log_append_time) {
      auto& s = self->state;
      if (s.closed) return;
      s.log_append_time = log_append_time;
      s.log->update_config(c);
      s.tail.set_max_bytes(c.hot_tail_bytes);
    },
    [=](delete_atom) -> caf::result<bool> {
      auto& s = self->state;
      s.ack_all_unsynced(status{errc::closed, "partition deleted"});
      s.wake_parked(true);
      auto st = s.log->remove();
      s.closed = true;
      s.tail.clear();
      self->quit();
      if (!st) return to_caf_error(st.err());
      return true;
    },
  };
}

}  // namespace

caf::actor spawn_partition(caf::actor_system& sys, partition_actor_config cfg) {
  return sys.spawn(partition_behavior, std::move(cfg));
}

}  // namespace lkstream::actors

#include "pipeline/source_actor.hpp"

#include <chrono>
#include <limits>
#include <mutex>
#include <set>
#include <utility>

#include "pipeline/pipeline_messages.hpp"

namespace lkstream::actors {
namespace {

using steady = std::chrono::steady_clock;
using pipeline_detail::source_batch;

constexpr auto poll_timeout = std::chrono::milliseconds(100);
constexpr auto wait_slice = std::chrono::milliseconds(50);

/// Offsets of async commits that failed, handed back from the commit callback (an engine
/// thread) to the source for the next attempt.
struct commit_feedback {
  std::mutex m;
  std::map<topic_partition, int64_t> failed;
};

struct source_state {
  std::shared_ptr<source_actor_config> cfg;
  std::map<std::string, std::vector<int32_t>> sources_of_topic;  // from() indexes per topic
  std::map<topic_partition, int64_t> to_commit;  // taken from the tracker, not yet committed
  std::shared_ptr<commit_feedback> feedback = std::make_shared<commit_feedback>();
  timestamp_ms watermark = pipeline_detail::no_watermark;
  std::map<topic_partition, timestamp_ms> partition_max;  // highest timestamp read per partition
  std::set<topic_partition> at_end;                       // caught up at the last lag check
  steady::time_point last_lag_check;
  steady::time_point last_commit = steady::now();
  steady::time_point drain_deadline;
  bool draining = false;  // stop requested
  bool ending = false;    // end batch sent (bounded run)
  static inline const char* name = "pipeline_source";
};

using self_ptr = caf::stateful_actor<source_state>*;

void publish(source_state& s) {
  auto& sh = *s.cfg->shared;
  {
    std::lock_guard<std::mutex> g(sh.signal->m);
    sh.in_flight = s.cfg->tracker->in_flight();
    sh.max_in_flight = s.cfg->tracker->max_in_flight_seen();
  }
  sh.signal->cv.notify_all();
}

void publish_committed(pipeline_shared& sh, const std::map<topic_partition, int64_t>& offsets) {
  {
    std::lock_guard<std::mutex> g(sh.signal->m);
    for (auto& [tp, off] : offsets) {
      auto& c = sh.committed[tp];
      c = std::max(c, off);
    }
  }
  sh.signal->cv.notify_all();
}

void merge_max(std::map<topic_partition, int64_t>& into,
               const std::map<topic_partition, int64_t>& from) {
  for (auto& [tp, off] : from) {
    auto [i, fresh] = into.try_emplace(tp, off);
    if (!fresh) i->second = std::max(i->second, off);
  }
}

// Commits the completed prefix. Periodic commits are asynchronous (the consumer writes them
// in issue order; a failed one comes back through the feedback and is retried with the next
// commit); a forced (final) commit is synchronous: it also waits for the async commits still
// pending and retries what failed. False if the commit failed (kept for the next attempt).
bool commit(source_state& s, bool force) {
  merge_max(s.to_commit, s.cfg->tracker->take_committable());
  {
    std::lock_guard<std::mutex> g(s.feedback->m);
    merge_max(s.to_commit, s.feedback->failed);
    s.feedback->failed.clear();
  }
  auto& sh = *s.cfg->shared;
  if (sh.mon->failed) return true;
  if (force) {
    // Empty offsets still wait for the pending async commits (one queue, issue order).
    auto st = s.cfg->cons->commit_sync(s.to_commit);
    if (!st) return false;
    publish_committed(sh, s.to_commit);
    s.to_commit.clear();
    std::lock_guard<std::mutex> g(s.feedback->m);
    if (s.feedback->failed.empty()) return true;
    std::swap(s.to_commit, s.feedback->failed);  // an async commit failed meanwhile: retry
    return false;
  }
  if (s.to_commit.empty()) return true;
  const auto now = steady::now();
  if (now - s.last_commit < std::chrono::milliseconds(s.cfg->opts.commit_interval_ms))
    return true;
  s.last_commit = now;
  // Partitions revoked by a rebalance are not ours to commit any more (their records are
  // read again by the new owner: at-least-once holds).
  std::set<topic_partition> assigned;
  for (auto& tp : s.cfg->cons->assignment()) assigned.insert(tp);
  std::erase_if(s.to_commit, [&](const auto& kv) { return !assigned.count(kv.first); });
  if (s.to_commit.empty()) return true;
  auto offsets = std::exchange(s.to_commit, {});
  s.cfg->cons->commit_async(offsets, [shared = s.cfg->shared, feedback = s.feedback,
                                      offsets](const status& st) {
    if (st) return publish_committed(*shared, offsets);
    std::lock_guard<std::mutex> g(feedback->m);
    merge_max(feedback->failed, offsets);
  });
  return true;
}

void send_batches(self_ptr self, std::vector<std::shared_ptr<source_batch>>& per_source) {
  auto& entries = self->state.cfg->entries;
  for (size_t i = 0; i < per_source.size(); ++i) {
    auto& targets = entries[i];
    for (size_t t = 0; t < targets.size(); ++t) {
      pipeline_detail::batch_ptr b =
          t + 1 < targets.size() ? per_source[i]->clone() : std::move(per_source[i]);
      self->send(targets[t], pbatch_atom::value, uint32_t{0}, std::move(b));
    }
  }
}

std::vector<std::shared_ptr<source_batch>> empty_batches(source_state& s,
                                                         const pipeline_detail::ticket_ptr& t) {
  std::vector<std::shared_ptr<source_batch>> out(s.cfg->entries.size());
  for (auto& b : out) {
    b = std::make_shared<source_batch>();
    b->tickets.push_back(t);
    b->watermark = s.watermark;
  }
  return out;
}

// Stops for good: a last commit (unless failed), then the final state.
void finish(self_ptr self, pipeline_state st) {
  auto& s = self->state;
  auto& sh = *s.cfg->shared;
  if (!sh.mon->failed && !commit(s, true))
    sh.mon->fail("the final commit of the source offsets failed");
  publish(s);
  if (sh.mon->failed)
    sh.set_state(pipeline_state::failed, sh.mon->error());
  else
    sh.set_state(st);
  self->quit();
}

// Refreshes at_end; true once every assigned partition was read up to its end offset.
bool check_lag(source_state& s) {
  s.last_lag_check = steady::now();
  auto lag = s.cfg->cons->lag();
  s.at_end.clear();
  bool all = !lag.empty();
  for (auto& l : lag) {
    if (l.position >= 0 && l.end_offset >= 0 && l.position >= l.end_offset)
      s.at_end.insert(l.tp);
    else
      all = false;
  }
  return all;
}

// The watermark: the smallest per-partition maximum over the assigned partitions, so that a
// partition read ahead of another cannot make the other's records late. A partition that has
// not delivered yet holds it back, unless it was at its end at the last lag check (empty or
// idle partitions would otherwise stop time). Never moves backwards.
void update_watermark(source_state& s) {
  auto assigned = s.cfg->cons->assignment();
  timestamp_ms wm = std::numeric_limits<timestamp_ms>::max();
  bool any = false, held = false;
  for (auto& tp : assigned) {
    auto it = s.partition_max.find(tp);
    if (s.at_end.count(tp)) continue;
    if (it == s.partition_max.end()) {
      held = true;
      break;
    }
    wm = std::min(wm, it->second);
    any = true;
  }
  if (held) {
    if (steady::now() - s.last_lag_check > std::chrono::milliseconds(500)) check_lag(s);
    return;
  }
  if (!any) {  // everything at its end: the highest timestamp read
    for (auto& [tp, m] : s.partition_max) {
      wm = any ? std::max(wm, m) : m;
      any = true;
    }
  }
  if (any) s.watermark = std::max(s.watermark, wm);
}

void step(self_ptr self) {
  auto& s = self->state;
  auto& cfg = *s.cfg;
  auto& sh = *cfg.shared;
  if (!commit(s, false)) { /* retried on the next step */
  }
  publish(s);
  if (sh.mon->failed) return finish(self, pipeline_state::failed);
  if (s.draining || s.ending) {
    if (cfg.tracker->in_flight() == 0)
      return finish(self, s.ending ? pipeline_state::finished : pipeline_state::stopped);
    if (s.draining && steady::now() >= s.drain_deadline) {
      sh.mon->fail("stop: " + std::to_string(cfg.tracker->in_flight()) +
                   " batches still in flight after the drain timeout (they are read again "
                   "on the next start)");
      sh.set_state(pipeline_state::stopped, sh.mon->error());
      self->quit();
      return;
    }
    cfg.tracker->wait_below(1, wait_slice);
    self->send(self, pstep_atom::value);
    return;
  }
  if (cfg.tracker->in_flight() >= cfg.opts.max_in_flight_batches) {
    cfg.tracker->wait_below(cfg.opts.max_in_flight_batches, wait_slice);  // backpressure
    self->send(self, pstep_atom::value);
    return;
  }
  auto polled = cfg.cons->poll(poll_timeout);
  if (!polled) {
    sh.mon->fail("reading the source topics failed: " + polled.err().to_string());
    return finish(self, pipeline_state::failed);
  }
  if (polled->empty()) {
    const bool done = check_lag(s);
    update_watermark(s);
    if (cfg.opts.stop_at_end && done) {
      s.ending = true;
      auto t = cfg.tracker->open({});
      auto batches = empty_batches(s, t);
      for (auto& b : batches) b->end_of_input = true;
      t.reset();
      send_batches(self, batches);
    }
    self->send(self, pstep_atom::value);
    return;
  }
  auto rs = std::make_shared<record_set>(std::move(*polled));
  std::map<topic_partition, int64_t> next;
  for (auto& r : *rs) {
    auto& n = next[{*r.topic, partition_id{r.partition}}];
    n = std::max(n, r.offset + 1);
    auto [pm, fresh] =
        s.partition_max.try_emplace({*r.topic, partition_id{r.partition}}, r.timestamp);
    if (!fresh) pm->second = std::max(pm->second, r.timestamp);
  }
  for (auto& [tp, off] : next) s.at_end.erase(tp);
  update_watermark(s);
  auto t = cfg.tracker->open(std::move(next));
  auto batches = empty_batches(s, t);
  t.reset();
  for (auto& b : batches) {
    b->keep_alive = rs;
    b->items.reserve(rs->size());
  }
  for (auto& r : *rs) {
    auto it = s.sources_of_topic.find(*r.topic);
    if (it == s.sources_of_topic.end()) continue;
    for (int32_t source : it->second) {
      pipeline_detail::element<pipeline_detail::raw_record> e;
      e.value = {r.key, r.value};
      e.ts = r.timestamp;
      e.from = {source, r.partition, r.offset};
      batches[static_cast<size_t>(source)]->items.push_back(std::move(e));
    }
  }
  sh.mon->records_in += rs->size();
  send_batches(self, batches);
  self->send(self, pstep_atom::value);
}

caf::behavior source_actor(self_ptr self, std::shared_ptr<source_actor_config> cfg) {
  auto& s = self->state;
  s.cfg = std::move(cfg);
  for (size_t i = 0; i < s.cfg->shared->source_topics.size(); ++i)
    s.sources_of_topic[s.cfg->shared->source_topics[i]].push_back(static_cast<int32_t>(i));
  s.cfg->shared->set_state(pipeline_state::running);
  self->send(self, pstep_atom::value);
  return {
      [self](pstep_atom) { step(self); },
      [self](pstop_atom) {
        auto& st = self->state;
        if (st.draining) return;
        st.draining = true;
        st.drain_deadline = steady::now() + st.cfg->opts.drain_timeout;
      },
  };
}

}  // namespace

caf::actor spawn_source(caf::actor_system& sys, source_actor_config cfg) {
  return sys.spawn<caf::detached>(
      [cfg = std::make_shared<source_actor_config>(std::move(cfg))](self_ptr self) {
        return source_actor(self, cfg);
      });
}

}  // namespace lkstream::actors

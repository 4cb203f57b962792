#include "lkstream/consumer.hpp"

#include "consumer_impl.hpp"
#include "lkstream/model/compression.hpp"
#include "lkstream/model/record_batch.hpp"
#include "lkstream/model/transaction_marker.hpp"

#include <algorithm>

namespace lkstream {
namespace {

class consumer_fetch_sink final : public actors::fetch_sink {
 public:
  consumer_fetch_sink(std::weak_ptr<consumer_shared> sh, topic_partition tp, uint64_t epoch)
      : sh_(std::move(sh)), tp_(std::move(tp)), epoch_(epoch) {}

  void on_fetched(actors::fetch_response resp) override {
    auto sh = sh_.lock();
    if (!sh) return;
    std::lock_guard<std::mutex> g(sh->m);
    auto it = sh->slots.find(tp_);
    if (it == sh->slots.end() || it->second.epoch != epoch_) return;  // revoked or seeked
    auto& slot = it->second;
    slot.fetching = false;
    slot.high_watermark = resp.high_watermark.value();
    if (resp.code == errc::ok && resp.bytes == 0 && !sh->closed) {
      sh->maybe_fetch_locked(slot);  // long poll expired empty: ask again
      return;
    }
    // Advance the fetch position past the last whole batch returned.
    for (auto& c : resp.chunks) {
      model::batch_walker batches(c.view());
      model::batch_header h;
      bytes_view batch;
      while (batches.next(h, batch)) slot.fetch_pos = std::max(slot.fetch_pos, h.last_offset() + 1);
    }
    // read_committed: take_front_chunk_locked walks the aborted transactions by first offset.
    std::sort(resp.aborted.begin(), resp.aborted.end(),
              [](const model::aborted_txn& a, const model::aborted_txn& b) { return a.first < b.first; });
    sh->buffered += resp.bytes;
    sh->queue.push_back({tp_, epoch_, std::move(resp), 0});
    sh->queue.back().bytes = sh->queue.back().resp.bytes;
    if (!sh->closed) sh->maybe_fetch_locked(slot);
    sh->cv.notify_all();
  }

 private:
  std::weak_ptr<consumer_shared> sh_;
  topic_partition tp_;
  uint64_t epoch_;
};

constexpr int64_t fetch_wait_ms = 500;

}  // namespace

void consumer_shared::maybe_fetch_locked(partition_slot& s) {
  if (s.fetching || s.fetch_pos < 0 || buffered >= buffer_max || closed) return;
  s.fetching = true;
  actors::fetch_request rq{offset{s.fetch_pos}, fetch_max, 1, fetch_wait_ms, read_committed};
  auto sink = std::make_shared<consumer_fetch_sink>(weak_from_this(),
                                                    topic_partition{*s.topic, partition_id{s.partition}},
                                                    s.epoch);
  caf::anon_send(s.actor, actors::fetch_atom::value, rq, actors::fetch_sink_ptr(std::move(sink)));
}

void consumer_shared::fetch_all_locked() {
  for (auto& [tp, s] : slots) maybe_fetch_locked(s);
}

consumer::consumer(std::unique_ptr<impl> i) : impl_(std::move(i)) {}

consumer::~consumer() { (void)close(); }

// Compressed batches are decoded into the slot's buffer, cached by base offset so a batch
// spread over several polls decodes once. The buffer is reused for the next batch once no
// record_set holds it any more (else a new one is made): one buffer per batch, none per record.
result<bytes_view> consumer::impl::records_of(partition_slot& slot, const model::batch_header& h,
                                              bytes_view batch) {
  if (h.codec() == model::compression::none) return batch.subspan(model::batch_header_size);
  if (slot.decoded && slot.decoded_base == h.base_offset) return bytes_view(*slot.decoded);
  if (!slot.decoded || slot.decoded.use_count() > 1) slot.decoded = std::make_shared<bytes>();
  slot.decoded_base = -1;
  LK_ASSIGN_OR_RETURN(auto view, model::batch_records(batch, decompressor, *slot.decoded,
                                                      opts.max_decompressed_batch_bytes));
  slot.decoded_base = h.base_offset;
  return view;
}

result<int64_t> consumer::impl::list_offset(const actors::partition_actor& a, int64_t ts) {
  auto call = eng->enter();
  if (!call) return error{errc::closed, "the engine is closed"};
  actors::blocking_caller self{*eng->sys};
  std::optional<result<int64_t>> out;
  self->request(a, caf::infinite, actors::list_offsets_atom::value, ts,
                opts.isolation == isolation_level::read_committed)
      .receive([&](int64_t off, int64_t) { out.emplace(off); },
               [&](caf::error& e) { out.emplace(actors::from_caf_error(e)); });
  return std::move(*out);
}

// Gives every slot without a position one: the committed offset, else the reset policy.
status consumer::impl::init_positions_locked(std::unique_lock<std::mutex>& lk) {
  std::vector<topic_partition> need;
  for (auto& [tp, s] : sh->slots)
    if (s.position < 0) need.push_back(tp);
  if (need.empty()) return {};
  std::map<topic_partition, int64_t> committed;
  lk.unlock();
  if (!opts.group_id.empty()) {
    auto c = fetch_committed(need);
    if (!c) {
      lk.lock();
      return std::move(c).take_error();
    }
    committed = std::move(*c);
  }
  std::map<topic_partition, int64_t> start;
  for (auto& tp : need) {
    auto ci = committed.find(tp);
    if (ci != committed.end() && ci->second >= 0) {
      start[tp] = ci->second;
      continue;
    }
    if (opts.auto_offset_reset == offset_reset::none) {
      lk.lock();
      return {errc::offset_out_of_range, "no committed offset for " + tp.topic + "-" +
                                             std::to_string(tp.partition.value()) +
                                             " and auto_offset_reset is none"};
    }
    actors::partition_actor a;
    {
      std::lock_guard<std::mutex> g(sh->m);
      auto si = sh->slots.find(tp);
      if (si == sh->slots.end()) continue;
      a = si->second.actor;
    }
    auto off = list_offset(a, opts.auto_offset_reset == offset_reset::earliest ? -2 : -1);
    if (!off) {
      lk.lock();
      return std::move(off).take_error();
    }
    start[tp] = *off;
  }
  lk.lock();
  for (auto& [tp, off] : start) {
    auto si = sh->slots.find(tp);
    if (si == sh->slots.end() || si->second.position >= 0) continue;
    si->second.position = si->second.fetch_pos = off;
  }
  return {};
}

status consumer::impl::set_assignment(const std::vector<topic_partition>& tps) {
  LK_TRY_STATUS(assign_slots(tps));
  std::unique_lock<std::mutex> lk(sh->m);
  LK_TRY_STATUS(init_positions_locked(lk));
  sh->fetch_all_locked();
  return {};
}

status consumer::impl::assign_slots(const std::vector<topic_partition>& tps) {
  std::map<topic_partition, partition_slot> next;
  for (auto& tp : tps) {
    auto h = eng->board->find(tp.topic);
    if (!h) return {errc::unknown_topic, "unknown topic " + tp.topic};
    if (tp.partition.value() < 0 || tp.partition.value() >= static_cast<int32_t>(h->partitions.size()))
      return {errc::invalid_argument, tp.topic + " has no partition " +
                                          std::to_string(tp.partition.value())};
    partition_slot s;
    s.topic = std::make_shared<const std::string>(tp.topic);
    s.partition = tp.partition.value();
    s.actor = h->partitions[static_cast<size_t>(tp.partition.value())];
    next.emplace(tp, std::move(s));
  }
  std::unique_lock<std::mutex> lk(sh->m);
  for (auto& [tp, s] : next) {
    auto old = sh->slots.find(tp);
    if (old != sh->slots.end()) {  // keep the position of partitions we keep
      s.position = old->second.position;
      s.fetch_pos = old->second.position;
      s.epoch = old->second.epoch + 1;
    }
  }
  sh->slots = std::move(next);
  // Drop buffered data of partitions no longer (or differently) assigned.
  std::deque<fetched_chunk> keep;
  for (auto& c : sh->queue) {
    auto si = sh->slots.find(c.tp);
    if (si != sh->slots.end() && si->second.epoch == c.epoch) keep.push_back(std::move(c));
    else sh->buffered -= c.bytes;
  }
  sh->queue = std::move(keep);
  sh->fetch_all_locked();  // the kept partitions; poll() positions the new ones,
  sh->slots_changed = true;  // also a poll() already waiting
  sh->cv.notify_all();
  return {};
}

std::map<topic_partition, int64_t> consumer::impl::positions() {
  std::lock_guard<std::mutex> g(sh->m);
  std::map<topic_partition, int64_t> out;
  for (auto& [tp, s] : sh->slots)
    if (s.position >= 0) out[tp] = s.position;
  return out;
}

status consumer::assign(std::vector<topic_partition> partitions) {
  if (!impl_->subscription.empty())
    return {errc::invalid_argument, "assign() after subscribe(): use one or the other"};
  return impl_->set_assignment(partitions);
}

std::vector<topic_partition> consumer::assignment() const {
  std::lock_guard<std::mutex> g(impl_->sh->m);
  std::vector<topic_partition> out;
  for (auto& [tp, s] : impl_->sh->slots) out.push_back(tp);
  return out;
}

result<record_set> consumer::poll(std::chrono::milliseconds timeout) {
  auto& s = *impl_;
  if (s.sh->closed) return error{errc::closed, "consumer closed"};
  s.auto_commit_if_due();
  const auto until = std::chrono::steady_clock::now() + timeout;
  std::unique_lock<std::mutex> lk(s.sh->m);
  auto ready = [&] { return !s.sh->queue.empty() || s.sh->woken || s.sh->closed; };
  do {  // again when the group member assigned partitions while we waited: position them
    s.sh->slots_changed = false;
    LK_TRY_STATUS(s.init_positions_locked(lk));
    s.sh->fetch_all_locked();
  } while (s.sh->cv.wait_until(lk, until, [&] { return ready() || s.sh->slots_changed; }) &&
           !ready());
  s.sh->woken = false;
  record_set out;
  while (!s.sh->queue.empty() && out.records_.size() < s.opts.max_poll_records) {
    LK_ASSIGN_OR_RETURN(bool whole, s.take_front_chunk_locked(out));
    if (!whole) break;  // out is full
  }
  s.sh->fetch_all_locked();
  return out;
}

void consumer::impl::auto_commit_if_due() {
  if (!opts.enable_auto_commit || opts.group_id.empty()) return;
  const auto now = std::chrono::steady_clock::now();
  if (now - last_auto_commit < std::chrono::milliseconds(opts.auto_commit_interval_ms)) return;
  last_auto_commit = now;
  auto pos = positions();
  if (!pos.empty()) (void)commit(pos);
}

namespace {

error in_partition(const partition_slot& slot, error e) {
  e.message = *slot.topic + "-" + std::to_string(slot.partition) + ": " + e.message;
  return e;
}

consumed_record to_consumed(const partition_slot& slot, const model::record_view& r) {
  consumed_record cr;
  cr.topic = slot.topic.get();
  cr.partition = slot.partition;
  cr.offset = r.offset;
  cr.timestamp = r.timestamp;
  cr.key = r.key;
  cr.value = r.value;
  if (r.header_count > 0) {
    cr.headers.reserve(static_cast<size_t>(r.header_count));
    (void)model::for_each_header(
        r, [&](const model::record_header_view& hv) { cr.headers.push_back({hv.key, hv.value}); });
  }
  return cr;
}

// Whether a batch of the chunk still has records at or after `position`.
bool has_records_from(const fetched_chunk& chunk, int64_t position) {
  for (auto& c : chunk.resp.chunks) {
    model::batch_walker batches(c.view());
    model::batch_header h;
    bytes_view batch;
    while (batches.next(h, batch))
      if (h.last_offset() >= position) return true;
  }
  return false;
}

}  // namespace

result<bool> consumer::impl::take_front_chunk_locked(record_set& out) {
  fetched_chunk& chunk = sh->queue.front();
  auto pop = [&] {
    sh->buffered -= chunk.bytes;
    sh->queue.pop_front();
  };
  auto si = sh->slots.find(chunk.tp);
  if (si == sh->slots.end() || si->second.epoch != chunk.epoch) {  // revoked or seeked since
    pop();
    return true;
  }
  auto& slot = si->second;
  if (chunk.resp.code == errc::offset_out_of_range) {  // Kafka's auto.offset.reset
    slot.position = -1;
    slot.epoch++;
    pop();
    return true;
  }
  if (chunk.resp.code != errc::ok) {
    error err{chunk.resp.code, chunk.resp.message};
    pop();
    return err;
  }
  out.topic_names_.push_back(slot.topic);
  // read_committed (Kafka's consumer does the same): a producer's transactional batches are
  // dropped from the first offset of one of its aborted transactions up to its abort marker.
  // The walk starts at the chunk's first batch each time (a chunk may take several polls), so
  // the set is rebuilt from the chunk alone; it stays empty without aborted transactions.
  const auto& aborted = chunk.resp.aborted;
  size_t next_aborted = 0;
  std::vector<int64_t> aborting;  // producer ids inside an aborted range here
  for (auto& c : chunk.resp.chunks) {
    bool uncompressed_used = false;
    model::batch_walker batches(c.view());
    model::batch_header h;
    bytes_view batch;
    while (out.records_.size() < opts.max_poll_records && batches.next(h, batch)) {
      for (; next_aborted < aborted.size() && aborted[next_aborted].first.value() <= h.last_offset();
           ++next_aborted)
        aborting.push_back(aborted[next_aborted].producer_id);
      bool drop = false;
      if (!aborting.empty() && h.is_transactional()) {
        auto it = std::find(aborting.begin(), aborting.end(), h.producer_id);
        if (it != aborting.end()) {
          drop = true;
          if (h.is_control()) {  // the abort marker closes the range (a commit cannot be here)
            auto m = model::read_marker(batch);
            if (m && m->type == model::marker_type::abort) aborting.erase(it);
          }
        }
      }
      if (drop || h.last_offset() < slot.position || h.is_control()) {
        if (h.last_offset() >= slot.position) slot.position = h.last_offset() + 1;
        continue;
      }
      LK_ASSIGN_OR_RETURN(bool taken, append_records(slot, h, batch, out));
      uncompressed_used |= taken && h.codec() == model::compression::none;
    }
    if (uncompressed_used) out.keep_alive_.push_back(c.owner());
  }
  if (has_records_from(chunk, slot.position)) return false;
  pop();
  return true;
}

result<bool> consumer::impl::append_records(partition_slot& slot, const model::batch_header& h,
                                            bytes_view batch, record_set& out) {
  auto records = records_of(slot, h, batch);
  if (!records) return in_partition(slot, std::move(records).take_error());
  model::record_iterator it(batch, *records);
  model::record_view r;
  bool taken = false;
  bool exhausted = true;  // every record of the batch was seen
  while (true) {
    if (out.records_.size() >= opts.max_poll_records) {
      exhausted = false;
      break;
    }
    if (!it.next(r)) break;
    if (r.offset < slot.position) continue;
    out.records_.push_back(to_consumed(slot, r));
    slot.position = r.offset + 1;
    taken = true;
  }
  if (!it.state()) return in_partition(slot, it.state().err());
  // A compacted batch may end before its offset range does (its last records were cleaned
  // away) or hold no record at all: once it is read, the position moves past its range.
  if (exhausted) slot.position = std::max(slot.position, h.last_offset() + 1);
  // A compressed batch's records point into the slot's decode buffer: keep it alive.
  if (taken && h.codec() != model::compression::none &&
      (out.keep_alive_.empty() || out.keep_alive_.back() != slot.decoded))
    out.keep_alive_.push_back(slot.decoded);
  return taken;
}

status consumer::commit_sync() {
  LK_TRY_STATUS(impl_->check_commit({}, false));
  return impl_->commit(impl_->positions());
}

// The same refusals as commit_async(offsets): unknown topic or partition, negative offset, or a
// partition this consumer is not assigned (nothing is written then).
status consumer::commit_sync(const std::map<topic_partition, int64_t>& offsets) {
  LK_TRY_STATUS(impl_->check_commit(offsets, true));
  return impl_->commit(offsets);
}

consumer_group_metadata consumer::group_metadata() {
  std::lock_guard<std::mutex> g(impl_->identity_m);
  return {impl_->opts.group_id, impl_->in_group ? impl_->generation : -1,
          impl_->in_group ? impl_->member_id : std::string()};
}

result<int64_t> consumer::committed(const topic_partition& tp) {
  if (impl_->opts.group_id.empty()) return error{errc::invalid_argument, "committed() needs a group_id"};
  LK_ASSIGN_OR_RETURN(auto c, impl_->fetch_committed({tp}));
  auto i = c.find(tp);
  return i == c.end() ? int64_t{-1} : i->second;
}

status consumer::seek(const topic_partition& tp, int64_t off) {
  std::lock_guard<std::mutex> g(impl_->sh->m);
  auto i = impl_->sh->slots.find(tp);
  if (i == impl_->sh->slots.end())
    return {errc::invalid_argument, tp.topic + "-" + std::to_string(tp.partition.value()) + " is not assigned"};
  if (off < 0) return {errc::invalid_argument, "negative offset"};
  auto& s = i->second;
  s.position = s.fetch_pos = off;
  s.epoch++;
  s.fetching = false;
  std::deque<fetched_chunk> keep;
  for (auto& c : impl_->sh->queue) {
    if (c.tp == tp) impl_->sh->buffered -= c.bytes;
    else keep.push_back(std::move(c));
  }
  impl_->sh->queue = std::move(keep);
  return {};
}

namespace {
std::vector<topic_partition> or_all(const std::vector<topic_partition>& tps, consumer& c) {
  return tps.empty() ? c.assignment() : tps;
}
}  // namespace

status consumer::seek_to_beginning(const std::vector<topic_partition>& tps) {
  for (auto& tp : or_all(tps, *this)) LK_TRY_STATUS(seek_to_timestamp(tp, -2));
  return {};
}

status consumer::seek_to_end(const std::vector<topic_partition>& tps) {
  for (auto& tp : or_all(tps, *this)) LK_TRY_STATUS(seek_to_timestamp(tp, -1));
  return {};
}

status consumer::seek_to_timestamp(const topic_partition& tp, timestamp_ms ts) {
  actors::partition_actor a;
  {
    std::lock_guard<std::mutex> g(impl_->sh->m);
    auto i = impl_->sh->slots.find(tp);
    if (i == impl_->sh->slots.end())
      return {errc::invalid_argument, tp.topic + "-" + std::to_string(tp.partition.value()) + " is not assigned"};
    a = i->second.actor;
  }
  LK_ASSIGN_OR_RETURN(int64_t off, impl_->list_offset(a, ts));
  if (off < 0) {  // nothing that new: the end of the log
    LK_ASSIGN_OR_RETURN(off, impl_->list_offset(a, -1));
  }
  return seek(tp, off);
}

result<int64_t> consumer::position(const topic_partition& tp) const {
  std::lock_guard<std::mutex> g(impl_->sh->m);
  auto i = impl_->sh->slots.find(tp);
  if (i == impl_->sh->slots.end())
    return error{errc::invalid_argument, tp.topic + "-" + std::to_string(tp.partition.value()) + " is not assigned"};
  return i->second.position;
}

std::vector<partition_lag> consumer::lag() {
  std::vector<partition_lag> out;
  std::vector<std::pair<topic_partition, actors::partition_actor>> actors_;
  {
    std::lock_guard<std::mutex> g(impl_->sh->m);
    for (auto& [tp, s] : impl_->sh->slots) {
      out.push_back({tp, s.position, -1, -1});
      actors_.emplace_back(tp, s.actor);
    }
  }
  std::map<topic_partition, int64_t> committed;
  if (!impl_->opts.group_id.empty()) {
    std::vector<topic_partition> tps;
    for (auto& l : out) tps.push_back(l.tp);
    if (auto c = impl_->fetch_committed(tps)) committed = std::move(*c);
  }
  for (size_t i = 0; i < out.size(); ++i) {
    if (auto end = impl_->list_offset(actors_[i].second, -1)) out[i].end_offset = *end;
    auto ci = committed.find(out[i].tp);
    if (ci != committed.end()) out[i].committed = ci->second;
  }
  return out;
}

void consumer::wakeup() {
  std::lock_guard<std::mutex> g(impl_->sh->m);
  impl_->sh->woken = true;
  impl_->sh->cv.notify_all();
}

status consumer::close() {
  if (!impl_) return {};
  {
    std::lock_guard<std::mutex> g(impl_->sh->m);
    if (impl_->sh->closed) return {};
  }
  status st;
  if (impl_->opts.enable_auto_commit && !impl_->opts.group_id.empty() && !impl_->eng->closed) {
    auto pos = impl_->positions();
    if (!pos.empty()) st = impl_->commit(pos);
  }
  // Pending async commits are written before the member leaves (their generation is valid).
  const auto wait = std::chrono::milliseconds(std::max<int64_t>(0, impl_->opts.close_timeout_ms));
  if (!impl_->wait_commits(wait) && st)
    st = {errc::timeout, "close: pending commits were not written within close_timeout_ms (" +
                             std::to_string(impl_->opts.close_timeout_ms) + " ms)"};
  impl_->stop_group();
  std::lock_guard<std::mutex> g(impl_->sh->m);
  impl_->sh->closed = true;
  impl_->sh->slots.clear();
  impl_->sh->queue.clear();
  impl_->sh->buffered = 0;
  impl_->sh->cv.notify_all();
  return st;
}

result<std::unique_ptr<consumer>> engine::make_consumer(const consumer_options& opts) {
  if (impl_->closed) return error{errc::closed, "engine closed"};
  if (opts.max_poll_records == 0) return error{errc::invalid_argument, "max_poll_records must be > 0"};
  auto i = std::make_unique<consumer::impl>();
  i->eng = impl_.get();
  i->opts = opts;
  i->sh->buffer_max = opts.buffer_max_bytes;
  i->sh->fetch_max = opts.fetch_max_bytes;
  i->sh->read_committed = opts.isolation == isolation_level::read_committed;
  return std::make_unique<consumer>(std::move(i));
}

}  // namespace lkstream

#include "lkstream/partition/partition_core.hpp"

#include <algorithm>
#include <cassert>

#include "lkstream/model/record_batch.hpp"

namespace lkstream::partition {

partition_core::partition_core(config cfg)
    : topic_(std::move(cfg.topic)),
      id_(cfg.id),
      log_(std::move(cfg.log)),
      log_append_time_(cfg.log_append_time),
      tail_(log_->config().hot_tail_bytes),
      synced_end_(log_->end_offset()),  // what recovery found is on disk
      txns_(std::move(cfg.transactions)),
      report_(std::move(cfg.report)) {
  assert(txns_ && "partition_core::config::transactions is required");
}

partition_core::~partition_core() {
  if (!closed_) close();
}

std::string partition_core::where() const { return topic_ + "-" + std::to_string(id_.value()); }

offset partition_core::high_watermark() const {
  return policy() == storage::fsync_policy::always ? synced_end_ : log_->end_offset();
}

offset partition_core::last_stable_offset() const {
  return txns_->first_unstable(high_watermark());
}

const producer_state& partition_core::producers() {
  load_producers();
  return producers_;
}

void partition_core::reject(const append_sink_ptr& sink, const error& e, bool with_log_start) {
  sink->on_appended({e.code, e.message, {}, sequence_check::ok,
                     with_log_start ? log_->start_offset() : offset{-1}});
}

// ---- appends ------------------------------------------------------------------------------

core_todo partition_core::append(append_batch batch, append_sink_ptr sink, bool validate,
                                 timestamp_ms now_ms) {
  if (closed_) {
    sink->on_appended({errc::closed, "partition deleted", {}, sequence_check::ok});
    return {};
  }
  if (batch.data.size() > log_->config().max_batch_bytes) {  // before spending a CRC pass
    sink->on_appended({errc::message_too_large,
                       "batch of " + std::to_string(batch.data.size()) +
                           " bytes exceeds max_batch_bytes " +
                           std::to_string(log_->config().max_batch_bytes) + " of " + where(),
                       {}, sequence_check::ok});
    return {};
  }
  if (validate) {  // the client's CRC, before LogAppendTime rewrites it
    if (auto v = model::validate_batch(batch.data); !v) {
      sink->on_appended({v.err().code, v.err().message, {}, sequence_check::ok});
      return {};
    }
  }
  if (storage::compacts(log_->config().cleanup)) {
    if (auto st = check_keys(batch.data); !st) {
      sink->on_appended({st.err().code, st.err().message, {}, sequence_check::ok});
      return {};
    }
  }
  auto hdr = model::read_header(batch.data);
  if (hdr && hdr->is_control()) {
    reject(sink, {errc::invalid_record,
                  "clients are not allowed to write control records in " + where()});
    return {};
  }
  const bool idempotent = hdr && hdr->producer_id >= 0;
  if (idempotent) {
    load_producers();
    auto verdict = producers_.check(*hdr);
    switch (verdict.check) {
      case sequence_check::ok:
        break;
      case sequence_check::duplicate:
        // Never acknowledge more than the original's ack promises (fsync = always).
        if (policy() == storage::fsync_policy::always &&
            verdict.original.last_offset >= synced_end_)
          return wait_for_sync(std::move(sink), verdict.original);
        // Kafka answers a duplicate with the batch's max timestamp as log_append_time (its
        // producer state keeps no other time); with CreateTime that is the client's, which the
        // retry carries unchanged.
        if (!log_append_time_) verdict.original.log_append_time = hdr->max_timestamp;
        sink->on_appended({errc::ok, {}, verdict.original, sequence_check::duplicate,
                           log_->start_offset()});
        return {};
      // The log start offset goes with these errors, as with Kafka's (only a batch refused
      // before it reaches a log, too large or corrupt, reports -1).
      case sequence_check::out_of_order:
        sink->on_appended({errc::out_of_order_sequence, std::move(verdict.message), {},
                           verdict.check, log_->start_offset()});
        return {};
      case sequence_check::stale_epoch:
        sink->on_appended({errc::invalid_argument, std::move(verdict.message), {}, verdict.check,
                           log_->start_offset()});
        return {};
      case sequence_check::missing_sequence:
        sink->on_appended({errc::corrupt_batch, std::move(verdict.message), {}, verdict.check,
                           log_->start_offset()});
        return {};
    }
    if (auto st = txns_->check_data(*hdr); !st) {
      reject(sink, st.err());
      return {};
    }
  }
  if (log_append_time_) model::set_log_append_time(batch.data, now_ms);
  auto r = log_->append(batch.data, now_ms, false);
  if (!r) {
    note_write_failure(r.err());
    sink->on_appended({r.err().code, r.err().message, {}, sequence_check::ok});
    return {};
  }
  note_write_success();
  if (log_append_time_) r->log_append_time = now_ms;
  if (idempotent) {
    producers_.record(*hdr, r->base_offset, r->last_offset);
    txns_->on_data(*hdr, r->base_offset);
  }
  if (log_append_time_) hdr = model::read_header(batch.data);  // max_timestamp was rewritten
  return settle_append(std::move(batch), hdr ? std::optional(*hdr) : std::nullopt, *r,
                       std::move(sink));
}

// The part of an append after the write: the hot tail, then the acknowledgement per policy.
core_todo partition_core::settle_append(append_batch batch, std::optional<model::batch_header> hdr,
                                        const storage::append_result& r, append_sink_ptr sink) {
  tail_.push({r.base_offset, r.last_offset, hdr ? hdr->max_timestamp : -1,
              std::move(batch).freeze()});
  core_todo todo;
  switch (policy()) {
    case storage::fsync_policy::always:
      return wait_for_sync(std::move(sink), r);  // readers are woken after the sync
    case storage::fsync_policy::interval:
      todo.arm_interval_sync = true;
      break;
    case storage::fsync_policy::never:
      break;
  }
  txns_->on_high_watermark(high_watermark());
  // Readers first: the consumers' wake-up goes out before the producer's callbacks run
  // (they may seal and send its next batch), which is the end-to-end latency's path.
  wake_parked(false);
  sink->on_appended({errc::ok, {}, r, sequence_check::ok, log_->start_offset()});
  return todo;
}

core_todo partition_core::append_marker(int64_t producer_id, int16_t epoch,
                                        model::transaction_marker marker, append_sink_ptr sink,
                                        timestamp_ms now_ms) {
  if (closed_) {
    sink->on_appended({errc::closed, "partition deleted", {}, sequence_check::ok});
    return {};
  }
  load_producers();
  if (auto current = producers_.epoch_of(producer_id); current && epoch < *current) {
    reject(sink, {errc::invalid_producer_epoch,
                  "marker of producer " + std::to_string(producer_id) + " epoch " +
                      std::to_string(epoch) + " is older than its current epoch " +
                      std::to_string(*current) + " in " + where()});
    return {};
  }
  if (auto st = txns_->check_marker(producer_id, epoch); !st) {
    reject(sink, st.err());
    return {};
  }
  auto buffer = std::make_shared<bytes>();
  model::build_marker_batch(*buffer, producer_id, epoch, marker, now_ms);
  auto batch = append_batch::of(buffer);
  if (log_append_time_) model::set_log_append_time(batch.data, now_ms);
  const offset lso_before = last_stable_offset();
  auto r = log_->append(batch.data, now_ms, false);
  if (!r) {
    note_write_failure(r.err());
    sink->on_appended({r.err().code, r.err().message, {}, sequence_check::ok});
    return {};
  }
  note_write_success();
  if (log_append_time_) r->log_append_time = now_ms;
  producers_.record_marker(producer_id, epoch);
  // The index file's write error is not the append's: the entry is kept in memory and the
  // next checkpoint rewrites the file.
  (void)txns_->on_marker(producer_id, marker.type, r->base_offset, lso_before);
  auto hdr = model::read_header(batch.data);
  return settle_append(std::move(batch), hdr ? std::optional(*hdr) : std::nullopt, *r,
                       std::move(sink));
}

core_todo partition_core::wait_for_sync(append_sink_ptr sink, const storage::append_result& info) {
  unsynced_.push_back({std::move(sink), info});
  return {.sync_wanted = true};
}

// The idempotent-producer state covers the last two segments: enough for every producer that
// appended recently (a producer id without state is accepted with any sequence, as in Kafka).
void partition_core::load_producers() {
  if (producers_loaded_) return;
  producers_loaded_ = true;
  auto segs = log_->segments();
  offset from = log_->start_offset();
  if (segs.size() > 2) from = segs[segs.size() - 2].base_offset;
  (void)producers_.rebuild(*log_, from);  // a read error only loses duplicate detection
}

status partition_core::check_keys(bytes_view batch) {
  LK_ASSIGN_OR_RETURN(model::batch_header h, model::read_header(batch));
  if (h.is_control()) return ok();
  // Decompressed output is bounded like a fetch of the topic's largest batch, 64 times over.
  const size_t bound = static_cast<size_t>(log_->config().max_batch_bytes) * 64;
  LK_ASSIGN_OR_RETURN(bytes_view records, model::batch_records(batch, decompressor_, scratch_, bound));
  model::record_iterator it(batch, records);
  model::record_view rec;
  while (it.next(rec)) {
    if (!rec.key)
      return {errc::invalid_record,
              "compacted topic " + where() + " requires a key on every record (record " +
                  std::to_string(rec.offset - h.base_offset) + " of the batch has none)"};
  }
  return it.state();
}

// ---- syncs --------------------------------------------------------------------------------

std::optional<storage::log_sync_job> partition_core::begin_sync() {
  if (sync_in_flight_ || closed_) return std::nullopt;
  auto job = log_->begin_sync();
  if (!job) {
    note_write_failure(job.err());
    ack_all_unsynced(std::move(job).take_error());
    return std::nullopt;
  }
  if (!*job) {  // everything written is durable already
    synced_end_ = log_->end_offset();
    txns_->on_high_watermark(synced_end_);
    ack_all_unsynced(status{});
    wake_parked(false);
    return std::nullopt;
  }
  sync_in_flight_ = true;
  return std::move(**job);
}

core_todo partition_core::end_sync(const storage::log_sync_job& job, const status& outcome) {
  sync_in_flight_ = false;
  core_todo todo;
  if (closed_) return todo;
  log_->end_sync(job, outcome);
  if (outcome) synced_end_ = std::max(synced_end_, job.covers);
  else note_write_failure(outcome.err());
  txns_->on_high_watermark(synced_end_);
  wake_parked(false);  // readers first, as after an append
  settle_unsynced(job.covers, outcome);
  // Appends that arrived while the job ran wait for the next one (group commit).
  todo.sync_wanted = !unsynced_.empty();
  // `interval`: what was appended while this job ran (or all of it, if it failed) still needs
  // a sync even if no further append asks for one.
  todo.arm_interval_sync = policy() == storage::fsync_policy::interval &&
                           (!outcome || log_->end_offset() > job.covers);
  return todo;
}

void partition_core::note_write_failure(const error& e) {
  if (e.code != errc::io_error && e.code != errc::no_space && e.code != errc::not_found) return;
  ++storage_failures_;
  if (!report_) return;
  report_("storage error " + where(),
       "partition " + where() + ": storage error (" + std::string(to_string(e.code)) +
           "), the write fails at once (Kafka clients see KAFKA_STORAGE_ERROR) and the next one "
           "tries again: " + e.message);
}

void partition_core::note_write_success() {
  if (storage_failures_ == 0) return;
  if (report_)
    report_("storage recovered " + where(),
         "partition " + where() + ": writing again after " +
             std::to_string(storage_failures_) + " failed writes");
  storage_failures_ = 0;
}

void partition_core::ack(pending_ack& a, const status& st) {
  append_outcome out;
  if (st) {
    out.info = a.info;
    out.log_start = log_->start_offset();
  } else {
    out.code = st.err().code;
    out.message = "append written but fdatasync failed: " + st.err().message;
  }
  a.sink->on_appended(out);
}

void partition_core::ack_all_unsynced(const status& st) {
  for (auto& a : unsynced_) ack(a, st);
  unsynced_.clear();
}

// Settles the waiting appends a sync covered (those below `covers`), in order; the others
// (appended while it ran) wait for the next one. In place: no allocation per sync.
void partition_core::settle_unsynced(offset covers, const status& st) {
  size_t kept = 0;
  for (size_t i = 0; i < unsynced_.size(); ++i) {
    if (unsynced_[i].info.last_offset < covers) {
      ack(unsynced_[i], st);
    } else {
      if (kept != i) unsynced_[kept] = std::move(unsynced_[i]);
      ++kept;
    }
  }
  unsynced_.resize(kept);
}

// ---- fetches ------------------------------------------------------------------------------

fetch_response partition_core::read(const fetch_request& rq) const {
  fetch_response resp;
  resp.start = rq.start;
  resp.log_start = log_->start_offset();
  resp.high_watermark = high_watermark();
  resp.last_stable = txns_->first_unstable(resp.high_watermark);
  if (rq.start < resp.log_start || rq.start > log_->end_offset()) {
    resp.code = errc::offset_out_of_range;
    resp.message = "offset " + std::to_string(rq.start.value()) + " outside [" +
                   std::to_string(resp.log_start.value()) + ", " +
                   std::to_string(log_->end_offset().value()) + "] of " + where();
    return resp;
  }
  const offset limit = rq.read_committed ? resp.last_stable : resp.high_watermark;
  if (rq.start >= limit) return resp;
  const offset max_offset = limit - 1;
  if (tail_.covers(rq.start)) {
    resp.bytes = tail_.read(rq.start, rq.max_bytes, max_offset, resp.chunks);
  } else {
    auto r = log_->read({rq.start, rq.max_bytes, max_offset});
    if (!r) {
      resp.code = r.err().code;
      resp.message = r.err().message;
      return resp;
    }
    if (!r->data.empty()) {
      resp.bytes = r->data.size();
      resp.chunks.push_back(std::move(r->data));
    }
  }
  if (rq.read_committed && !txns_->aborted().empty() && !resp.chunks.empty()) {
    // The aborted transactions overlapping [start, end of the last returned batch].
    offset upper = rq.start;
    model::batch_walker walk(resp.chunks.back().view());
    model::batch_header h;
    bytes_view b;
    while (walk.next(h, b)) upper = offset{h.last_offset() + 1};
    txns_->aborted_between(rq.start, std::max(upper, rq.start + 1), resp.aborted);
  }
  return resp;
}

bool partition_core::fetch(const fetch_request& rq, fetch_sink_ptr sink, time_point now) {
  if (closed_) {
    fetch_response resp;
    resp.code = errc::closed;
    resp.message = "partition deleted";
    sink->on_fetched(std::move(resp));
    return false;
  }
  auto resp = read(rq);
  if (resp.code != errc::ok || rq.max_wait_ms <= 0 || resp.bytes >= rq.min_bytes) {
    sink->on_fetched(std::move(resp));
    return false;
  }
  parked_.push_back({rq, std::move(sink), now + std::chrono::milliseconds(rq.max_wait_ms)});
  return true;
}

// Answers parked fetches that can now be satisfied, those whose max wait is over at `now`,
// or all of them when `all`. In place: no allocation per append.
void partition_core::wake_parked(bool all, time_point now) {
  if (parked_.empty()) return;
  const offset hw = high_watermark();
  const offset lso = txns_->first_unstable(hw);
  size_t kept = 0;
  for (size_t i = 0; i < parked_.size(); ++i) {
    auto& p = parked_[i];
    const bool expired = all || p.deadline <= now;
    if (!expired && p.request.start >= (p.request.read_committed ? lso : hw)) {
      if (kept != i) parked_[kept] = std::move(p);
      ++kept;
      continue;
    }
    auto resp = read(p.request);
    if (!expired && resp.code == errc::ok && resp.bytes < p.request.min_bytes) {
      if (kept != i) parked_[kept] = std::move(p);
      ++kept;
      continue;
    }
    p.sink->on_fetched(std::move(resp));
  }
  parked_.resize(kept);
}

void partition_core::fetch_now(const fetch_sink_ptr& sink) {
  auto i = std::find_if(parked_.begin(), parked_.end(),
                        [&](const parked_fetch& p) { return p.sink == sink; });
  if (i == parked_.end()) return;  // already answered
  auto p = std::move(*i);
  parked_.erase(i);
  p.sink->on_fetched(read(p.request));
}

void partition_core::expire(time_point now) {
  if (closed_) return;
  wake_parked(false, now);
}

std::optional<partition_core::time_point> partition_core::next_deadline() const {
  std::optional<time_point> out;
  for (auto& p : parked_)
    if (!out || p.deadline < *out) out = p.deadline;
  return out;
}

// ---- the rest -----------------------------------------------------------------------------

result<std::pair<int64_t, int64_t>> partition_core::list_offset(int64_t ts,
                                                                bool read_committed) const {
  if (closed_) return error{errc::closed, "partition deleted"};
  const offset latest = read_committed ? last_stable_offset() : high_watermark();
  if (ts == -2) return std::pair<int64_t, int64_t>{log_->start_offset().value(), -1};
  if (ts == -1) return std::pair<int64_t, int64_t>{latest.value(), -1};
  auto r = log_->find_by_timestamp(ts);
  if (!r) return std::move(r).take_error();
  if (!r->has_value() || (*r)->at >= latest) return std::pair<int64_t, int64_t>{-1, -1};
  return std::pair<int64_t, int64_t>{(*r)->at.value(), (*r)->timestamp};
}

partition_description partition_core::describe() const {
  partition_description d;
  d.id = id_;
  if (closed_) return d;
  d.log_start = log_->start_offset();
  d.end = log_->end_offset();
  d.high_watermark = high_watermark();
  d.size_bytes = log_->size_bytes();
  d.segments = log_->segments().size();
  d.hot_tail_bytes = tail_.size_bytes();
  d.last_stable = last_stable_offset();
  d.open_transactions = txns_->open_transactions().size();
  d.recovery = log_->recovery();
  return d;
}

producer_description_list partition_core::describe_producers() {
  producer_description_list out;
  if (closed_) {
    out.code = errc::closed;
    return out;
  }
  load_producers();
  producers_.for_each([&](const producer_state::producer_view& p) {
    producer_description d;
    d.producer_id = p.producer_id;
    d.producer_epoch = p.epoch;
    d.last_sequence = p.last_sequence;
    d.last_timestamp = p.last_timestamp;
    if (const auto* t = txns_->find_open(p.producer_id)) d.current_txn_start_offset = t->first.value();
    out.producers.push_back(d);
  });
  // A transaction opened before the scanned range has no idempotent state: listed too.
  for (const auto& t : txns_->open_transactions()) {
    auto known = std::find_if(out.producers.begin(), out.producers.end(),
                              [&](const producer_description& d) {
                                return d.producer_id == t.producer_id;
                              });
    if (known != out.producers.end()) continue;
    producer_description d;
    d.producer_id = t.producer_id;
    d.producer_epoch = t.epoch;
    d.current_txn_start_offset = t.first.value();
    out.producers.push_back(d);
  }
  std::sort(out.producers.begin(), out.producers.end(),
            [](const producer_description& a, const producer_description& b) {
              return a.producer_id < b.producer_id;
            });
  return out;
}

result<uint64_t> partition_core::apply_retention(timestamp_ms now_ms) {
  if (closed_) return uint64_t{0};
  auto r = log_->apply_retention(now_ms, last_stable_offset());
  if (!r) return std::move(r).take_error();
  tail_.trim_before(log_->start_offset());
  if (*r > 0) LK_TRY_STATUS(txns_->trim(log_->start_offset()));
  LK_TRY_STATUS(checkpoint_transactions());
  return static_cast<uint64_t>(*r);
}

result<int64_t> partition_core::delete_records(int64_t before) {
  if (closed_) return error{errc::closed, "partition " + where() + " is closed"};
  const offset hw = high_watermark();
  if (before == -1) before = hw.value();
  if (before < 0 || before > hw.value())
    return error{errc::offset_out_of_range,
                 "cannot delete records of " + where() + " before offset " +
                     std::to_string(before) + ": the high watermark is " +
                     std::to_string(hw.value())};
  auto r = log_->advance_start(offset{before});
  if (!r) return std::move(r).take_error();
  tail_.trim_before(*r);
  return r->value();
}

status partition_core::checkpoint_transactions() {
  if (closed_ || sync_in_flight_) return ok();
  if (policy() == storage::fsync_policy::always) {
    // Covered only once everything appended is synced; the next tick tries again otherwise.
    if (synced_end_ != log_->end_offset()) return ok();
  } else {
    LK_TRY_STATUS(log_->sync());
  }
  return txns_->checkpoint(log_->end_offset());
}

std::optional<storage::cleaning_input> partition_core::cleaning_snapshot(timestamp_ms now_ms) const {
  if (closed_ || !storage::compacts(log_->config().cleanup)) return std::nullopt;
  auto in = storage::snapshot_for_cleaning(*log_, now_ms);
  // Nothing at or above the LSO is cleaned: an open transaction may still abort, and its
  // records must not supersede committed ones. The bound is a segment base.
  const offset lso = last_stable_offset();
  if (lso < in.first_uncleanable) {
    offset bound = in.closed.empty() ? lso : in.closed.front().base_offset;
    for (const auto& seg : in.closed)
      if (seg.base_offset <= lso) bound = seg.base_offset;
    in.first_uncleanable = std::min(in.first_uncleanable, bound);
  }
  if (!storage::assess_cleaning(in).due) return std::nullopt;
  in.aborted = txns_->aborted();
  return in;
}

result<uint64_t> partition_core::swap_cleaned(const storage::cleaning_swap& swap) {
  if (closed_) return error{errc::closed, "partition " + where() + " is closed"};
  auto r = log_->swap_cleaned(swap);
  if (!swap.segments.empty()) tail_.clear();
  return r;
}

void partition_core::update_config(const storage::log_config& c, bool log_append_time) {
  if (closed_) return;
  log_append_time_ = log_append_time;
  log_->update_config(c);
  tail_.set_max_bytes(c.hot_tail_bytes);
}

status partition_core::remove() {
  if (closed_) return {};
  ack_all_unsynced(status{errc::closed, "partition deleted"});
  wake_parked(true);
  auto st = log_->remove();
  closed_ = true;
  tail_.clear();
  return st;
}

void partition_core::close() {
  if (closed_) return;
  closed_ = true;
  auto st = log_->sync();
  if (st) {
    synced_end_ = log_->end_offset();
    (void)txns_->checkpoint(synced_end_);  // saves a scan at the next open; not needed by it
  }
  ack_all_unsynced(st);
  for (auto& p : parked_) {
    fetch_response resp;
    resp.code = errc::closed;
    resp.message = "partition closed";
    resp.start = p.request.start;
    p.sink->on_fetched(std::move(resp));
  }
  parked_.clear();
  (void)log_->close();
}

}  // namespace lkstream::partition

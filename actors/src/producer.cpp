#include "lkstream/producer.hpp"

#include <algorithm>
#include <condition_variable>
#include <mutex>
#include <random>
#include <thread>
#include <tuple>
#include <unordered_map>

#include "engine_impl.hpp"
#include "group/group_api.hpp"
#include "lkstream/consumer.hpp"
#include "lkstream/kafka/error_code.hpp"
#include "lkstream/model/partitioner.hpp"
#include "lkstream/model/record_batch.hpp"

namespace lkstream {
namespace {

using steady = std::chrono::steady_clock;

// Counters shared with the sinks, which may outlive the producer object.
struct flight_control {
  std::mutex m;
  std::condition_variable cv;
  size_t records = 0;
  size_t bytes = 0;
};

struct producer_core;

// Completes the callbacks of one batch once the partition actor acknowledged it, then lets
// the producer hand over what accumulated for that partition meanwhile (linger_ms = 0).
class batch_sink final : public actors::append_sink {
 public:
  batch_sink(std::shared_ptr<flight_control> fc, std::weak_ptr<producer_core> core,
             uint64_t acc_id, std::string topic, int32_t partition,
             std::vector<delivery_callback> cbs, std::vector<timestamp_ms> ts, size_t bytes)
      : fc_(std::move(fc)), core_(std::move(core)), acc_id_(acc_id), topic_(std::move(topic)),
        partition_(partition), callbacks_(std::move(cbs)), timestamps_(std::move(ts)),
        bytes_(bytes) {}

  void on_appended(const actors::append_outcome& out) override;

 private:
  std::shared_ptr<flight_control> fc_;
  std::weak_ptr<producer_core> core_;
  uint64_t acc_id_;
  std::string topic_;
  int32_t partition_;
  std::vector<delivery_callback> callbacks_;
  std::vector<timestamp_ms> timestamps_;
  size_t bytes_;
};

struct open_batch {
  std::shared_ptr<bytes> buf;
  std::optional<model::batch_builder> builder;
  std::vector<delivery_callback> callbacks;
  std::vector<timestamp_ms> timestamps;
  steady::time_point opened;
  int in_flight = 0;  // batches of this partition handed over and not yet acknowledged
  size_t last_size = 0;  // bytes of the last batch sealed: sizes the next one's buffer
  // Transactional producers: the next batch's base sequence (per partition, from 0 after each
  // init_transactions) and whether the coordinator knows this partition is in the transaction.
  int32_t next_sequence = 0;
  bool in_txn = false;
  bool empty() const { return !builder || builder->record_count() == 0; }
  void reset() {
    builder.reset();
    buf.reset();
    callbacks = {};
    timestamps = {};
  }
};

struct topic_acc {
  uint64_t id = 0;  // distinguishes a re-created topic's accumulator from the old one's
  std::shared_ptr<const actors::topic_handle> handle;
  std::vector<open_batch> batches;  // per partition
  int32_t sticky = -1;
};

struct string_hash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
};

// The producer's batching state, shared with the sinks of batches in flight (which may run
// after the producer object is gone: then they only complete callbacks).
struct producer_core : std::enable_shared_from_this<producer_core> {
  engine::impl* eng;
  producer_options opts;
  std::shared_ptr<flight_control> fc = std::make_shared<flight_control>();
  std::mutex m;  // guards everything below
  std::condition_variable linger_cv;
  std::unordered_map<std::string, topic_acc, string_hash, std::equal_to<>> topics;
  uint64_t board_version = 0;
  uint64_t next_acc_id = 1;
  std::minstd_rand rng{std::random_device{}()};
  bool stopping = false;

  // Transactions (opts.transactional_id set), under m. Phases: uninitialized ->
  // (init_transactions) ready -> (begin) in_transaction -> (commit/abort) ready; fenced is
  // final.
  enum class txn_phase : uint8_t { uninitialized, ready, in_transaction, fenced };
  txn_phase phase = txn_phase::uninitialized;
  int64_t producer_id = -1;
  int16_t epoch = -1;
  bool txn_started = false;           // the coordinator knows of the transaction (partition
                                      // or offsets added): EndTxn is needed
  std::optional<error> txn_failure;   // the first record of the transaction that failed
  std::string fenced_message;

  bool transactional() const { return !opts.transactional_id.empty(); }

  // Ends the local side of a transaction: no partition is in one any more.
  void reset_txn_locked() {
    for (auto& [name, acc] : topics)
      for (auto& b : acc.batches) b.in_txn = false;
    txn_started = false;
    txn_failure.reset();
  }

  // Re-resolves topic handles after the registry published a new map.
  void refresh_locked() {
    board_version = eng->board->version();
    for (auto it = topics.begin(); it != topics.end();) {
      auto h = eng->board->find(it->first);
      if (!h) {
        for (size_t p = 0; p < it->second.batches.size(); ++p) fail_batch(it->second, p, errc::unknown_topic);
        it = topics.erase(it);
        continue;
      }
      if (h != it->second.handle) {
        // Seal under the old handle's actors first; then resize for added partitions.
        for (size_t p = 0; p < it->second.batches.size(); ++p) seal_locked(it->second, p);
        it->second.handle = h;
        it->second.batches.resize(h->partitions.size());
      }
      ++it;
    }
  }

  void fail_batch(topic_acc& acc, size_t p, errc code) {
    auto& b = acc.batches[p];
    if (b.empty()) return;
    delivery_report rep;
    rep.code = code;
    rep.message = "topic deleted before the batch was sent";
    rep.topic = acc.handle->name;
    rep.partition = static_cast<int32_t>(p);
    for (auto& cb : b.callbacks)
      if (cb) cb(rep);
    b.reset();
  }

  result<topic_acc*> find_topic_locked(std::string_view name) {
    if (eng->board->version() != board_version) refresh_locked();
    auto it = topics.find(name);
    if (it != topics.end()) return &it->second;
    auto h = eng->board->find(std::string(name));
    if (!h) {
      if (!opts.auto_create_topics)
        return error{errc::unknown_topic, "unknown topic " + std::string(name)};
      LK_TRY_STATUS(eng->ensure_topic(name));
      h = eng->board->find(std::string(name));
      if (!h) return error{errc::unknown_topic, "topic " + std::string(name) + " vanished"};
    }
    topic_acc acc;
    acc.id = next_acc_id++;
    acc.handle = h;
    acc.batches.resize(h->partitions.size());
    return &topics.emplace(std::string(name), std::move(acc)).first->second;
  }

  // Hands the open batch of partition p to its partition actor.
  void seal_locked(topic_acc& acc, size_t p) {
    auto& b = acc.batches[p];
    if (b.empty()) return;
    b.next_sequence += static_cast<int32_t>(b.builder->record_count());
    b.builder->finish();
    b.builder.reset();
    const size_t size = b.buf->size();
    b.last_size = size;
    {
      std::lock_guard<std::mutex> g(fc->m);
      fc->records += b.callbacks.size();
      fc->bytes += size;
    }
    auto sink = std::make_shared<batch_sink>(fc, weak_from_this(), acc.id, acc.handle->name,
                                             static_cast<int32_t>(p), std::move(b.callbacks),
                                             std::move(b.timestamps), size);
    ++b.in_flight;
    // The buffer itself goes to the partition (stamped there, kept in its hot tail): no copy.
    caf::anon_send(acc.handle->partitions[p], actors::append_atom::value,
                   actors::append_batch::of(std::move(b.buf)),
                   actors::append_sink_ptr(std::move(sink)), false);
    b.reset();
    if (acc.sticky == static_cast<int32_t>(p)) acc.sticky = -1;  // KIP-480: move on per batch
  }

  void seal_all_locked() {
    for (auto& [name, acc] : topics)
      for (size_t p = 0; p < acc.batches.size(); ++p) seal_locked(acc, p);
  }

  // Blocks while too many bytes are unacknowledged.
  status wait_for_buffer(std::unique_lock<std::mutex>& lk) {
    std::unique_lock<std::mutex> g(fc->m);
    if (fc->bytes <= opts.buffer_bytes) return {};
    lk.unlock();
    bool ok = fc->cv.wait_for(g, std::chrono::milliseconds(opts.max_block_ms),
                              [&] { return fc->bytes <= opts.buffer_bytes; });
    g.unlock();
    lk.lock();
    if (!ok)
      return {errc::timeout, "producer buffer full for " + std::to_string(opts.max_block_ms) + " ms"};
    return {};
  }

  void linger_loop() {
    std::unique_lock<std::mutex> lk(m);
    const auto linger = std::chrono::milliseconds(opts.linger_ms);
    while (!stopping) {
      auto next = steady::time_point::max();
      const auto now = steady::now();
      for (auto& [name, acc] : topics)
        for (size_t p = 0; p < acc.batches.size(); ++p) {
          auto& b = acc.batches[p];
          if (b.empty()) continue;
          if (b.opened + linger <= now) seal_locked(acc, p);
          else next = std::min(next, b.opened + linger);
        }
      if (next == steady::time_point::max()) linger_cv.wait(lk);
      else linger_cv.wait_until(lk, next);
    }
  }

  // A batch of the transaction failed: commit_transaction() reports it. Called before the
  // batch stops counting as in flight, so a flush() that returned has seen it.
  void note_txn_failure(const std::string& topic, int32_t p, const actors::append_outcome& out) {
    std::lock_guard<std::mutex> g(m);
    if (!transactional() || txn_failure) return;
    // A zombie's batch: the partition saw a newer epoch of this producer id (a marker of the
    // coordinator's abort, or a batch of the producer that fenced this one).
    const bool fenced = out.code == errc::invalid_producer_epoch ||
                        out.sequence == partition::sequence_check::stale_epoch;
    const errc c = fenced ? errc::producer_fenced : out.code;
    const std::string_view message = out.message;
    txn_failure = error{c, "a record of the transaction to " + topic + "-" + std::to_string(p) +
                               " failed: " + std::string(message)};
  }

  // A batch of topic `acc_id` / partition p was acknowledged. With linger_ms = 0, what
  // accumulated while it was in flight goes out now (librdkafka does the same): under load
  // batches grow by themselves, when idle every record leaves at once.
  // A partition that answered `closed` is gone (engine shutdown, topic deletion): what waits
  // for it fails now instead of being sent to an actor that no longer answers.
  // Callbacks run without the lock held, as for acknowledged batches.
  void on_batch_done(uint64_t acc_id, const std::string& topic, size_t p, errc code) {
    std::vector<delivery_callback> failed;
    {
      std::lock_guard<std::mutex> g(m);
      auto it = topics.find(topic);
      if (it == topics.end() || it->second.id != acc_id || p >= it->second.batches.size()) return;
      auto& b = it->second.batches[p];
      if (b.in_flight > 0) --b.in_flight;
      if (code == errc::closed && !b.empty()) {
        failed = std::move(b.callbacks);
        b.reset();
      } else if (code != errc::closed && opts.linger_ms <= 0 && b.in_flight == 0) {
        seal_locked(it->second, p);
      }
    }
    delivery_report rep;
    rep.code = errc::closed;
    rep.message = "partition closed before the batch was sent";
    rep.topic = topic;
    rep.partition = static_cast<int32_t>(p);
    for (auto& cb : failed)
      if (cb) cb(rep);
  }
};

void batch_sink::on_appended(const actors::append_outcome& out) {
  delivery_report rep;
  rep.code = out.code;
  rep.message = out.message;
  rep.topic = topic_;
  rep.partition = partition_;
  for (size_t i = 0; i < callbacks_.size(); ++i) {
    if (!callbacks_[i]) continue;
    rep.offset = out.code == errc::ok ? out.info.base_offset.value() + static_cast<int64_t>(i) : -1;
    rep.timestamp = out.info.log_append_time >= 0 ? out.info.log_append_time : timestamps_[i];
    callbacks_[i](rep);
  }
  if (out.code != errc::ok)
    if (auto core = core_.lock()) core->note_txn_failure(topic_, partition_, out);
  {
    std::lock_guard<std::mutex> g(fc_->m);
    fc_->records -= callbacks_.size();
    fc_->bytes -= bytes_;
    fc_->cv.notify_all();
  }
  if (auto core = core_.lock()) core->on_batch_done(acc_id_, topic_, static_cast<size_t>(partition_), out.code);
}

}  // namespace

namespace {

using kafka::error_code;

// A blocking request to an engine actor from an application thread, answered within
// `timeout` (errc::timeout) or with the actor's reply as a tuple.
template <class... Rs, class Handle, class... Ts>
result<std::tuple<Rs...>> ask(engine::impl& eng, const Handle& dest,
                              std::chrono::milliseconds timeout, Ts&&... xs) {
  auto call = eng.enter();
  if (!call || !dest) return error{errc::closed, "engine closed"};
  actors::blocking_caller self{*eng.sys};
  std::optional<result<std::tuple<Rs...>>> out;
  self->request(dest, caf::duration{std::max(timeout, std::chrono::milliseconds(1))},
                std::forward<Ts>(xs)...)
      .receive([&](Rs&... rs) { out.emplace(std::tuple<Rs...>(std::move(rs)...)); },
               [&](caf::error& e) {
                 if (e.category() == caf::atom("system") &&
                     e.code() == static_cast<uint8_t>(caf::sec::request_timeout))
                   out.emplace(error{errc::timeout, "no answer from the engine within " +
                                                        std::to_string(timeout.count()) + " ms"});
                 else
                   out.emplace(actors::from_caf_error(e));
               });
  return std::move(*out);
}

// A caller's timeout as something a deadline can be computed from (milliseconds::max() and
// other huge values mean "no limit": a year).
std::chrono::milliseconds bounded(std::chrono::milliseconds t) {
  return std::clamp(t, std::chrono::milliseconds(0),
                    std::chrono::milliseconds(std::chrono::hours(24 * 365)));
}

// Answers the coordinator gives while an earlier transaction of the id is still being
// completed (or its state loading): Kafka clients retry them.
bool retriable(error_code e) {
  return e == error_code::concurrent_transactions || e == error_code::coordinator_load_in_progress ||
         e == error_code::coordinator_not_available || e == error_code::not_coordinator;
}

// Asks the transaction coordinator until it gives an answer that is not retriable or
// `deadline` passes (backing off as Kafka's retry.backoff.ms does).
template <class... Rs, class... Ts>
result<std::tuple<int16_t, Rs...>> ask_coordinator(engine::impl& eng, steady::time_point deadline,
                                                   const Ts&... xs) {
  auto backoff = std::chrono::milliseconds(5);
  while (true) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - steady::now());
    if (left.count() <= 0)
      return error{errc::timeout, "the transaction coordinator did not answer in time (it was "
                                  "busy completing an earlier transaction of the id, or the "
                                  "call's timeout left no time to ask)"};
    LK_ASSIGN_OR_RETURN(auto r, (ask<int16_t, Rs...>(eng, eng.transactions, left, xs...)));
    if (!retriable(static_cast<error_code>(std::get<0>(r)))) return r;
    std::this_thread::sleep_for(std::min(backoff, left));
    backoff = std::min(backoff * 2, std::chrono::milliseconds(100));
  }
}

// The coordinator's Kafka error as the embedded API's.
status txn_status(int16_t code, const std::string& id, std::string_view what) {
  const auto e = static_cast<error_code>(code);
  const std::string prefix = std::string(what) + " of transactional id '" + id + "': ";
  switch (e) {
    case error_code::none:
      return {};
    case error_code::producer_fenced:
    case error_code::invalid_producer_epoch:
      return {errc::producer_fenced,
              prefix + "fenced: another producer initialised this transactional id, or the "
                       "coordinator aborted the transaction after transaction_timeout_ms"};
    case error_code::invalid_txn_state:
      return {errc::invalid_txn_state, prefix + "the coordinator refused it in the "
                                                "transaction's current state (INVALID_TXN_STATE)"};
    case error_code::invalid_transaction_timeout:
      return {errc::invalid_argument,
              prefix + "transaction_timeout_ms is above the broker's maximum or not positive"};
    default:
      return {errc::io_error, prefix + std::string(kafka::to_string(e))};
  }
}

// Why a transactional call cannot be made in the producer's phase (`what` names it).
error phase_error(const producer_core& s, std::string_view what) {
  using phase = producer_core::txn_phase;
  if (!s.transactional())
    return {errc::invalid_txn_state,
            std::string(what) + " needs a transactional producer (producer_options::transactional_id)"};
  switch (s.phase) {
    case phase::fenced: return {errc::producer_fenced, s.fenced_message};
    case phase::uninitialized:
      return {errc::invalid_txn_state, std::string(what) + ": call init_transactions() first"};
    case phase::ready:
      return {errc::invalid_txn_state, std::string(what) + ": no transaction is open (begin_transaction())"};
    case phase::in_transaction:
      return {errc::invalid_txn_state, std::string(what) + ": a transaction is open already"};
  }
  return {errc::invalid_txn_state, std::string(what)};
}

// A coordinator answer under s.m: a fence is final.
status settle_txn_status(producer_core& s, status st) {
  if (!st && st.code() == errc::producer_fenced) {
    s.phase = producer_core::txn_phase::fenced;
    s.fenced_message = st.err().message;
  }
  return st;
}

// Adds partition p of `topic` to the open transaction (Kafka's AddPartitionsToTxn, before the
// partition's first batch of it). Releases `lk` while asking.
status add_partition(producer_core& s, std::unique_lock<std::mutex>& lk, const std::string& topic,
                     int32_t p) {
  const auto pid = s.producer_id;
  const auto ep = s.epoch;
  lk.unlock();
  txn::txn_partition_list tps;
  tps.partitions.push_back({topic, partition_id{p}});
  auto r = ask_coordinator<>(*s.eng, steady::now() + std::chrono::milliseconds(s.opts.max_block_ms),
                             actors::txn_add_partitions_atom::value, s.opts.transactional_id, pid,
                             ep, tps);
  lk.lock();
  if (!r) return std::move(r).take_error();
  LK_TRY_STATUS(settle_txn_status(s, txn_status(std::get<0>(*r), s.opts.transactional_id,
                                                "adding " + topic + "-" + std::to_string(p))));
  s.txn_started = true;
  return {};
}

}  // namespace

struct producer::impl {
  std::shared_ptr<producer_core> core;
  std::thread linger_thread;
};

producer::producer(std::unique_ptr<impl> i) : impl_(std::move(i)) {
  if (impl_->core->opts.linger_ms > 0)
    impl_->linger_thread = std::thread([c = impl_->core.get()] { c->linger_loop(); });
}

producer::~producer() {
  (void)flush(std::chrono::milliseconds(impl_->core->opts.max_block_ms));
  {
    std::lock_guard<std::mutex> g(impl_->core->m);
    impl_->core->stopping = true;
  }
  impl_->core->linger_cv.notify_all();
  if (impl_->linger_thread.joinable()) impl_->linger_thread.join();
}

namespace {

// The buffer a new batch starts with. Reserving the whole batch_bytes for every batch made
// each one a 256 KiB mmap/munmap pair (glibc's mmap threshold), and with linger_ms = 0 at a
// moderate rate most batches hold a handful of records: munmap's TLB shootdown cost
// milliseconds of latency, and the hot tail pinned 256 KiB per small batch. Start at about
// what the partition's last batch needed (batches under steady load are alike) and grow by
// doubling from there.
size_t initial_batch_capacity(size_t last_size, size_t cap) {
  constexpr size_t min_capacity = 1024;
  size_t want = std::max(min_capacity, last_size + last_size / 4);
  return std::min(want, cap);
}

// One record into its partition's open batch; the caller holds `lk` on s.m.
status send_locked(producer_core& s, std::unique_lock<std::mutex>& lk, const producer_record& rec,
                   delivery_callback cb) {
  LK_ASSIGN_OR_RETURN(topic_acc* acc, s.find_topic_locked(rec.topic));
  const auto count = static_cast<int32_t>(acc->batches.size());
  int32_t p = rec.partition;
  if (p >= count || p < -1)
    return {errc::invalid_argument, "partition " + std::to_string(p) + " out of range for topic " +
                                        std::string(rec.topic) + " (" + std::to_string(count) + ")"};
  if (!rec.key && storage::compacts(acc->handle->settings.log.cleanup))
    return {errc::invalid_record, "topic " + std::string(rec.topic) +
                                      " is compacted (cleanup_policy \"" +
                                      std::string(storage::to_string(acc->handle->settings.log.cleanup)) +
                                      "\"): every record needs a key"};
  if (p < 0) {
    if (rec.key) {
      p = model::partition_for_key(*rec.key, count).value();
    } else {
      if (acc->sticky < 0) acc->sticky = static_cast<int32_t>(s.rng() % static_cast<uint32_t>(count));
      p = acc->sticky;
    }
  }
  size_t headers_len = 0;
  for (auto& h : rec.headers) headers_len += h.key.size() + (h.value ? h.value->size() : 0) + 10;
  const size_t est = model::batch_builder::estimate_record_size(
      rec.key ? rec.key->size() : 0, rec.value ? rec.value->size() : 0, headers_len);
  const size_t max_batch = acc->handle->settings.log.max_batch_bytes;
  if (est + model::batch_header_size > max_batch)
    return {errc::message_too_large, "record of about " + std::to_string(est) +
                                         " bytes exceeds max_message_bytes " +
                                         std::to_string(max_batch) + " of topic " +
                                         std::string(rec.topic)};
  if (s.transactional()) {
    if (s.phase != producer_core::txn_phase::in_transaction) return phase_error(s, "send()");
    if (!acc->batches[static_cast<size_t>(p)].in_txn) {
      const std::string topic(rec.topic);
      LK_TRY_STATUS(add_partition(s, lk, topic, p));
      LK_ASSIGN_OR_RETURN(acc, s.find_topic_locked(rec.topic));  // the map may have changed
      if (static_cast<size_t>(p) >= acc->batches.size())
        return {errc::unknown_topic, "topic " + topic + " changed"};
      acc->batches[static_cast<size_t>(p)].in_txn = true;
    }
  }
  auto* b = &acc->batches[static_cast<size_t>(p)];
  if (!b->empty() && (b->buf->size() + est > std::min(max_batch, s.opts.batch_bytes)))
    s.seal_locked(*acc, static_cast<size_t>(p));
  if (b->empty()) {
    LK_TRY_STATUS(s.wait_for_buffer(lk));
    // The map may have changed while we waited.
    LK_ASSIGN_OR_RETURN(acc, s.find_topic_locked(rec.topic));
    if (static_cast<size_t>(p) >= acc->batches.size())
      return {errc::unknown_topic, "topic " + std::string(rec.topic) + " changed"};
    b = &acc->batches[static_cast<size_t>(p)];
    if (b->empty()) {
      b->buf = std::make_shared<bytes>();
      b->buf->reserve(initial_batch_capacity(b->last_size, std::min(max_batch, s.opts.batch_bytes)) + est);
      if (s.transactional())
        b->builder.emplace(*b->buf, s.producer_id, s.epoch, b->next_sequence, true);
      else
        b->builder.emplace(*b->buf);
      b->opened = steady::now();
      b->callbacks.reserve(64);
      b->timestamps.reserve(64);
      if (s.opts.linger_ms > 0) s.linger_cv.notify_one();
    }
  }
  const timestamp_ms ts = rec.timestamp >= 0 ? rec.timestamp : s.eng->clock();
  if (b->buf->capacity() < b->buf->size() + est)  // grow geometrically, never per record
    b->buf->reserve(std::max(b->buf->size() + est, 2 * b->buf->capacity()));
  if (rec.headers.empty()) {
    b->builder->append(ts, rec.key, rec.value);
  } else {
    // Headers are rare on hot paths; a small stack buffer avoids allocating for up to 8.
    model::batch_builder::header_kv hs[8];
    std::vector<model::batch_builder::header_kv> many;
    std::span<const model::batch_builder::header_kv> view;
    if (rec.headers.size() <= 8) {
      for (size_t i = 0; i < rec.headers.size(); ++i) hs[i] = {rec.headers[i].key, rec.headers[i].value};
      view = {hs, rec.headers.size()};
    } else {
      for (auto& h : rec.headers) many.push_back({h.key, h.value});
      view = many;
    }
    b->builder->append(ts, rec.key, rec.value, view);
  }
  b->callbacks.push_back(std::move(cb));
  b->timestamps.push_back(ts);
  // linger_ms = 0: hand over at once unless a batch of this partition is still in flight, in
  // which case the acknowledgement of that one hands this one over (on_batch_done).
  if ((s.opts.linger_ms <= 0 && b->in_flight == 0) || b->buf->size() >= s.opts.batch_bytes)
    s.seal_locked(*acc, static_cast<size_t>(p));
  return {};
}

}  // namespace

status producer::send(const producer_record& rec, delivery_callback cb) {
  auto& s = *impl_->core;
  if (s.eng->closed) return {errc::closed, "engine closed"};
  std::unique_lock<std::mutex> lk(s.m);
  return send_locked(s, lk, rec, std::move(cb));
}

status producer::send_batch(std::span<const producer_record> records, const delivery_callback& cb,
                            size_t& queued) {
  auto& s = *impl_->core;
  queued = 0;
  if (s.eng->closed) return {errc::closed, "engine closed"};
  std::unique_lock<std::mutex> lk(s.m);
  for (; queued < records.size(); ++queued)
    if (auto st = send_locked(s, lk, records[queued], cb); !st) return st;
  return {};
}

status producer::send_batch(std::span<const producer_record> records, const delivery_callback& cb) {
  size_t queued = 0;
  auto st = send_batch(records, cb, queued);
  if (st) return st;
  auto e = std::move(st).take_error();
  e.message = "record " + std::to_string(queued) + ": " + e.message;
  return e;
}

std::future<delivery_result> producer::send_future(const producer_record& rec) {
  auto promise = std::make_shared<std::promise<delivery_result>>();
  auto fut = promise->get_future();
  auto st = send(rec, [promise](const delivery_report& r) {
    promise->set_value({r.code, std::string(r.message), r.partition, r.offset, r.timestamp});
  });
  if (!st) promise->set_value({st.code(), st.err().message, -1, -1, -1});
  return fut;
}

status producer::flush(std::chrono::milliseconds timeout) {
  auto& s = *impl_->core;
  {
    std::lock_guard<std::mutex> g(s.m);
    s.seal_all_locked();
  }
  std::unique_lock<std::mutex> g(s.fc->m);
  auto done = [&] { return s.fc->records == 0; };
  if (timeout == std::chrono::milliseconds::max()) {
    s.fc->cv.wait(g, done);
    return {};
  }
  if (!s.fc->cv.wait_for(g, timeout, done))
    return {errc::timeout, std::to_string(s.fc->records) + " records still unacknowledged after " +
                               std::to_string(timeout.count()) + " ms"};
  return {};
}

size_t producer::in_flight() const {
  std::lock_guard<std::mutex> g(impl_->core->fc->m);
  return impl_->core->fc->records;
}

// ---- transactions --------------------------------------------------------------------------

namespace {

// InitProducerId with the transactional id: a new epoch, sequences from 0, the id's earlier
// producer fenced and its open transaction aborted (the coordinator waits for that abort).
status init_producer(producer_core& s, steady::time_point deadline) {
  auto r = ask_coordinator<int64_t, int16_t>(*s.eng, deadline, actors::txn_init_atom::value,
                                             s.opts.transactional_id, s.opts.transaction_timeout_ms);
  std::lock_guard<std::mutex> g(s.m);
  if (!r) return std::move(r).take_error();
  LK_TRY_STATUS(settle_txn_status(
      s, txn_status(std::get<0>(*r), s.opts.transactional_id, "init_transactions")));
  s.producer_id = std::get<1>(*r);
  s.epoch = std::get<2>(*r);
  for (auto& [name, acc] : s.topics)
    for (auto& b : acc.batches) b.next_sequence = 0;
  s.reset_txn_locked();
  s.phase = producer_core::txn_phase::ready;
  return {};
}

// EndTxn after every record of the transaction was acknowledged.
status end_transaction(producer& p, producer_core& s, bool commit, std::chrono::milliseconds timeout) {
  timeout = bounded(timeout);
  const auto deadline = steady::now() + timeout;
  const char* what = commit ? "commit_transaction()" : "abort_transaction()";
  {
    std::lock_guard<std::mutex> g(s.m);
    if (!s.transactional() || s.phase != producer_core::txn_phase::in_transaction)
      return phase_error(s, what);
  }
  // Every batch must be in its partition before the marker: a batch that came after it
  // would open a transaction the coordinator never closes.
  LK_TRY_STATUS(p.flush(timeout));
  std::unique_lock<std::mutex> lk(s.m);
  if (s.phase != producer_core::txn_phase::in_transaction) return phase_error(s, what);
  if (commit && s.txn_failure) {
    error e = *s.txn_failure;
    if (e.code == errc::producer_fenced) {
      s.phase = producer_core::txn_phase::fenced;
      s.fenced_message = e.message;
      return e;
    }
    e.message += " (abort_transaction() now)";
    return e;
  }
  const bool had_failure = s.txn_failure.has_value();
  if (s.txn_started) {
    const auto pid = s.producer_id;
    const auto ep = s.epoch;
    lk.unlock();
    auto r = ask_coordinator<>(*s.eng, deadline, actors::txn_end_atom::value,
                               s.opts.transactional_id, pid, ep, commit);
    lk.lock();
    if (!r) return std::move(r).take_error();
    LK_TRY_STATUS(settle_txn_status(s, txn_status(std::get<0>(*r), s.opts.transactional_id, what)));
  }
  s.reset_txn_locked();
  s.phase = producer_core::txn_phase::ready;
  lk.unlock();
  // A failed record left a gap in its partition's sequence: a new epoch starts them anew
  // (Kafka bumps the epoch after such an abort too, KIP-360).
  if (had_failure) return init_producer(s, deadline);
  return {};
}

errc group_errc(group::group_error e) {
  switch (e) {
    case group::group_error::rebalance_in_progress: return errc::rebalance_in_progress;
    case group::group_error::illegal_generation: return errc::illegal_generation;
    case group::group_error::unknown_member_id: return errc::unknown_member;
    case group::group_error::unknown_topic_or_partition: return errc::unknown_topic;
    case group::group_error::coordinator_not_available: return errc::closed;
    default: return errc::invalid_argument;
  }
}

}  // namespace

status producer::init_transactions(std::chrono::milliseconds timeout) {
  auto& s = *impl_->core;
  {
    std::lock_guard<std::mutex> g(s.m);
    if (!s.transactional() || s.phase == producer_core::txn_phase::in_transaction ||
        s.phase == producer_core::txn_phase::fenced)
      return phase_error(s, "init_transactions()");
  }
  return init_producer(s, steady::now() + bounded(timeout));
}

status producer::begin_transaction() {
  auto& s = *impl_->core;
  std::lock_guard<std::mutex> g(s.m);
  if (!s.transactional() || s.phase != producer_core::txn_phase::ready)
    return phase_error(s, "begin_transaction()");
  s.reset_txn_locked();
  s.phase = producer_core::txn_phase::in_transaction;
  return {};
}

status producer::send_offsets_to_transaction(const std::map<topic_partition, int64_t>& offsets,
                                             const consumer_group_metadata& group,
                                             std::chrono::milliseconds timeout) {
  auto& s = *impl_->core;
  const auto deadline = steady::now() + bounded(timeout);
  if (group.group_id.empty())
    return {errc::invalid_argument, "send_offsets_to_transaction(): the group id is empty"};
  int64_t pid;
  int16_t ep;
  {
    std::lock_guard<std::mutex> g(s.m);
    if (!s.transactional() || s.phase != producer_core::txn_phase::in_transaction)
      return phase_error(s, "send_offsets_to_transaction()");
    pid = s.producer_id;
    ep = s.epoch;
  }
  // Checked here so that the group and the coordinator get only offsets that can be written.
  group::offset_commit_request check;
  check.mode = group::commit_mode::validate_only;
  check.group_id = group.group_id;
  check.generation_id = group.generation_id;
  check.member_id = group.member_id;
  txn::txn_offset_commit_args args;
  args.transactional_id = s.opts.transactional_id;
  args.producer_id = pid;
  args.producer_epoch = ep;
  args.group_id = group.group_id;
  for (const auto& [tp, off] : offsets) {
    auto h = s.eng->board->find(tp.topic);
    if (!h || tp.partition.value() < 0 ||
        tp.partition.value() >= static_cast<int32_t>(h->partitions.size()))
      return {errc::unknown_topic, "send_offsets_to_transaction(): unknown partition " + tp.topic +
                                       "-" + std::to_string(tp.partition.value())};
    if (off < 0)
      return {errc::invalid_argument, "send_offsets_to_transaction(): negative offset for " +
                                          tp.topic + "-" + std::to_string(tp.partition.value())};
    check.partitions.push_back({tp, off, -1, ""});
    args.offsets.push_back({group.group_id, tp, off, -1, ""});
  }
  if (args.offsets.empty()) return {};
  // AddOffsetsToTxn: the group's offsets partition joins the transaction.
  auto added = ask_coordinator<>(*s.eng, deadline, actors::txn_add_offsets_atom::value,
                                 s.opts.transactional_id, pid, ep, group.group_id);
  {
    std::lock_guard<std::mutex> g(s.m);
    if (!added) return std::move(added).take_error();
    LK_TRY_STATUS(settle_txn_status(s, txn_status(std::get<0>(*added), s.opts.transactional_id,
                                                  "send_offsets_to_transaction()")));
    s.txn_started = true;
  }
  // The group's KIP-447 checks (generation, member), then the offsets wait in the transaction.
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - steady::now());
  LK_ASSIGN_OR_RETURN(auto checked, (ask<group::offset_commit_response>(
                                        *s.eng, s.eng->groups, left,
                                        group::commit_offsets_atom::value, check)));
  for (const auto& r : std::get<0>(checked).partitions)
    if (r.error != group::group_error::none)
      return {group_errc(r.error), "send_offsets_to_transaction(): group '" + group.group_id +
                                       "' refused the offsets of " + r.tp.topic + "-" +
                                       std::to_string(r.tp.partition.value()) + ": " +
                                       std::string(group::to_string(r.error))};
  auto r = ask_coordinator<>(*s.eng, deadline, actors::txn_offset_commit_atom::value, args);
  std::lock_guard<std::mutex> g(s.m);
  if (!r) return std::move(r).take_error();
  return settle_txn_status(s, txn_status(std::get<0>(*r), s.opts.transactional_id,
                                         "send_offsets_to_transaction()"));
}

status producer::commit_transaction(std::chrono::milliseconds timeout) {
  return end_transaction(*this, *impl_->core, true, timeout);
}

status producer::abort_transaction(std::chrono::milliseconds timeout) {
  return end_transaction(*this, *impl_->core, false, timeout);
}

std::unique_ptr<producer> engine::make_producer(const producer_options& opts) {
  auto i = std::make_unique<producer::impl>();
  i->core = std::make_shared<producer_core>();
  i->core->eng = impl_.get();
  i->core->opts = opts;
  return std::make_unique<producer>(std::move(i));
}

std::unique_ptr<producer> engine::make_producer() { return make_producer(producer_options{}); }

}  // namespace lkstream

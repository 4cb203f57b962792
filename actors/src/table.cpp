// lkstream::table: a consumer without a group over every partition of a topic, from the log
// start, folding records into a map of the latest value per key (lkstream/table.hpp).
#include "lkstream/table.hpp"

#include <caf/all.hpp>

#include <atomic>
#include <future>
#include <set>

#include "engine_services.hpp"
#include "lkstream/engine.hpp"
#include "messages.hpp"
#include "partition/partition_api.hpp"

namespace lkstream {

namespace {

using steady = std::chrono::steady_clock;

// Answers one fetch into a promise (the probe below).
class promise_fetch_sink final : public actors::fetch_sink {
 public:
  void on_fetched(actors::fetch_response response) override {
    done_.set_value(std::move(response));
  }
  std::future<actors::fetch_response> future() { return done_.get_future(); }

 private:
  std::promise<actors::fetch_response> done_;
};

}  // namespace

struct table::impl {
  engine& eng;
  table_options opts;
  std::unique_ptr<consumer> c;  // kept until the table goes (wakeup() may race close())
  std::atomic<bool> closed{false};
  std::map<std::string, table_entry, std::less<>> rows;
  uint64_t bytes = 0;
  uint64_t keyless = 0;
  std::map<int32_t, int64_t> snapshot_at;
  // Records read by open() past the snapshot point: the first poll() returns them.
  std::optional<table_updates> pending;
  std::optional<error> failed;  // sticky: a table over its bound stops

  static uint64_t cost(size_t key, size_t value) { return key + value + entry_overhead_bytes; }

  // Folds one record into the table; false (and `failed` set) when max_bytes would be passed.
  bool apply(const consumed_record& r) {
    std::string_view key = as_string_view(*r.key);
    auto it = rows.find(key);
    if (!r.value) {
      if (it != rows.end()) {
        bytes -= cost(it->first.size(), it->second.value.size());
        rows.erase(it);
      }
      return true;
    }
    std::string_view value = as_string_view(*r.value);
    uint64_t old_cost = it == rows.end() ? 0 : cost(key.size(), it->second.value.size());
    uint64_t new_cost = cost(key.size(), value.size());
    if (bytes - old_cost + new_cost > opts.max_bytes) {
      failed = error{errc::message_too_large,
                     "table of topic '" + opts.topic + "' would exceed its max_bytes of " +
                         std::to_string(opts.max_bytes) + " bytes (" + std::to_string(rows.size()) +
                         " keys held, " + std::to_string(bytes) +
                         " bytes; record at partition " + std::to_string(r.partition) +
                         " offset " + std::to_string(r.offset) +
                         "): open the table with a larger max_bytes"};
      return false;
    }
    if (it == rows.end()) it = rows.emplace(std::string(key), table_entry{}).first;
    it->second.value.assign(value);
    it->second.partition = r.partition;
    it->second.offset = r.offset;
    it->second.timestamp = r.timestamp;
    bytes = bytes - old_cost + new_cost;
    return true;
  }

  // Whether partition `p`, at `pos` below `target`, holds no record in [pos, target): the last
  // records below the snapshot point were removed (expired tombstones) and nothing follows yet.
  // Asks the partition directly, without waiting; the consumer's own fetch would park.
  bool tail_gap(int32_t p, int64_t pos, int64_t target) {
    engine_services svc(eng);
    auto call = svc.enter();
    if (!call) return false;
    auto t = svc.board().find(opts.topic);
    if (!t || p >= static_cast<int32_t>(t->partitions.size())) return false;
    auto sink = std::make_shared<promise_fetch_sink>();
    auto answer = sink->future();
    {
      actors::caf_thread_scope scope;
      caf::anon_send(t->partitions[p], actors::fetch_atom::value,
                     actors::fetch_request{offset{pos}, 1024, 1, 0},
                     actors::fetch_sink_ptr(std::move(sink)));
    }
    if (answer.wait_for(std::chrono::seconds(30)) != std::future_status::ready) return false;
    auto resp = answer.get();
    return resp.code == errc::ok && resp.bytes == 0 && resp.high_watermark.value() >= target;
  }

  status read_snapshot(const std::vector<partition_info>& parts) {
    std::set<int32_t> behind;
    for (auto& p : parts) {
      snapshot_at[p.partition] = p.high_watermark;
      if (p.high_watermark > p.log_start) behind.insert(p.partition);
    }
    table_updates later;
    auto deadline = steady::now() + opts.snapshot_timeout;
    while (!behind.empty()) {
      if (steady::now() >= deadline)
        return error{errc::timeout, "table of topic '" + opts.topic +
                                        "': the snapshot point was not reached within " +
                                        std::to_string(opts.snapshot_timeout.count()) + " ms"};
      LK_ASSIGN_OR_RETURN(auto rs, c->poll(std::chrono::milliseconds(100)));
      std::set<int32_t> fed;
      bool kept = false;
      for (auto& r : rs) {
        fed.insert(r.partition);
        if (!r.key) {
          ++keyless;
          continue;
        }
        if (r.offset < snapshot_at[r.partition]) {
          if (!apply(r)) return *failed;
        } else {
          later.records_.records_.push_back(r);
          kept = true;
        }
      }
      if (kept) {  // keep the bytes those records view
        auto& ka = later.records_.keep_alive_;
        ka.insert(ka.end(), rs.keep_alive_.begin(), rs.keep_alive_.end());
        auto& tn = later.records_.topic_names_;
        tn.insert(tn.end(), rs.topic_names_.begin(), rs.topic_names_.end());
      }
      for (auto it = behind.begin(); it != behind.end();) {
        auto pos = c->position({opts.topic, partition_id{*it}});
        int64_t target = snapshot_at[*it];
        bool done = pos && *pos >= target;
        if (!done && pos && *pos >= 0 && !fed.count(*it) && tail_gap(*it, *pos, target)) {
          LK_TRY_STATUS(c->seek({opts.topic, partition_id{*it}}, target));
          done = true;
        }
        it = done ? behind.erase(it) : std::next(it);
      }
    }
    if (!later.records_.records_.empty()) pending = std::move(later);
    return {};
  }
};

result<std::unique_ptr<table>> table::open(engine& eng, table_options opts) {
  if (opts.topic.empty()) return error{errc::invalid_argument, "table: a topic is required"};
  if (opts.max_bytes == 0)
    return error{errc::invalid_argument, "table: max_bytes must be positive"};
  LK_ASSIGN_OR_RETURN(auto info, eng.describe_topic(opts.topic));
  consumer_options co;
  co.client_id = "lkstream-table";
  co.auto_offset_reset = offset_reset::earliest;  // also after retention moved the start
  co.enable_auto_commit = false;
  co.fetch_max_bytes = opts.fetch_max_bytes;
  co.buffer_max_bytes = opts.buffer_max_bytes;
  co.max_poll_records = opts.max_poll_records;
  LK_ASSIGN_OR_RETURN(auto c, eng.make_consumer(co));
  std::vector<topic_partition> tps;
  for (auto& p : info.partitions) tps.push_back({opts.topic, partition_id{p.partition}});
  LK_TRY_STATUS(c->assign(std::move(tps)));
  auto i = std::unique_ptr<impl>(new impl{eng, std::move(opts), std::move(c)});
  LK_TRY_STATUS(i->read_snapshot(info.partitions));
  return std::make_unique<table>(std::move(i));
}

table::table(std::unique_ptr<impl> i) : impl_(std::move(i)) {}

table::~table() { close(); }

const std::map<std::string, table_entry, std::less<>>& table::snapshot() const {
  return impl_->rows;
}

const table_entry* table::get(std::string_view key) const {
  auto it = impl_->rows.find(key);
  return it == impl_->rows.end() ? nullptr : &it->second;
}

size_t table::size() const { return impl_->rows.size(); }
uint64_t table::bytes() const { return impl_->bytes; }
uint64_t table::skipped_keyless() const { return impl_->keyless; }
const std::map<int32_t, int64_t>& table::snapshot_offsets() const { return impl_->snapshot_at; }

std::map<int32_t, int64_t> table::positions() const {
  std::map<int32_t, int64_t> out;
  for (auto& [p, _] : impl_->snapshot_at)
    if (auto pos = impl_->c->position({impl_->opts.topic, partition_id{p}})) out[p] = *pos;
  // Records open() read past the snapshot point are held for the first poll(): it reads from
  // them, not from the consumer's position beyond them.
  if (impl_->pending)
    for (auto& r : impl_->pending->records_.records_)
      if (auto it = out.find(r.partition); it != out.end() && r.offset < it->second)
        it->second = r.offset;
  return out;
}

result<table_updates> table::poll(std::chrono::milliseconds timeout) {
  if (impl_->failed) return *impl_->failed;
  if (impl_->closed) return error{errc::closed, "table of topic '" + impl_->opts.topic + "' closed"};
  table_updates out;
  if (impl_->pending) {
    out = std::move(*impl_->pending);
    impl_->pending.reset();
  } else {
    LK_ASSIGN_OR_RETURN(out.records_, impl_->c->poll(timeout));
  }
  out.updates_.reserve(out.records_.size());
  for (auto& r : out.records_) {
    if (!r.key) {
      ++impl_->keyless;
      continue;
    }
    if (!impl_->apply(r)) return *impl_->failed;
    table_update u{as_string_view(*r.key), std::nullopt, r.partition, r.offset, r.timestamp};
    if (r.value) u.value = as_string_view(*r.value);
    out.updates_.push_back(u);
  }
  return out;
}

void table::wakeup() { impl_->c->wakeup(); }

void table::close() {
  if (impl_ && !impl_->closed.exchange(true)) (void)impl_->c->close();
}

}  // namespace lkstream

#include "lkstream/txn/txn_coordinator_core.hpp"

#include <algorithm>
#include <climits>

#include "lkstream/model/byte_order.hpp"
#include "lkstream/model/crc32c.hpp"

namespace lkstream::txn {
namespace {

using kafka::error_code;

// DIR/transactions.log: records of [length u32][crc32c u32 of the payload][payload], the
// payload being one encoded txn_metadata (txn_metadata.hpp). A torn or damaged tail is cut.
constexpr std::string_view log_name = "transactions.log";
constexpr size_t record_head = 8;
constexpr uint32_t max_record_bytes = 64u << 20;

void frame(const txn_metadata& m, bytes& out) {
  const size_t start = out.size();
  out.resize(start + record_head);
  encode_txn_metadata(m, out);
  const size_t len = out.size() - start - record_head;
  model::store_be<uint32_t>(out.data() + start, static_cast<uint32_t>(len));
  model::store_be<uint32_t>(out.data() + start + 4,
                            model::crc32c(bytes_view(out).subspan(start + record_head)));
}

template <class T>
void sorted_insert(std::vector<T>& v, const T& x) {
  auto it = std::lower_bound(v.begin(), v.end(), x);
  if (it == v.end() || !(*it == x)) v.insert(it, x);
}

}  // namespace

struct txn_coordinator_core::log_file {
  std::unique_ptr<storage::file> f;
};

txn_coordinator_core::txn_coordinator_core(coordinator_config cfg)
    : cfg_(std::move(cfg)), log_(std::make_unique<log_file>()) {}

txn_coordinator_core::~txn_coordinator_core() = default;

result<std::unique_ptr<txn_coordinator_core>> txn_coordinator_core::open(coordinator_config cfg) {
  std::unique_ptr<txn_coordinator_core> c(new txn_coordinator_core(std::move(cfg)));
  auto& fs = *c->cfg_.fs;
  LK_TRY_STATUS(fs.create_directories(c->cfg_.dir));
  const std::string path = storage::join_path(c->cfg_.dir, std::string(log_name));
  LK_ASSIGN_OR_RETURN(auto f, fs.open(path, storage::open_mode::create));
  const uint64_t size = f->size();
  bytes all(static_cast<size_t>(size));
  size_t got = 0;
  while (got < all.size()) {
    LK_ASSIGN_OR_RETURN(size_t n, f->read_at(got, {all.data() + got, all.size() - got}));
    if (n == 0) break;
    got += n;
  }
  all.resize(got);
  size_t pos = 0;
  while (all.size() - pos >= record_head) {
    const uint32_t len = model::load_be<uint32_t>(all.data() + pos);
    const uint32_t crc = model::load_be<uint32_t>(all.data() + pos + 4);
    if (len > max_record_bytes || all.size() - pos - record_head < len) break;
    bytes_view payload(all.data() + pos + record_head, len);
    if (model::crc32c(payload) != crc) break;
    auto m = decode_txn_metadata(payload);
    if (!m) break;
    c->txns_[m->transactional_id] = std::move(*m);
    pos += record_head + len;
  }
  if (pos < all.size()) LK_TRY_STATUS(f->truncate(pos));  // a torn or damaged tail
  // Rewrite when mostly superseded records.
  bytes live;
  for (const auto& [id, m] : c->txns_) frame(m, live);
  if (pos > c->cfg_.compact_bytes && pos > 4 * live.size()) {
    f.reset();
    const std::string tmp = path + ".tmp";
    {
      LK_ASSIGN_OR_RETURN(auto t, fs.open(tmp, storage::open_mode::create_truncate));
      LK_TRY_STATUS(t->append(live));
      LK_TRY_STATUS(t->sync());
    }
    LK_TRY_STATUS(fs.rename(tmp, path));
    LK_TRY_STATUS(fs.sync_directory(c->cfg_.dir));
    LK_ASSIGN_OR_RETURN(f, fs.open(path, storage::open_mode::create));
  }
  c->log_->f = std::move(f);
  for (const auto& [id, m] : c->txns_)
    if (m.status == txn_status::prepare_commit || m.status == txn_status::prepare_abort)
      c->recovered_.push_back(completion_of(m));
  return c;
}

error_code txn_coordinator_core::persist(const txn_metadata& m) {
  bytes rec;
  frame(m, rec);
  auto& f = *log_->f;
  const uint64_t before = f.size();
  status st = f.append(rec);
  if (st) st = f.sync();
  if (!st) {
    (void)f.truncate(before);
    return error_code::coordinator_not_available;  // retriable: the client tries again
  }
  txns_[m.transactional_id] = m;
  return error_code::none;
}

const txn_metadata* txn_coordinator_core::find(const std::string& id) const {
  auto it = txns_.find(id);
  return it == txns_.end() ? nullptr : &it->second;
}

std::vector<topic_partition> txn_coordinator_core::pending_offsets(
    const std::string& group_id) const {
  std::vector<topic_partition> out;
  for (const auto& [id, m] : txns_) {
    if (m.status == txn_status::empty || m.status == txn_status::complete_commit ||
        m.status == txn_status::complete_abort)
      continue;
    for (const auto& o : m.offsets)
      if (o.group_id == group_id) out.push_back(o.tp);
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

completion txn_coordinator_core::completion_of(const txn_metadata& m) {
  completion c;
  c.transactional_id = m.transactional_id;
  c.producer_id = m.producer_id;
  c.epoch = m.producer_epoch;
  c.commit = m.status == txn_status::prepare_commit;
  c.partitions = m.partitions;
  if (c.commit) c.offsets = m.offsets;
  return c;
}

std::optional<completion> txn_coordinator_core::pending_completion(const std::string& id) const {
  const txn_metadata* m = find(id);
  if (!m || (m->status != txn_status::prepare_commit && m->status != txn_status::prepare_abort))
    return std::nullopt;
  return completion_of(*m);
}

void txn_coordinator_core::bump_epoch(txn_metadata& m) {
  if (m.producer_epoch >= INT16_MAX - 1) {  // exhausted: a new producer id (Kafka does too)
    m.producer_id = cfg_.allocate_producer_id();
    m.producer_epoch = 0;
  } else {
    ++m.producer_epoch;
  }
}

txn_coordinator_core::init_result txn_coordinator_core::init_producer_id(const std::string& id,
                                                                         int32_t timeout_ms,
                                                                         int64_t now_ms) {
  init_result r;
  if (timeout_ms <= 0 || timeout_ms > cfg_.max_timeout_ms) {
    r.error = error_code::invalid_transaction_timeout;
    return r;
  }
  const txn_metadata* cur = find(id);
  txn_metadata m;
  if (!cur) {
    m.transactional_id = id;
    m.producer_id = cfg_.allocate_producer_id();
    m.producer_epoch = 0;
  } else {
    m = *cur;
    switch (m.status) {
      case txn_status::prepare_commit:
      case txn_status::prepare_abort:
        r.error = error_code::concurrent_transactions;
        return r;
      case txn_status::ongoing: {
        // Fence the open transaction's producer and abort it with the new epoch.
        bump_epoch(m);
        m.status = txn_status::prepare_abort;
        m.update_ms = now_ms;
        if (auto e = persist(m); e != error_code::none) {
          r.error = e;
          return r;
        }
        r.error = error_code::concurrent_transactions;
        r.abort = completion_of(m);
        return r;
      }
      case txn_status::empty:
      case txn_status::complete_commit:
      case txn_status::complete_abort:
        bump_epoch(m);
        break;
    }
  }
  m.timeout_ms = timeout_ms;
  m.status = txn_status::empty;
  m.partitions.clear();
  m.groups.clear();
  m.offsets.clear();
  m.start_ms = -1;
  m.update_ms = now_ms;
  if (auto e = persist(m); e != error_code::none) {
    r.error = e;
    return r;
  }
  r.producer_id = m.producer_id;
  r.epoch = m.producer_epoch;
  return r;
}

error_code txn_coordinator_core::check_producer(const txn_metadata* m, int64_t producer_id,
                                                int16_t epoch) const {
  if (!m || m->producer_id != producer_id) return error_code::invalid_producer_id_mapping;
  if (m->producer_epoch != epoch) return error_code::producer_fenced;
  if (m->status == txn_status::prepare_commit || m->status == txn_status::prepare_abort)
    return error_code::concurrent_transactions;
  return error_code::none;
}

error_code txn_coordinator_core::add_partitions(const std::string& id, int64_t producer_id,
                                                int16_t epoch,
                                                const std::vector<topic_partition>& tps,
                                                int64_t now_ms) {
  const txn_metadata* cur = find(id);
  if (auto e = check_producer(cur, producer_id, epoch); e != error_code::none) return e;
  txn_metadata m = *cur;
  const bool was_open = m.status == txn_status::ongoing;
  const size_t before = m.partitions.size();
  for (const auto& tp : tps) sorted_insert(m.partitions, tp);
  if (was_open && m.partitions.size() == before) return error_code::none;  // nothing new
  if (!was_open) {
    m.status = txn_status::ongoing;
    m.start_ms = now_ms;
    m.groups.clear();
    m.offsets.clear();
  }
  m.update_ms = now_ms;
  return persist(m);
}

error_code txn_coordinator_core::add_offsets(const std::string& id, int64_t producer_id,
                                             int16_t epoch, const std::string& group_id,
                                             int64_t now_ms) {
  const txn_metadata* cur = find(id);
  if (auto e = check_producer(cur, producer_id, epoch); e != error_code::none) return e;
  txn_metadata m = *cur;
  if (m.status == txn_status::ongoing &&
      std::binary_search(m.groups.begin(), m.groups.end(), group_id))
    return error_code::none;
  if (m.status != txn_status::ongoing) {
    m.status = txn_status::ongoing;
    m.start_ms = now_ms;
    m.partitions.clear();
    m.offsets.clear();
    m.groups.clear();
  }
  sorted_insert(m.groups, group_id);
  m.update_ms = now_ms;
  return persist(m);
}

error_code txn_coordinator_core::txn_offset_commit(const std::string& id, int64_t producer_id,
                                                   int16_t epoch, const std::string& group_id,
                                                   const std::vector<pending_offset>& offsets,
                                                   int64_t now_ms) {
  const txn_metadata* cur = find(id);
  if (auto e = check_producer(cur, producer_id, epoch); e != error_code::none) return e;
  // Offsets belong to a transaction that added their group (AddOffsetsToTxn).
  if (cur->status != txn_status::ongoing ||
      !std::binary_search(cur->groups.begin(), cur->groups.end(), group_id))
    return error_code::invalid_txn_state;
  txn_metadata m = *cur;
  for (const auto& o : offsets) {
    auto it = std::find_if(m.offsets.begin(), m.offsets.end(), [&](const pending_offset& p) {
      return p.group_id == group_id && p.tp == o.tp;
    });
    pending_offset po = o;
    po.group_id = group_id;
    if (it == m.offsets.end())
      m.offsets.push_back(std::move(po));
    else
      *it = std::move(po);
  }
  m.update_ms = now_ms;
  return persist(m);
}

txn_coordinator_core::end_result txn_coordinator_core::end_txn(const std::string& id,
                                                               int64_t producer_id, int16_t epoch,
                                                               bool commit, int64_t now_ms) {
  end_result r;
  const txn_metadata* cur = find(id);
  if (!cur || cur->producer_id != producer_id) {
    r.error = error_code::invalid_producer_id_mapping;
    return r;
  }
  if (cur->producer_epoch != epoch) {
    r.error = error_code::producer_fenced;
    return r;
  }
  switch (cur->status) {
    case txn_status::ongoing:
      break;
    case txn_status::prepare_commit:
    case txn_status::prepare_abort:
      r.error = error_code::concurrent_transactions;
      return r;
    case txn_status::complete_commit:
      r.error = commit ? error_code::none : error_code::invalid_txn_state;
      return r;
    case txn_status::complete_abort:
      r.error = commit ? error_code::invalid_txn_state : error_code::none;
      return r;
    case txn_status::empty:
      r.error = error_code::invalid_txn_state;
      return r;
  }
  txn_metadata m = *cur;
  m.status = commit ? txn_status::prepare_commit : txn_status::prepare_abort;
  m.update_ms = now_ms;
  if (auto e = persist(m); e != error_code::none) {
    r.error = e;
    return r;
  }
  r.todo = completion_of(m);
  return r;
}

status txn_coordinator_core::complete(const std::string& id, int64_t now_ms) {
  const txn_metadata* cur = find(id);
  if (!cur || (cur->status != txn_status::prepare_commit &&
               cur->status != txn_status::prepare_abort))
    return ok();
  txn_metadata m = *cur;
  m.status = m.status == txn_status::prepare_commit ? txn_status::complete_commit
                                                    : txn_status::complete_abort;
  m.partitions.clear();
  m.groups.clear();
  m.offsets.clear();
  m.start_ms = -1;
  m.update_ms = now_ms;
  if (persist(m) != error_code::none)
    return {errc::io_error, "cannot write the completion of transaction " + id};
  return ok();
}

std::vector<completion> txn_coordinator_core::expire(int64_t now_ms) {
  std::vector<completion> out;
  std::vector<std::string> due;
  for (const auto& [id, m] : txns_)
    if (m.status == txn_status::ongoing && m.start_ms >= 0 && now_ms - m.start_ms >= m.timeout_ms)
      due.push_back(id);
  for (const auto& id : due) {
    txn_metadata m = txns_.at(id);
    bump_epoch(m);  // the producer is fenced: its next request fails
    m.status = txn_status::prepare_abort;
    m.update_ms = now_ms;
    if (persist(m) == error_code::none) out.push_back(completion_of(m));
  }
  return out;
}

std::optional<int64_t> txn_coordinator_core::next_deadline() const {
  std::optional<int64_t> out;
  for (const auto& [id, m] : txns_)
    if (m.status == txn_status::ongoing && m.start_ms >= 0) {
      const int64_t at = m.start_ms + m.timeout_ms;
      if (!out || at < *out) out = at;
    }
  return out;
}

}  // namespace lkstream::txn

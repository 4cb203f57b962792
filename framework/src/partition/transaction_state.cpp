#include "lkstream/partition/transaction_state.hpp"

#include <algorithm>
#include <cstring>

#include "lkstream/model/byte_order.hpp"
#include "lkstream/model/crc32c.hpp"

namespace lkstream::partition {
namespace {

// The files' layouts are in transaction_state.hpp.
constexpr int16_t index_version = 0;
constexpr char checkpoint_magic[4] = {'L', 'K', 'T', 'X'};
constexpr uint16_t checkpoint_version = 1;
constexpr size_t checkpoint_head_bytes = 4 + 2 + 8 + 4;
constexpr size_t checkpoint_entry_bytes = 8 + 2 + 8;

void encode_entry(const model::aborted_txn& a, std::byte* p) {
  model::store_be<int16_t>(p, index_version);
  model::store_be<int64_t>(p + 2, a.producer_id);
  model::store_be<int64_t>(p + 10, a.first.value());
  model::store_be<int64_t>(p + 18, a.last.value());
  model::store_be<int64_t>(p + 26, a.last_stable.value());
}

result<bytes> read_whole(storage::file_system& fs, const std::string& path) {
  LK_ASSIGN_OR_RETURN(auto f, fs.open(path, storage::open_mode::read_only));
  bytes out(static_cast<size_t>(f->size()));
  size_t done = 0;
  while (done < out.size()) {
    LK_ASSIGN_OR_RETURN(size_t n, f->read_at(done, {out.data() + done, out.size() - done}));
    if (n == 0) break;
    done += n;
  }
  out.resize(done);
  return out;
}

// Writes `data` to path.tmp, syncs it and renames it over `path`.
status replace_file(storage::file_system& fs, const std::string& path, bytes_view data) {
  const std::string tmp = path + ".tmp";
  {
    LK_ASSIGN_OR_RETURN(auto f, fs.open(tmp, storage::open_mode::create_truncate));
    LK_TRY_STATUS(f->append(data));
    LK_TRY_STATUS(f->sync());
  }
  return fs.rename(tmp, path);
}

struct checkpoint_data {
  offset covered_end;
  std::vector<open_transaction> open;
};

result<checkpoint_data> parse_checkpoint(bytes_view b) {
  auto bad = [](const std::string& what) {
    return error{errc::corrupt_batch, "transactions.checkpoint: " + what};
  };
  if (b.size() < checkpoint_head_bytes + 4) return bad("shorter than its header");
  if (std::memcmp(b.data(), checkpoint_magic, 4) != 0) return bad("wrong magic");
  const uint32_t crc = model::load_be<uint32_t>(b.data() + b.size() - 4);
  if (model::crc32c(b.first(b.size() - 4)) != crc) return bad("CRC mismatch");
  const auto version = model::load_be<uint16_t>(b.data() + 4);
  if (version != checkpoint_version) return bad("unknown version " + std::to_string(version));
  checkpoint_data c;
  c.covered_end = offset{model::load_be<int64_t>(b.data() + 6)};
  const auto count = model::load_be<uint32_t>(b.data() + 14);
  if (b.size() != checkpoint_head_bytes + uint64_t{count} * checkpoint_entry_bytes + 4)
    return bad("size does not match its " + std::to_string(count) + " entries");
  const std::byte* p = b.data() + checkpoint_head_bytes;
  for (uint32_t i = 0; i < count; ++i, p += checkpoint_entry_bytes)
    c.open.push_back({model::load_be<int64_t>(p), model::load_be<int16_t>(p + 8),
                      offset{model::load_be<int64_t>(p + 10)}});
  return c;
}

}  // namespace

transaction_state::transaction_state(std::shared_ptr<storage::file_system> fs, std::string dir)
    : fs_(std::move(fs)), dir_(std::move(dir)) {}

std::string transaction_state::path(std::string_view name) const {
  return storage::join_path(dir_, std::string(name));
}

result<std::unique_ptr<transaction_state>> transaction_state::open(
    std::shared_ptr<storage::file_system> fs, const storage::log& lg) {
  std::unique_ptr<transaction_state> st(new transaction_state(fs, lg.directory()));
  transaction_state& s = *st;
  const offset start = lg.start_offset();
  const offset end = lg.end_offset();
  offset scan_from = start;
  std::string note;
  if (fs->exists(s.path(checkpoint_file_name))) {
    auto raw = read_whole(*fs, s.path(checkpoint_file_name));
    auto cp = raw ? parse_checkpoint(*raw) : result<checkpoint_data>(std::move(raw).take_error());
    if (!cp) {
      note = "checkpoint unusable (" + cp.err().message + "), log scanned from its start";
    } else if (cp->covered_end > end) {
      note = "checkpoint at offset " + std::to_string(cp->covered_end.value()) +
             " is beyond the recovered log end " + std::to_string(end.value()) +
             ", log scanned from its start";
    } else if (cp->covered_end < start) {
      note = "checkpoint at offset " + std::to_string(cp->covered_end.value()) +
             " is below the log start, log scanned from its start";
    } else {
      scan_from = cp->covered_end;
      s.open_ = std::move(cp->open);
      s.recovery_.checkpoint_used = true;
    }
  }
  // Index entries whose marker is below scan_from are known; the scan finds the others.
  bool rewrite = false;
  if (fs->exists(s.path(index_file_name))) {
    LK_ASSIGN_OR_RETURN(bytes raw, read_whole(*fs, s.path(index_file_name)));
    if (raw.size() % index_entry_bytes != 0) rewrite = true;  // a torn last entry
    for (size_t pos = 0; pos + index_entry_bytes <= raw.size(); pos += index_entry_bytes) {
      const std::byte* p = raw.data() + pos;
      model::aborted_txn a{model::load_be<int64_t>(p + 2), offset{model::load_be<int64_t>(p + 10)},
                           offset{model::load_be<int64_t>(p + 18)},
                           offset{model::load_be<int64_t>(p + 26)}};
      if (model::load_be<int16_t>(p) != index_version || a.last < start || a.last >= scan_from ||
          (!s.aborted_.empty() && a.last <= s.aborted_.back().last)) {
        rewrite = true;  // below the log start, to be found again, or out of order
        continue;
      }
      s.aborted_.push_back(a);
    }
  }
  std::vector<model::aborted_txn> found;
  LK_TRY_STATUS(lg.scan(scan_from, [&](bytes_view batch) {
    s.apply_batch(batch, found);
    return true;
  }));
  if (!found.empty()) rewrite = true;
  s.aborted_.insert(s.aborted_.end(), found.begin(), found.end());
  s.completed_.clear();  // after recovery the high watermark is the log end
  s.recovery_.scanned_from = scan_from;
  if (rewrite) LK_TRY_STATUS(s.rewrite_index());
  s.recovery_.note = std::move(note);
  // Nothing to write when the checkpoint (or, for an empty log, its absence) already says it.
  if (!rewrite && scan_from == end) {
    s.dirty_ = false;
    s.checkpointed_end_ = end;
    return st;
  }
  s.dirty_ = true;
  LK_TRY_STATUS(s.checkpoint(end));
  return st;
}

void transaction_state::apply_batch(bytes_view batch, std::vector<model::aborted_txn>& found) {
  auto h = model::read_header(batch);
  if (!h || h->producer_id < 0 || !h->is_transactional()) return;
  if (!h->is_control()) {
    on_data(*h, offset{h->base_offset});
    return;
  }
  auto m = model::read_marker(batch);
  if (!m) return;  // another control type: not ours
  const offset at{h->base_offset};
  close_open(h->producer_id, m->type, at, first_unstable(at), found);
}

status transaction_state::check_data(const model::batch_header& h) const {
  if (h.producer_id < 0) return ok();
  const open_transaction* t = find_open(h.producer_id);
  if (!t) return ok();
  if (!h.is_transactional())
    return {errc::invalid_txn_state,
            "producer " + std::to_string(h.producer_id) +
                " sent a non-transactional batch while its transaction (from offset " +
                std::to_string(t->first.value()) + ") is open"};
  if (h.producer_epoch < t->epoch)
    return {errc::invalid_producer_epoch,
            "producer " + std::to_string(h.producer_id) + " epoch " +
                std::to_string(h.producer_epoch) + " is older than its transaction's epoch " +
                std::to_string(t->epoch)};
  return ok();
}

void transaction_state::on_data(const model::batch_header& h, offset base) {
  if (h.producer_id < 0 || !h.is_transactional()) return;
  for (auto& t : open_) {
    if (t.producer_id == h.producer_id) {
      t.epoch = std::max(t.epoch, h.producer_epoch);
      return;
    }
  }
  open_.push_back({h.producer_id, h.producer_epoch, base});
  dirty_ = true;
}

status transaction_state::check_marker(int64_t producer_id, int16_t epoch) const {
  const open_transaction* t = find_open(producer_id);
  if (t && epoch < t->epoch)
    return {errc::invalid_producer_epoch,
            "marker of producer " + std::to_string(producer_id) + " epoch " +
                std::to_string(epoch) + " is older than its transaction's epoch " +
                std::to_string(t->epoch)};
  return ok();
}

void transaction_state::close_open(int64_t producer_id, model::marker_type type, offset at,
                                   offset last_stable, std::vector<model::aborted_txn>& into) {
  auto it = std::find_if(open_.begin(), open_.end(),
                         [&](const open_transaction& t) { return t.producer_id == producer_id; });
  if (it == open_.end()) return;
  const offset first = it->first;
  open_.erase(it);
  completed_.push_back({producer_id, first, at});
  if (type == model::marker_type::abort) into.push_back({producer_id, first, at, last_stable});
  dirty_ = true;
}

status transaction_state::on_marker(int64_t producer_id, model::marker_type type, offset at,
                                    offset last_stable) {
  const size_t before = aborted_.size();
  close_open(producer_id, type, at, last_stable, aborted_);
  if (aborted_.size() == before) return ok();
  return append_index_entry(aborted_.back());
}

status transaction_state::append_index_entry(const model::aborted_txn& a) {
  if (index_damaged_) return ok();  // the next checkpoint rewrites the file
  status st;
  if (!index_) {
    auto f = fs_->open(path(index_file_name), storage::open_mode::create);
    if (!f) st = std::move(f).take_error();
    else index_ = std::move(*f);
  }
  if (st) {
    std::byte entry[index_entry_bytes];
    encode_entry(a, entry);
    const uint64_t size = index_->size();
    st = index_->append({entry, sizeof(entry)});
    if (!st) (void)index_->truncate(size);
  }
  if (!st) index_damaged_ = true;
  return st;
}

status transaction_state::rewrite_index() {
  index_.reset();
  bytes data(aborted_.size() * index_entry_bytes);
  for (size_t i = 0; i < aborted_.size(); ++i)
    encode_entry(aborted_[i], data.data() + i * index_entry_bytes);
  LK_TRY_STATUS(replace_file(*fs_, path(index_file_name), data));
  index_damaged_ = false;
  return ok();
}

offset transaction_state::first_unstable(offset hw) const {
  offset r = hw;
  if (!open_.empty()) r = std::min(r, open_.front().first);
  for (const auto& c : completed_)
    if (c.marker >= hw) r = std::min(r, c.first);
  return r;
}

void transaction_state::on_high_watermark(offset hw) {
  std::erase_if(completed_, [&](const completed& c) { return c.marker < hw; });
}

void transaction_state::aborted_between(offset start, offset upper,
                                        std::vector<model::aborted_txn>& out) const {
  auto it = std::lower_bound(aborted_.begin(), aborted_.end(), start,
                             [](const model::aborted_txn& a, offset s) { return a.last < s; });
  for (; it != aborted_.end(); ++it)
    if (it->first < upper) out.push_back(*it);
}

const open_transaction* transaction_state::find_open(int64_t producer_id) const {
  for (const auto& t : open_)
    if (t.producer_id == producer_id) return &t;
  return nullptr;
}

status transaction_state::trim(offset log_start) {
  auto keep = std::lower_bound(aborted_.begin(), aborted_.end(), log_start,
                               [](const model::aborted_txn& a, offset s) { return a.last < s; });
  if (keep == aborted_.begin()) return ok();
  aborted_.erase(aborted_.begin(), keep);
  dirty_ = true;
  return rewrite_index();
}

status transaction_state::checkpoint(offset log_end) {
  if (!dirty_ && log_end == checkpointed_end_) return ok();
  // The index entries below log_end must be durable before a checkpoint vouches for them.
  if (index_damaged_) {
    LK_TRY_STATUS(rewrite_index());
  } else if (index_) {
    LK_TRY_STATUS(index_->sync());
  }
  bytes data(checkpoint_head_bytes + open_.size() * checkpoint_entry_bytes + 4);
  std::byte* p = data.data();
  std::memcpy(p, checkpoint_magic, 4);
  model::store_be<uint16_t>(p + 4, checkpoint_version);
  model::store_be<int64_t>(p + 6, log_end.value());
  model::store_be<uint32_t>(p + 14, static_cast<uint32_t>(open_.size()));
  p += checkpoint_head_bytes;
  for (const auto& t : open_) {
    model::store_be<int64_t>(p, t.producer_id);
    model::store_be<int16_t>(p + 8, t.epoch);
    model::store_be<int64_t>(p + 10, t.first.value());
    p += checkpoint_entry_bytes;
  }
  model::store_be<uint32_t>(p, model::crc32c(bytes_view(data).first(data.size() - 4)));
  LK_TRY_STATUS(replace_file(*fs_, path(checkpoint_file_name), data));
  dirty_ = false;
  checkpointed_end_ = log_end;
  return ok();
}

}  // namespace lkstream::partition

#include "disk_log.hpp"

#include <algorithm>
#include <charconv>
#include <cstring>
#include <memory>

namespace lkstream::storage {

namespace {

constexpr std::string_view log_suffix = ".log";
constexpr size_t offset_digits = 20;

// "00000000000000000042.log" -> 42; anything else (other files, odd names) -> nullopt.
std::optional<offset> parse_segment_name(std::string_view name) {
  if (name.size() != offset_digits + log_suffix.size() || !name.ends_with(log_suffix))
    return std::nullopt;
  int64_t v = 0;
  const char* first = name.data();
  const char* last = first + offset_digits;
  if (!std::all_of(first, last, [](char c) { return c >= '0' && c <= '9'; })) return std::nullopt;
  auto [ptr, ec] = std::from_chars(first, last, v);
  if (ec != std::errc{} || ptr != last) return std::nullopt;
  return offset{v};
}

}  // namespace

disk_log::disk_log(std::shared_ptr<file_system> fs, std::string dir, log_config cfg)
    : fs_(std::move(fs)), dir_(std::move(dir)), cfg_(cfg) {}

disk_log::~disk_log() {
  if (closed_) return;
  for (auto& s : segments_) (void)s->close(false);  // writes pending index entries
}

result<std::unique_ptr<log>> disk_log::open(std::shared_ptr<file_system> fs, std::string dir,
                                            log_config cfg, timestamp_ms now_ms) {
  LK_TRY_STATUS(fs->create_directories(dir));
  LK_ASSIGN_OR_RETURN(std::vector<std::string> names, fs->list(dir));
  std::vector<offset> bases;
  for (const auto& name : names)
    if (auto base = parse_segment_name(name)) bases.push_back(*base);
  std::sort(bases.begin(), bases.end());

  std::unique_ptr<disk_log> lg(new disk_log(fs, std::move(dir), cfg));
  for (size_t i = 0; i < bases.size(); ++i) {
    segment::recovery_options opts;
    opts.is_last = i + 1 == bases.size();
    if (!opts.is_last) opts.next_base = bases[i + 1];
    opts.index_interval_bytes = cfg.index_interval_bytes;
    opts.now_ms = now_ms;
    LK_ASSIGN_OR_RETURN(auto seg, segment::recover(*fs, lg->dir_, bases[i], opts, lg->report_));
    lg->segments_.push_back(std::move(seg));
  }
  if (lg->segments_.empty()) {
    LK_ASSIGN_OR_RETURN(auto seg, segment::create(*fs, lg->dir_, offset{0}, now_ms));
    lg->segments_.push_back(std::move(seg));
    LK_TRY_STATUS(fs->sync_directory(lg->dir_));
  }
  lg->start_offset_ = lg->segments_.front()->base_offset();
  lg->end_offset_ = lg->segments_.back()->next_offset();
  return std::unique_ptr<log>(std::move(lg));
}

status disk_log::check_open() const {
  if (closed_) return error{errc::closed, "log " + dir_ + " is closed"};
  return ok();
}

size_t disk_log::segment_for(offset o) const {
  auto it = std::upper_bound(segments_.begin(), segments_.end(), o,
                             [](offset v, const auto& s) { return v < s->base_offset(); });
  return it == segments_.begin() ? 0 : static_cast<size_t>(it - segments_.begin()) - 1;
}

bool disk_log::needs_roll(size_t batch_bytes, int32_t last_offset_delta,
                          timestamp_ms now_ms) const {
  const segment& s = *segments_.back();
  if (s.empty()) return false;
  if (s.size_bytes() + batch_bytes > cfg_.segment_bytes) return true;
  if (now_ms - s.rolling_base_ms() >= cfg_.segment_ms) return true;
  // Index entries hold 32-bit relative offsets and positions.
  return s.size_bytes() > UINT32_MAX ||
         (end_offset_ - s.base_offset()) + last_offset_delta > int64_t{UINT32_MAX};
}

result<append_result> disk_log::append(mutable_bytes_view batch, timestamp_ms now_ms,
                                       bool validate) {
  LK_TRY_STATUS(check_open());
  if (batch.size() > cfg_.max_batch_bytes)
    return error{errc::message_too_large,
                 "batch of " + std::to_string(batch.size()) + " bytes exceeds max_batch_bytes " +
                     std::to_string(cfg_.max_batch_bytes) + " of " + dir_};
  model::batch_header h;
  if (validate) {
    LK_ASSIGN_OR_RETURN(h, model::validate_batch(batch));
  } else {
    LK_ASSIGN_OR_RETURN(h, model::read_header(batch));
    if (h.magic != model::current_magic || h.batch_length < 0 ||
        h.size_bytes() != batch.size() || h.last_offset_delta < 0)
      return error{errc::corrupt_batch,
                   "batch header inconsistent with its " + std::to_string(batch.size()) +
                       " bytes (magic " + std::to_string(h.magic) + ", batch_length " +
                       std::to_string(h.batch_length) + ", last_offset_delta " +
                       std::to_string(h.last_offset_delta) + ")"};
  }
  if (needs_roll(batch.size(), h.last_offset_delta, now_ms)) LK_TRY_STATUS(roll_active(now_ms));

  const offset base = end_offset_;
  model::assign_offset(batch, base.value());
  h.base_offset = base.value();
  h.partition_leader_epoch = 0;
  LK_TRY_STATUS(active().append(batch, h, cfg_.index_interval_bytes));
  end_offset_ = offset{h.last_offset() + 1};
  return append_result{base, offset{h.last_offset()}, -1};
}

status disk_log::roll_active(timestamp_ms now_ms) {
  segment& old = active();
  const bool durable = cfg_.fsync != fsync_policy::never;
  LK_TRY_STATUS(old.seal(durable));
  LK_ASSIGN_OR_RETURN(auto fresh, segment::create(*fs_, dir_, end_offset_, now_ms));
  if (!durable && std::find(unsynced_rolled_.begin(), unsynced_rolled_.end(), &old) ==
                      unsynced_rolled_.end())
    unsynced_rolled_.push_back(&old);
  segments_.push_back(std::move(fresh));
  directory_dirty_ = true;
  if (durable) {
    LK_TRY_STATUS(fs_->sync_directory(dir_));
    directory_dirty_ = false;
  }
  return ok();
}

status disk_log::roll(timestamp_ms now_ms) {
  LK_TRY_STATUS(check_open());
  if (active().empty()) return ok();  // a new segment would have the same base offset
  return roll_active(now_ms);
}

status disk_log::sync() {
  LK_ASSIGN_OR_RETURN(auto job, begin_sync());
  if (!job) return ok();
  auto st = job->file->sync();
  end_sync(*job, st);
  return st;
}

result<std::optional<log_sync_job>> disk_log::begin_sync() {
  LK_TRY_STATUS(check_open());
  for (segment* s : unsynced_rolled_) LK_TRY_STATUS(s->sync(false));
  unsynced_rolled_.clear();
  if (directory_dirty_) {
    LK_TRY_STATUS(fs_->sync_directory(dir_));
    directory_dirty_ = false;
  }
  LK_ASSIGN_OR_RETURN(auto f, active().prepare_sync());
  if (!f) return std::optional<log_sync_job>{};
  return std::optional<log_sync_job>{log_sync_job{std::move(f), end_offset_, active().size_bytes()}};
}

void disk_log::end_sync(const log_sync_job& job, const status& outcome) {
  if (outcome && !closed_ && !segments_.empty()) active().mark_synced(*job.file, job.file_size);
}

namespace {

// What disk_log::read reads into: allocated without zero-filling (pread overwrites it; only
// bytes read and checked as whole batches are kept, `size`). It grows only when a read
// continues into the next segment.
struct read_buffer {
  std::shared_ptr<std::byte[]> buffer;
  size_t capacity = 0;
  size_t size = 0;

  void reserve(size_t n) {
    if (n <= capacity) return;
    auto grown = std::make_shared_for_overwrite<std::byte[]>(n);
    if (size != 0) std::memcpy(grown.get(), buffer.get(), size);
    buffer = std::move(grown);
    capacity = n;
  }

  // The bytes kept, as a slice. A buffer much larger than what it keeps (the read stopped at
  // max_offset or max_bytes well before its end) is not pinned: what it keeps is copied into
  // an exact buffer.
  shared_slice take() && {
    if (size == 0) return {};
    if (!worth_pinning(size, capacity)) {
      auto exact = std::make_shared_for_overwrite<std::byte[]>(size);
      std::memcpy(exact.get(), buffer.get(), size);
      buffer = std::move(exact);
      capacity = size;
    }
    const bytes_view kept(buffer.get(), size);
    return shared_slice(std::move(buffer), kept, capacity);
  }
};

}  // namespace

result<read_result> disk_log::read(const read_config& cfg) const {
  LK_TRY_STATUS(check_open());
  if (cfg.start < start_offset_ || cfg.start > end_offset_)
    return error{errc::offset_out_of_range,
                 "offset " + std::to_string(cfg.start.value()) + " is outside [" +
                     std::to_string(start_offset_.value()) + ", " +
                     std::to_string(end_offset_.value()) + "] of " + dir_};
  read_buffer data;
  read_result out;
  out.next_offset = cfg.start;
  offset target = cfg.start;
  for (size_t i = segment_for(cfg.start); i < segments_.size() && target < end_offset_; ++i) {
    const segment& seg = *segments_[i];
    LK_ASSIGN_OR_RETURN(auto found, seg.locate(target));
    if (!found) continue;  // the valid data of this segment ends before `target`
    if (found->header.base_offset > cfg.max_offset.value()) break;
    const size_t first_size = found->header.size_bytes();
    const size_t budget = cfg.max_bytes > data.size ? cfg.max_bytes - data.size : 0;
    if (data.size != 0 && budget < first_size) break;
    const uint64_t available = seg.valid_bytes() - found->position;
    const auto want =
        static_cast<size_t>(std::min<uint64_t>(available, std::max(budget, first_size)));
    const size_t old = data.size;
    data.reserve(old + want);
    // A short read is an error (segment::read), so no unread byte of the buffer is ever kept.
    LK_TRY_STATUS(seg.read(found->position, mutable_bytes_view(data.buffer.get() + old, want)));

    // Keep the whole batches that start at or below max_offset and fit max_bytes (the first
    // one always); a batch cut by `want` ends the read.
    size_t kept = 0;
    bool limit_hit = false;
    while (want - kept >= model::batch_header_size) {
      const bytes_view rest(data.buffer.get() + old + kept, want - kept);
      LK_ASSIGN_OR_RETURN(model::batch_header h, model::read_header(rest));
      const size_t size = h.size_bytes();
      if (h.batch_length < 0 || size < model::batch_header_size || size > rest.size()) break;
      if (h.base_offset > cfg.max_offset.value() ||
          (old + kept > 0 && old + kept + size > cfg.max_bytes)) {
        limit_hit = true;
        break;
      }
      kept += size;
      ++out.batch_count;
      out.next_offset = offset{h.last_offset() + 1};
    }
    data.size = old + kept;
    if (limit_hit || kept < available) break;
    target = out.next_offset;  // this segment is exhausted: continue in the next one
  }
  out.data = std::move(data).take();
  return out;
}

result<std::optional<log::timed_offset>> disk_log::find_by_timestamp(timestamp_ms ts) const {
  LK_TRY_STATUS(check_open());
  using found_t = std::optional<timed_offset>;
  for (const auto& seg : segments_) {
    if (seg->max_timestamp() < ts) continue;
    LK_ASSIGN_OR_RETURN(auto found, seg->locate_time(ts));
    if (!found) continue;
    const model::batch_header& h = found->header;
    // Kafka answers with the first record at or after ts, and that record's timestamp;
    // records of an uncompressed batch are cheap to walk, a compressed one is answered by its
    // base offset.
    if (h.codec() == model::compression::none) {
      bytes batch(h.size_bytes());
      LK_TRY_STATUS(seg->read(found->position, batch));
      model::record_iterator it(batch);
      model::record_view rec;
      while (it.next(rec))
        if (rec.timestamp >= ts) return found_t(timed_offset{offset{rec.offset}, rec.timestamp});
    }
    return found_t(timed_offset{offset{h.base_offset}, h.base_timestamp});
  }
  return found_t{};
}

status disk_log::remove_oldest() {
  segment* oldest = segments_.front().get();
  LK_TRY_STATUS(oldest->remove());
  std::erase(unsynced_rolled_, oldest);
  segments_.erase(segments_.begin());
  start_offset_ = segments_.front()->base_offset();
  directory_dirty_ = true;
  return ok();
}

result<size_t> disk_log::apply_retention(timestamp_ms now_ms) {
  LK_TRY_STATUS(check_open());
  size_t removed = 0;
  if (cfg_.retention_ms >= 0) {
    while (segments_.size() > 1 &&
           segments_.front()->max_timestamp() < now_ms - cfg_.retention_ms) {
      LK_TRY_STATUS(remove_oldest());
      ++removed;
    }
  }
  if (cfg_.retention_bytes >= 0) {
    uint64_t total = size_bytes();
    while (segments_.size() > 1 && total > static_cast<uint64_t>(cfg_.retention_bytes)) {
      total -= segments_.front()->size_bytes();
      LK_TRY_STATUS(remove_oldest());
      ++removed;
    }
  }
  return removed;
}

uint64_t disk_log::size_bytes() const {
  uint64_t total = 0;
  for (const auto& s : segments_) total += s->size_bytes();
  return total;
}

std::vector<segment_info> disk_log::segments() const {
  std::vector<segment_info> out;
  out.reserve(segments_.size());
  for (const auto& s : segments_)
    out.push_back({s->base_offset(), s->size_bytes(), s->max_timestamp()});
  return out;
}

status disk_log::scan(offset from, const std::function<bool(bytes_view batch)>& fn) const {
  LK_TRY_STATUS(check_open());
  read_config rc;
  rc.start = std::max(from, start_offset_);
  while (rc.start < end_offset_) {
    LK_ASSIGN_OR_RETURN(read_result r, read(rc));
    if (r.batch_count == 0) break;
    bytes_view rest = r.data.view();
    while (!rest.empty()) {
      LK_ASSIGN_OR_RETURN(model::batch_header h, model::read_header(rest));
      if (!fn(rest.first(h.size_bytes()))) return ok();
      rest = rest.subspan(h.size_bytes());
    }
    rc.start = r.next_offset;
  }
  return ok();
}

status disk_log::close() {
  LK_TRY_STATUS(check_open());
  status first = ok();
  for (auto& s : segments_) {
    auto st = s->close(true);
    if (!st && first) first = std::move(st);
  }
  unsynced_rolled_.clear();
  closed_ = true;
  if (directory_dirty_) {
    auto st = fs_->sync_directory(dir_);
    if (!st && first) first = std::move(st);
    directory_dirty_ = false;
  }
  return first;
}

status disk_log::remove() {
  // Everything is deleted, so nothing needs syncing: just release the files.
  segments_.clear();
  unsynced_rolled_.clear();
  closed_ = true;
  return fs_->remove_all(dir_);
}

}  // namespace lkstream::storage

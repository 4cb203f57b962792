#include "segment.hpp"

#include "file_window.hpp"

#include <algorithm>

namespace lkstream::storage {

namespace {
// Header scans read this much at a time. From an index entry the batch wanted is less than an
// index interval (4 KiB by default) away, so one or two reads find it; batches larger than the
// interval each have an entry, and then the first read already holds the header.
constexpr size_t lookup_chunk_bytes = 4 << 10;
}  // namespace

segment::segment(file_system& fs, const std::string& dir, offset base)
    : fs_(fs),
      base_(base),
      log_path_(join_path(dir, segment_file_prefix(base) + ".log")),
      offsets_(join_path(dir, segment_file_prefix(base) + ".index")),
      times_(join_path(dir, segment_file_prefix(base) + ".timeindex")),
      builder_(base),
      next_(base) {}

result<std::unique_ptr<segment>> segment::create(file_system& fs, const std::string& dir,
                                                 offset base, timestamp_ms now_ms) {
  std::unique_ptr<segment> seg(new segment(fs, dir, base));
  auto made = [&]() -> status {
    LK_ASSIGN_OR_RETURN(seg->log_, fs.open(seg->log_path_, open_mode::create_truncate));
    LK_TRY_STATUS(seg->offsets_.create(fs));
    return seg->times_.create(fs);
  }();
  if (!made) {
    // Best effort: a leftover that cannot be removed either is an empty segment without
    // (some of) its indexes, which recovery accepts and re-indexes.
    (void)seg->remove();
    return std::move(made).take_error();
  }
  seg->rolling_base_ms_ = now_ms;
  return seg;
}

status segment::append(bytes_view batch, const model::batch_header& h,
                       uint32_t index_interval_bytes) {
  if (needs_truncate_) {
    LK_TRY_STATUS(log_->truncate(size_));
    needs_truncate_ = false;
  }
  auto st = log_->append(batch);
  if (!st) {
    if (!log_->truncate(size_)) needs_truncate_ = true;
    return st;
  }
  const uint64_t position = size_;
  size_ += batch.size();
  valid_ = size_;
  next_ = offset{h.last_offset() + 1};
  builder_.add_batch(position, h, index_interval_bytes, offsets_, times_);
  if (offsets_.pending() >= offset_index::flush_threshold ||
      times_.pending() >= time_index::flush_threshold)
    flush_indexes();
  return ok();
}

void segment::flush_indexes() {
  // Failures leave the entries pending for the next flush; recovery repairs lost entries.
  (void)offsets_.flush(fs_);
  (void)times_.flush(fs_);
}

status segment::sync(bool with_indexes) {
  if (with_indexes) flush_indexes();
  LK_ASSIGN_OR_RETURN(auto f, prepare_sync());
  if (f) {
    LK_TRY_STATUS(f->sync());
    synced_size_ = size_;
  }
  if (with_indexes) {
    (void)offsets_.sync();
    (void)times_.sync();
  }
  return ok();
}

result<std::shared_ptr<file>> segment::prepare_sync() {
  // Pending index entries are not written here: a group commit per fdatasync would otherwise
  // open, write and close two index files each time (issue 13: -12 % for fsync = always).
  bool cut_back = false;  // a failed append's bytes are gone now; make that durable too
  if (needs_truncate_ && log_->truncate(size_)) {
    needs_truncate_ = false;
    cut_back = true;
  }
  if (synced_size_ == size_ && !cut_back) return std::shared_ptr<file>{};
  return log_;
}

void segment::mark_synced(const file& f, uint64_t size) {
  if (log_.get() == &f) synced_size_ = std::max(synced_size_, size);
}

status segment::seal(bool durable) {
  builder_.seal(times_);
  if (durable) {
    LK_TRY_STATUS(sync(true));
  } else {
    flush_indexes();
  }
  offsets_.release();
  times_.release();
  return ok();
}

status segment::close(bool durable) {
  status st = ok();
  if (durable) {
    st = sync(true);
  } else {
    flush_indexes();
  }
  log_.reset();
  offsets_.release();
  times_.release();
  return st;
}

status segment::remove() {
  LK_TRY_STATUS(fs_.remove_all(log_path_));  // on failure the segment stays usable
  log_.reset();
  offsets_.release();
  times_.release();
  auto a = fs_.remove_all(offsets_.path());
  auto b = fs_.remove_all(times_.path());
  return a ? b : a;
}

template <class Match>
result<std::optional<segment::located_batch>> segment::scan_from(uint64_t pos,
                                                                  Match match) const {
  file_window window(*log_, valid_, lookup_chunk_bytes);
  while (pos < valid_) {
    LK_ASSIGN_OR_RETURN(bytes_view v, window.view(pos, model::batch_header_size));
    if (v.size() < model::batch_header_size)
      return error{errc::io_error, "short read of the batch header at position " +
                                       std::to_string(pos) + " of " + log_path_};
    LK_ASSIGN_OR_RETURN(model::batch_header h, model::read_header(v));
    if (h.batch_length < 0 || h.size_bytes() < model::batch_header_size)
      return error{errc::corrupt_batch, "impossible batch length " +
                                            std::to_string(h.batch_length) + " at position " +
                                            std::to_string(pos) + " of " + log_path_};
    if (match(h)) return std::optional<located_batch>(located_batch{pos, h});
    pos += h.size_bytes();
  }
  return std::optional<located_batch>{};
}

result<std::optional<segment::located_batch>> segment::locate(offset target) const {
  uint64_t pos = 0;
  if (target > base_) {
    const int64_t rel = target - base_;
    if (const auto* e = offsets_.last_where(
            [rel](const auto& x) { return static_cast<int64_t>(x.relative_offset) <= rel; }))
      pos = e->position;
  }
  return scan_from(pos, [&](const model::batch_header& h) {
    return h.last_offset() >= target.value();
  });
}

result<std::optional<segment::located_batch>> segment::locate_time(timestamp_ms ts) const {
  uint64_t pos = 0;
  if (const auto* t = times_.last_where([ts](const auto& x) { return x.timestamp < ts; })) {
    const uint32_t rel = t->relative_offset;
    if (const auto* e =
            offsets_.last_where([rel](const auto& x) { return x.relative_offset <= rel; }))
      pos = e->position;
  }
  return scan_from(pos, [ts](const model::batch_header& h) { return h.max_timestamp >= ts; });
}

status segment::read(uint64_t pos, mutable_bytes_view out) const {
  LK_ASSIGN_OR_RETURN(size_t n, log_->read_at(pos, out));
  if (n != out.size())
    return error{errc::io_error, "short read of " + std::to_string(out.size()) +
                                     " bytes at position " + std::to_string(pos) + " of " +
                                     log_path_ + " (got " + std::to_string(n) + ")"};
  return ok();
}

}  // namespace lkstream::storage

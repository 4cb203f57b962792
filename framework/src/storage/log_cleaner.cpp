#include "lkstream/storage/log_cleaner.hpp"

#include <algorithm>
#include <cstring>
#include <unordered_map>

#include "lkstream/model/byte_order.hpp"
#include "lkstream/model/compression.hpp"
#include "lkstream/model/record_batch.hpp"
#include "offset_map.hpp"

namespace lkstream::storage {
namespace {

// Batch header fields the cleaner rewrites (record_batch.hpp has the layout).
constexpr size_t batch_length_pos = 8;
constexpr size_t records_count_pos = 57;
constexpr int16_t compression_bits = 0x7;
constexpr std::string_view cleaned_suffix = ".cleaned";

std::string segment_path(const std::string& dir, offset base) {
  return join_path(dir, segment_file_prefix(base) + ".log");
}

error damaged(const std::string& path, uint64_t pos, const std::string& what) {
  return error{errc::corrupt_batch,
               path + ": " + what + " at position " + std::to_string(pos) + "; not cleaned"};
}

error stopped() { return error{errc::closed, "cleaning stopped (shutdown)"}; }

// Reads the whole batches of the first `limit` bytes of a segment file in order, through a
// reusable buffer of io_chunk_bytes (grown only for a larger batch).
class batch_reader {
 public:
  batch_reader(const file& f, uint64_t limit, bytes& buf, size_t chunk,
               const log_cleaner::io_hook& on_io, cleaning_stats& stats)
      : f_(f), limit_(limit), buf_(buf), chunk_(chunk), on_io_(on_io), stats_(stats) {}

  /// The next batch, or false at the end of the limit.
  result<bool> next(model::batch_header& h, bytes_view& batch) {
    const uint64_t pos = file_pos_ + begin_;
    if (pos >= limit_) return false;
    LK_TRY_STATUS(fill(model::batch_header_size));
    if (end_ - begin_ < model::batch_header_size)
      return damaged(f_.path(), pos, "torn batch header");
    LK_ASSIGN_OR_RETURN(h, model::read_header(bytes_view(buf_).subspan(begin_)));
    if (h.magic != model::current_magic || h.batch_length < 0 ||
        h.size_bytes() < model::batch_header_size || h.last_offset_delta < 0)
      return damaged(f_.path(), pos, "invalid batch header");
    const size_t size = h.size_bytes();
    LK_TRY_STATUS(fill(size));
    if (end_ - begin_ < size) return damaged(f_.path(), pos, "torn batch");
    batch = bytes_view(buf_).subspan(begin_, size);
    begin_ += size;
    return true;
  }

 private:
  // Makes at least `need` bytes available from begin_ (fewer only at the limit).
  status fill(size_t need) {
    if (end_ - begin_ >= need) return ok();
    if (begin_ > 0) {
      std::memmove(buf_.data(), buf_.data() + begin_, end_ - begin_);
      file_pos_ += begin_;
      end_ -= begin_;
      begin_ = 0;
    }
    if (buf_.size() < std::max(need, chunk_)) buf_.resize(std::max(need, chunk_));
    while (end_ < need && file_pos_ + end_ < limit_) {
      const size_t want = static_cast<size_t>(
          std::min<uint64_t>(buf_.size() - end_, limit_ - (file_pos_ + end_)));
      LK_ASSIGN_OR_RETURN(size_t n, f_.read_at(file_pos_ + end_, {buf_.data() + end_, want}));
      if (n == 0) break;
      end_ += n;
      stats_.bytes_read += n;
      if (on_io_ && !on_io_(n)) return stopped();
    }
    return ok();
  }

  const file& f_;
  uint64_t limit_;
  bytes& buf_;
  size_t chunk_;
  const log_cleaner::io_hook& on_io_;
  cleaning_stats& stats_;
  uint64_t file_pos_ = 0;  // file position of buf_[0]
  size_t begin_ = 0;
  size_t end_ = 0;
};

// Buffers the cleaned segment's bytes and writes them in io_chunk_bytes units.
class batch_writer {
 public:
  batch_writer(file& f, bytes& buf, size_t chunk, const log_cleaner::io_hook& on_io,
               cleaning_stats& stats)
      : f_(f), buf_(buf), chunk_(chunk), on_io_(on_io), stats_(stats) {
    buf_.clear();
  }

  status write(bytes_view batch) {
    buf_.insert(buf_.end(), batch.begin(), batch.end());
    return buf_.size() >= chunk_ ? flush() : ok();
  }

  status flush() {
    if (buf_.empty()) return ok();
    LK_TRY_STATUS(f_.append(buf_));
    stats_.bytes_written += buf_.size();
    if (on_io_ && !on_io_(buf_.size())) return stopped();
    buf_.clear();
    return ok();
  }

 private:
  file& f_;
  bytes& buf_;
  size_t chunk_;
  const log_cleaner::io_hook& on_io_;
  cleaning_stats& stats_;
};

}  // namespace

std::string cleaned_segment_path(const std::string& dir, offset base) {
  return segment_path(dir, base) + std::string(cleaned_suffix);
}

cleaning_input snapshot_for_cleaning(const log& lg, timestamp_ms now_ms) {
  cleaning_input in;
  in.dir = lg.directory();
  in.cfg = lg.config();
  in.now_ms = now_ms;
  auto segs = lg.segments();
  in.first_uncleanable = segs.back().base_offset;  // the active segment
  segs.pop_back();
  // Segments with a record younger than min_compaction_lag_ms are not cleanable yet.
  for (const auto& s : segs) {
    if (s.max_timestamp >= 0 && now_ms - s.max_timestamp < in.cfg.min_compaction_lag_ms) {
      in.first_uncleanable = std::min(in.first_uncleanable, s.base_offset);
      break;
    }
  }
  in.closed = std::move(segs);
  in.first_dirty = std::max(lg.cleaned_offset(), lg.start_offset());
  return in;
}

cleanability assess_cleaning(const cleaning_input& in) {
  cleanability c;
  const segment_info* first_dirty_segment = nullptr;
  for (size_t i = 0; i < in.closed.size(); ++i) {
    const auto& s = in.closed[i];
    if (s.base_offset >= in.first_uncleanable) break;
    // A segment is clean when the next one starts at or below first_dirty.
    const bool clean = i + 1 < in.closed.size()
                           ? in.closed[i + 1].base_offset <= in.first_dirty
                           : in.first_uncleanable <= in.first_dirty;
    if (clean) {
      c.clean_bytes += s.size_bytes;
    } else {
      c.dirty_bytes += s.size_bytes;
      if (!first_dirty_segment) first_dirty_segment = &s;
    }
  }
  const uint64_t total = c.clean_bytes + c.dirty_bytes;
  c.dirty_ratio = total == 0 ? 0.0 : static_cast<double>(c.dirty_bytes) / total;
  // max.compaction.lag.ms: the first dirty segment's newest record is older than the lag, so
  // all its records are.
  const bool overdue = first_dirty_segment && first_dirty_segment->max_timestamp >= 0 &&
                       in.now_ms - first_dirty_segment->max_timestamp > in.cfg.max_compaction_lag_ms;
  c.due = compacts(in.cfg.cleanup) && c.dirty_bytes > 0 &&
          (c.dirty_ratio >= in.cfg.min_cleanable_dirty_ratio || overdue);
  return c;
}

struct log_cleaner::impl {
  std::shared_ptr<file_system> fs;
  cleaner_config cfg;
  // The key map, allocated at the first cleaning and kept: an engine without compacted
  // topics never pays for it.
  std::unique_ptr<offset_map> map_storage;
  offset_map& map() {
    if (!map_storage) map_storage = std::make_unique<offset_map>(cfg.dedupe_buffer_bytes);
    return *map_storage;
  }
  model::decompressor decompressor;
  bytes read_buf;
  bytes write_buf;
  bytes scratch;     // decompressed records
  bytes batch_out;   // a rewritten batch
  std::unordered_map<int64_t, int64_t> producer_last;  // producer id -> base of its last batch
  // producer id -> its aborted transactions' [first, last] ranges, by last offset
  std::unordered_map<int64_t, std::vector<std::pair<int64_t, int64_t>>> aborted;

  void index_aborted(const cleaning_input& in) {
    aborted.clear();
    for (const auto& a : in.aborted)
      aborted[a.producer_id].emplace_back(a.first.value(), a.last.value());
  }
  // A transactional data batch inside one of its producer's aborted ranges.
  bool is_aborted(const model::batch_header& h) const {
    if (!h.is_transactional() || h.is_control() || h.producer_id < 0) return false;
    auto it = aborted.find(h.producer_id);
    if (it == aborted.end()) return false;
    const auto& ranges = it->second;
    auto r = std::lower_bound(ranges.begin(), ranges.end(), h.base_offset,
                              [](const std::pair<int64_t, int64_t>& x, int64_t o) {
                                return x.second < o;
                              });
    return r != ranges.end() && r->first <= h.base_offset;
  }

  impl(std::shared_ptr<file_system> f, cleaner_config c)
      : fs(std::move(f)), cfg(c) {}

  result<bytes_view> records_of(bytes_view batch, const model::batch_header& h) {
    return model::batch_records(batch, decompressor, scratch,
                                std::max<size_t>(in_max_bytes, h.size_bytes()) * 64);
  }
  size_t in_max_bytes = 1 << 20;

  status scan_producers(const cleaning_input& in, cleaning_stats& stats, const io_hook& on_io);
  result<offset> build_map(const cleaning_input& in, cleaning_stats& stats, const io_hook& on_io);
  result<bool> clean_segment(const cleaning_input& in, const segment_info& seg, offset map_end,
                             cleaning_stats& stats, const io_hook& on_io);
};

log_cleaner::log_cleaner(std::shared_ptr<file_system> fs, cleaner_config cfg)
    : impl_(std::make_unique<impl>(std::move(fs), cfg)) {}

log_cleaner::~log_cleaner() = default;

uint64_t log_cleaner::map_memory_bytes() const noexcept {
  // As offset_map sizes itself: whole slots, at least two.
  return std::max<uint64_t>(impl_->cfg.dedupe_buffer_bytes / offset_map::slot_bytes, 2) *
         offset_map::slot_bytes;
}

// The last batch of each producer id among the closed segments below first_uncleanable.
// Later batches (in the active segment) only make the kept one redundant, never wrong.
status log_cleaner::impl::scan_producers(const cleaning_input& in, cleaning_stats& stats,
                                         const io_hook& on_io) {
  producer_last.clear();
  for (const auto& seg : in.closed) {
    if (seg.base_offset >= in.first_uncleanable) break;
    const auto path = segment_path(in.dir, seg.base_offset);
    LK_ASSIGN_OR_RETURN(auto f, fs->open(path, open_mode::read_only));
    // Headers only: one small read per batch.
    std::byte head[model::batch_header_size];
    for (uint64_t pos = 0; pos < seg.size_bytes;) {
      LK_ASSIGN_OR_RETURN(size_t n, f->read_at(pos, {head, sizeof(head)}));
      if (n < sizeof(head)) return damaged(path, pos, "torn batch header");
      stats.bytes_read += n;
      if (on_io && !on_io(n)) return stopped();
      LK_ASSIGN_OR_RETURN(model::batch_header h, model::read_header({head, sizeof(head)}));
      if (h.batch_length < 0 || h.size_bytes() < model::batch_header_size)
        return damaged(path, pos, "invalid batch length");
      if (h.producer_id >= 0) producer_last[h.producer_id] = h.base_offset;
      pos += h.size_bytes();
    }
  }
  return ok();
}

// Maps every key of the dirty range to its latest offset, batch by batch, until the range
// ends or the next batch might not fit. Returns the end of what was mapped.
result<offset> log_cleaner::impl::build_map(const cleaning_input& in, cleaning_stats& stats,
                                            const io_hook& on_io) {
  offset_map& map = this->map();
  map.clear();
  offset mapped_end = in.first_dirty;
  for (size_t i = 0; i < in.closed.size(); ++i) {
    const auto& seg = in.closed[i];
    if (seg.base_offset >= in.first_uncleanable) break;
    const bool before_dirty = i + 1 < in.closed.size() &&
                              in.closed[i + 1].base_offset <= in.first_dirty;
    if (before_dirty) continue;
    const auto path = segment_path(in.dir, seg.base_offset);
    LK_ASSIGN_OR_RETURN(auto f, fs->open(path, open_mode::read_only));
    batch_reader reader(*f, seg.size_bytes, read_buf, cfg.io_chunk_bytes, on_io, stats);
    model::batch_header h;
    bytes_view batch;
    while (true) {
      LK_ASSIGN_OR_RETURN(bool more, reader.next(h, batch));
      if (!more) break;
      if (h.last_offset() < in.first_dirty.value()) continue;
      if (h.base_offset >= in.first_uncleanable.value()) return mapped_end;
      if (!h.is_control() && !is_aborted(h)) {
        if (map.size() + static_cast<size_t>(std::max(h.records_count, 0)) > map.max_entries()) {
          if (map.size() == 0)
            return error{errc::invalid_argument,
                         "the cleaner's key map holds " + std::to_string(map.max_entries()) +
                             " keys, fewer than the " + std::to_string(h.records_count) +
                             " records of the batch at offset " + std::to_string(h.base_offset) +
                             " of " + path + ": raise broker.cleaner_dedupe_buffer_bytes"};
          stats.partial = true;
          return mapped_end;
        }
        LK_ASSIGN_OR_RETURN(bytes_view records, records_of(batch, h));
        model::record_iterator it(batch, records);
        model::record_view rec;
        while (it.next(rec))
          if (rec.key && rec.offset >= in.first_dirty.value()) map.put(*rec.key, rec.offset);
        if (!it.state()) return damaged(path, 0, it.state().err().message);
      }
      mapped_end = offset{h.last_offset() + 1};
    }
    // Offsets up to the next segment (a gap at the end of this one) are covered too.
    if (i + 1 < in.closed.size()) mapped_end = std::max(mapped_end, in.closed[i + 1].base_offset);
  }
  return std::min(mapped_end, in.first_uncleanable);
}

// Writes the cleaned copy of one segment; false (and no file) when nothing would change.
result<bool> log_cleaner::impl::clean_segment(const cleaning_input& in, const segment_info& seg,
                                              offset map_end, cleaning_stats& stats,
                                              const io_hook& on_io) {
  const auto path = segment_path(in.dir, seg.base_offset);
  const auto out_path = cleaned_segment_path(in.dir, seg.base_offset);
  const offset_map& map = this->map();
  LK_ASSIGN_OR_RETURN(auto src, fs->open(path, open_mode::read_only));
  LK_ASSIGN_OR_RETURN(auto dst, fs->open(out_path, open_mode::create_truncate));
  batch_reader reader(*src, seg.size_bytes, read_buf, cfg.io_chunk_bytes, on_io, stats);
  batch_writer writer(*dst, write_buf, cfg.io_chunk_bytes, on_io, stats);
  const uint64_t written_before = stats.bytes_written;
  bool changed = false;
  model::batch_header h;
  bytes_view batch;
  while (true) {
    LK_ASSIGN_OR_RETURN(bool more, reader.next(h, batch));
    if (!more) break;
    // Beyond the map, and control batches: kept as they are.
    if (h.base_offset >= map_end.value() || h.is_control()) {
      LK_TRY_STATUS(writer.write(batch));
      continue;
    }
    const bool aborted_data = is_aborted(h);
    LK_ASSIGN_OR_RETURN(bytes_view records, records_of(batch, h));
    const bool tombstones_expire = in.now_ms - h.max_timestamp > in.cfg.delete_retention_ms;
    model::record_iterator it(batch, records);
    model::record_view rec;
    int32_t kept = 0;
    size_t pos = 0;
    batch_out.resize(model::batch_header_size);
    std::memcpy(batch_out.data(), batch.data(), model::batch_header_size);
    while (true) {
      const size_t start = pos;
      if (!it.next(rec)) break;
      pos = it.position();
      ++stats.records_read;
      bool keep = rec.key.has_value() && !aborted_data;
      if (keep) {
        const int64_t latest = map.get(*rec.key);
        keep = latest < 0 || rec.offset >= latest;
      }
      if (keep && !rec.value && tombstones_expire) {
        keep = false;
        ++stats.tombstones_removed;
      }
      if (!keep) {
        ++stats.records_removed;
        continue;
      }
      ++kept;
      batch_out.insert(batch_out.end(), records.begin() + static_cast<ptrdiff_t>(start),
                       records.begin() + static_cast<ptrdiff_t>(pos));
    }
    if (!it.state()) return damaged(path, 0, it.state().err().message);
    if (kept == h.records_count) {
      LK_TRY_STATUS(writer.write(batch));
      continue;
    }
    changed = true;
    auto last = producer_last.find(h.producer_id);
    const bool producer_needs_it = h.producer_id >= 0 && last != producer_last.end() &&
                                   last->second == h.base_offset;
    if (kept == 0 && !producer_needs_it) continue;
    if (kept == 0) ++stats.batches_emptied;
    // Same base offset, base timestamp, last offset delta and producer fields; new length,
    // count, no compression, new CRC.
    std::byte* out = batch_out.data();
    model::store_be<int32_t>(out + batch_length_pos,
                             static_cast<int32_t>(batch_out.size() - model::batch_length_field_end));
    model::store_be<int16_t>(out + model::attributes_offset,
                             static_cast<int16_t>(h.attributes & ~compression_bits));
    model::store_be<int32_t>(out + records_count_pos, kept);
    model::update_crc(batch_out);
    LK_TRY_STATUS(writer.write(batch_out));
  }
  if (!changed) {
    dst.reset();
    (void)fs->remove_all(out_path);
    stats.bytes_written = written_before;
    return false;
  }
  LK_TRY_STATUS(writer.flush());
  LK_TRY_STATUS(dst->sync());
  ++stats.segments_rewritten;
  return true;
}

result<cleaning_swap> log_cleaner::clean(const cleaning_input& in, cleaning_stats& stats,
                                         const io_hook& on_io) {
  impl& m = *impl_;
  m.in_max_bytes = in.cfg.max_batch_bytes;
  cleaning_swap swap;
  swap.clean_end = in.first_dirty;
  stats.clean_end = in.first_dirty;
  if (in.first_dirty >= in.first_uncleanable) return swap;
  m.index_aborted(in);
  LK_TRY_STATUS(m.scan_producers(in, stats, on_io));
  LK_ASSIGN_OR_RETURN(offset map_end, m.build_map(in, stats, on_io));
  swap.clean_end = stats.clean_end = map_end;
  if (map_end <= in.first_dirty) return swap;
  for (const auto& seg : in.closed) {
    if (seg.base_offset >= map_end) break;
    auto changed = m.clean_segment(in, seg, map_end, stats, on_io);
    if (!changed) {
      (void)m.fs->remove_all(cleaned_segment_path(in.dir, seg.base_offset));
      discard(in.dir, swap);
      return std::move(changed).take_error();
    }
    if (*changed) swap.segments.push_back({seg.base_offset, seg.size_bytes});
  }
  if (!swap.segments.empty()) {
    if (auto st = m.fs->sync_directory(in.dir); !st) {
      discard(in.dir, swap);
      return std::move(st).take_error();
    }
  }
  return swap;
}

void log_cleaner::discard(const std::string& dir, const cleaning_swap& swap) {
  for (const auto& s : swap.segments) (void)impl_->fs->remove_all(cleaned_segment_path(dir, s.base));
}

}  // namespace lkstream::storage

// segment::recover: the open-time check of one segment (see segment.hpp and log.hpp).

#include "file_window.hpp"
#include "segment.hpp"

namespace lkstream::storage {

namespace {

// Read-ahead while walking: whole batches of the last segment, headers of older ones.
constexpr size_t full_check_chunk_bytes = 1 << 20;
constexpr size_t header_check_chunk_bytes = 64 << 10;

// Checks stored offset index entries against the batches, in order: each entry must name the
// start position and last offset of a valid batch.
class stored_offsets_check {
 public:
  explicit stored_offsets_check(const std::optional<std::vector<offset_index::entry>>& stored)
      : stored_(stored), ok_(stored.has_value()) {}

  void on_batch(uint64_t position, uint32_t relative_last) {
    while (ok_ && next_ < stored_->size() && (*stored_)[next_].position <= position) {
      const auto& e = (*stored_)[next_++];
      ok_ = e.position == position && e.relative_offset == relative_last;
    }
  }
  /// Valid if every entry matched a batch (none points past the valid data).
  bool valid() const { return ok_ && next_ == stored_->size(); }

 private:
  const std::optional<std::vector<offset_index::entry>>& stored_;
  size_t next_ = 0;
  bool ok_;
};

// Checks stored time index entries: strictly increasing timestamps, each naming the last
// offset of a valid batch after which the running maximum timestamp equals the entry's.
class stored_times_check {
 public:
  explicit stored_times_check(const std::optional<std::vector<time_index::entry>>& stored)
      : stored_(stored), ok_(stored.has_value()) {}

  void on_batch(uint32_t relative_last, timestamp_ms running_max) {
    while (ok_ && next_ < stored_->size() && (*stored_)[next_].relative_offset <= relative_last) {
      const auto& e = (*stored_)[next_++];
      ok_ = e.relative_offset == relative_last && e.timestamp == running_max &&
            e.timestamp > last_timestamp_;
      last_timestamp_ = e.timestamp;
    }
  }
  bool valid() const { return ok_ && next_ == stored_->size(); }

 private:
  const std::optional<std::vector<time_index::entry>>& stored_;
  size_t next_ = 0;
  timestamp_ms last_timestamp_ = INT64_MIN;
  bool ok_;
};

// `index` holds the entries recovery derived from the log. Keeps the stored file when it is
// valid: if it is a prefix of the derived entries the rest becomes pending (entries lost by
// buffering or a crash), otherwise (written with another index interval) its entries replace
// the derived ones. A missing or invalid file is rewritten. Returns true when the stored
// entries replaced the derived ones.
template <class Index>
bool reconcile(file_system& fs, Index& index,
               const std::optional<std::vector<typename Index::entry>>& stored, bool valid,
               recovery_report& report) {
  if (!valid) {
    ++report.rebuilt_indexes;
    if (index.create(fs)) (void)index.flush(fs);  // failures: entries stay pending
    return false;
  }
  const auto& derived = index.entries();
  if (stored->size() <= derived.size() &&
      std::equal(stored->begin(), stored->end(), derived.begin())) {
    index.set_persisted(stored->size());
    return false;
  }
  index.assign(*stored, stored->size());
  return true;
}

}  // namespace

result<std::unique_ptr<segment>> segment::recover(file_system& fs, const std::string& dir,
                                                  offset base, const recovery_options& opts,
                                                  recovery_report& report) {
  std::unique_ptr<segment> seg(new segment(fs, dir, base));
  LK_ASSIGN_OR_RETURN(seg->log_, fs.open(seg->log_path_, opts.is_last ? open_mode::read_write
                                                                      : open_mode::read_only));
  const uint64_t file_size = seg->log_->size();
  const auto stored_offsets = offset_index::load(fs, seg->offsets_.path());
  const auto stored_times = time_index::load(fs, seg->times_.path());
  stored_offsets_check offsets_check(stored_offsets);
  stored_times_check times_check(stored_times);

  // Walk the batch chain; stop at the first damage, described by `problem`.
  file_window window(*seg->log_, file_size,
                     opts.is_last ? full_check_chunk_bytes : header_check_chunk_bytes);
  uint64_t pos = 0;
  int64_t expected = base.value();
  timestamp_ms first_max_timestamp = -1;
  std::string problem;
  while (pos < file_size) {
    LK_ASSIGN_OR_RETURN(bytes_view head, window.view(pos, model::batch_header_size));
    if (head.size() < model::batch_header_size) {
      problem = "torn batch header (" + std::to_string(head.size()) + " of " +
                std::to_string(model::batch_header_size) + " bytes)";
      break;
    }
    if (auto peek = model::peek_batch_size(head); !peek) {
      problem = peek.err().to_string();
      break;
    }
    LK_ASSIGN_OR_RETURN(model::batch_header h, model::read_header(head));
    const size_t size = h.size_bytes();
    if (h.magic != model::current_magic) {
      problem = "bad magic " + std::to_string(h.magic);
      break;
    }
    if (size > file_size - pos) {
      problem = "torn batch (" + std::to_string(file_size - pos) + " of " +
                std::to_string(size) + " bytes present)";
      break;
    }
    if (opts.is_last) {
      LK_ASSIGN_OR_RETURN(bytes_view whole, window.view(pos, size));
      if (auto valid = model::validate_batch(whole); !valid) {
        problem = valid.err().to_string();
        break;
      }
    } else if (h.last_offset_delta < 0) {
      problem = "negative last_offset_delta " + std::to_string(h.last_offset_delta);
      break;
    }
    if (opts.allow_gaps ? h.base_offset < expected : h.base_offset != expected) {
      problem = "base offset " + std::to_string(h.base_offset) + " where " +
                std::to_string(expected) + (opts.allow_gaps ? " or more" : "") + " was expected";
      break;
    }
    if (opts.next_base && h.last_offset() >= opts.next_base->value()) {
      problem = "last offset " + std::to_string(h.last_offset()) +
                " overlaps the next segment starting at " + std::to_string(opts.next_base->value());
      break;
    }
    if (h.last_offset() - base.value() > UINT32_MAX || pos + size > UINT32_MAX) {
      problem = "batch beyond the 32-bit index range of the segment";
      break;
    }
    if (pos == 0) first_max_timestamp = h.max_timestamp;
    seg->builder_.add_batch(pos, h, opts.index_interval_bytes, seg->offsets_, seg->times_);
    const auto relative_last = static_cast<uint32_t>(h.last_offset() - base.value());
    offsets_check.on_batch(pos, relative_last);
    times_check.on_batch(relative_last, seg->builder_.max_timestamp());
    expected = h.last_offset() + 1;
    pos += size;
  }

  seg->valid_ = pos;
  seg->next_ = offset{expected};
  seg->size_ = file_size;
  if (!problem.empty()) {
    problem += " at position " + std::to_string(pos) + " of " + seg->log_path_;
    if (opts.is_last) {
      LK_TRY_STATUS(seg->log_->truncate(pos));
      LK_TRY_STATUS(seg->log_->sync());
      seg->size_ = pos;
      report.truncated_bytes += file_size - pos;
      report.truncation_reason = problem + "; truncated " + std::to_string(file_size - pos) +
                                 " bytes";
    } else {
      report.corrupt_segments.push_back(seg->log_path_ + ": " + problem + "; serving the " +
                                        std::to_string(pos) + " bytes before it");
    }
  } else if (!opts.is_last && !opts.allow_gaps && opts.next_base &&
             expected != opts.next_base->value()) {
    report.corrupt_segments.push_back(
        seg->log_path_ + ": batches end at offset " + std::to_string(expected - 1) +
        " but the next segment starts at " + std::to_string(opts.next_base->value()) +
        " (offsets in between are missing)");
  }
  seg->synced_size_ = seg->size_;
  seg->rolling_base_ms_ = first_max_timestamp >= 0 && first_max_timestamp <= opts.now_ms
                              ? first_max_timestamp
                              : opts.now_ms;

  // Indexes: the walk derived the entries appends would have made; keep, extend or rebuild.
  if (!opts.is_last) seg->builder_.seal(seg->times_);
  if (reconcile(fs, seg->offsets_, stored_offsets, offsets_check.valid(), report)) {
    const auto& kept = seg->offsets_.entries();
    const uint64_t last_entry_position = kept.empty() ? 0 : kept.back().position;
    seg->builder_.set_bytes_since_last_entry(seg->valid_ - last_entry_position);
  }
  reconcile(fs, seg->times_, stored_times, times_check.valid(), report);
  if (!opts.is_last) {
    seg->flush_indexes();
    seg->offsets_.release();
    seg->times_.release();
  }
  return seg;
}

}  // namespace lkstream::storage

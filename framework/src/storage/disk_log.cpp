#include "disk_log.hpp"

#include <algorithm>
#include <charconv>
#include <cstring>
#include <memory>

#include "lkstream/storage/small_file.hpp"

namespace lkstream::storage {

namespace {

constexpr std::string_view log_suffix = ".log";
constexpr size_t offset_digits = 20;

// DIR/cleaning.commit: a cleaning swap in progress (written to .tmp, synced, renamed), text:
//   lkstream-cleaning 1
//   <clean_end>
//   <base of each swapped segment, one per line>
// DIR/cleaner.checkpoint: "lkstream-cleaner 1\n<clean_end>\n", the log's cleaned offset.
constexpr const char* commit_name = "cleaning.commit";
constexpr std::string_view commit_header = "lkstream-cleaning 1";
constexpr const char* checkpoint_name = "cleaner.checkpoint";
constexpr std::string_view checkpoint_header = "lkstream-cleaner 1";
constexpr std::string_view cleaned_suffix = ".log.cleaned";
// DIR/log-start.checkpoint: "lkstream-log-start 1\n<offset>\n", the log start offset set by
// advance_start (DeleteRecords) when it lies above the first segment's base.
constexpr const char* start_checkpoint_name = "log-start.checkpoint";
constexpr std::string_view start_checkpoint_header = "lkstream-log-start 1";

std::string segment_base_path(const std::string& dir, offset base) {
  return join_path(dir, segment_file_prefix(base));
}

// Lines of `text` as non-negative integers after the header line; nullopt if malformed.
std::optional<std::vector<int64_t>> parse_numbers(std::string_view text, std::string_view header) {
  if (!text.starts_with(header) || text.size() <= header.size() || text[header.size()] != '\n')
    return std::nullopt;
  text.remove_prefix(header.size() + 1);
  std::vector<int64_t> out;
  while (!text.empty()) {
    auto nl = text.find('\n');
    if (nl == std::string_view::npos) return std::nullopt;  // every line ends with \n
    int64_t v = 0;
    auto line = text.substr(0, nl);
    auto [p, ec] = std::from_chars(line.data(), line.data() + line.size(), v);
    if (ec != std::errc{} || p != line.data() + line.size() || v < 0) return std::nullopt;
    out.push_back(v);
    text.remove_prefix(nl + 1);
  }
  return out;
}

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
  std::unique_ptr<disk_log> lg(new disk_log(fs, std::move(dir), cfg));
  LK_TRY_STATUS(lg->recover_cleaning());
  LK_ASSIGN_OR_RETURN(std::vector<std::string> names, fs->list(lg->dir_));
  std::vector<offset> bases;
  for (const auto& name : names)
    if (auto base = parse_segment_name(name)) bases.push_back(*base);
  std::sort(bases.begin(), bases.end());

  for (size_t i = 0; i < bases.size(); ++i) {
    segment::recovery_options opts;
    opts.is_last = i + 1 == bases.size();
    if (!opts.is_last) opts.next_base = bases[i + 1];
    opts.allow_gaps = !opts.is_last && bases[i] < lg->cleaned_offset_;
    opts.index_interval_bytes = cfg.index_interval_bytes;
    opts.now_ms = now_ms;
    LK_ASSIGN_OR_RETURN(auto seg, segment::recover(*fs, lg->dir_, bases[i], opts, lg->report_));
    lg->segments_.push_back(std::move(seg));
  }
  if (lg->segments_.empty()) {
    LK_ASSIGN_OR_RETURN(auto seg, segment::create(*fs, lg->dir_, offset{0}, now_ms));
    lg->segments_.push_back(std::move(seg));
    // The directory is synced by the first sync of the log, before anything in it is
    // acknowledged as durable, not here: a crash that loses the empty segment's files only
    // means the next open creates them again, and creating thousands of partitions then
    // costs no directory fsync each (issue 23, item 2).
    lg->directory_dirty_ = true;
  }
  lg->start_offset_ = lg->segments_.front()->base_offset();
  lg->end_offset_ = lg->segments_.back()->next_offset();
  LK_TRY_STATUS(lg->restore_start());
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
  // A compacted topic rolls by max_compaction_lag_ms too, so records become cleanable in time
  // (Kafka's LogConfig.maxSegmentMs).
  const int64_t max_age = compacts(cfg_.cleanup)
                              ? std::min(cfg_.segment_ms, cfg_.max_compaction_lag_ms)
                              : cfg_.segment_ms;
  if (now_ms - s.rolling_base_ms() >= max_age) return true;
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
  start_offset_ = std::max(start_offset_, segments_.front()->base_offset());
  directory_dirty_ = true;
  return ok();
}

// Open-time: the start advance_start made durable. A crash between the checkpoint and the
// segment deletions left whole segments below it: they go now. A torn tail cut below the
// checkpoint leaves the log empty from its end on.
status disk_log::restore_start() {
  const auto path = join_path(dir_, start_checkpoint_name);
  (void)fs_->remove_all(path + ".tmp");
  if (!fs_->exists(path)) return ok();
  LK_ASSIGN_OR_RETURN(std::string text, read_small_file(*fs_, path));
  auto numbers = parse_numbers(text, start_checkpoint_header);
  if (!numbers || numbers->size() != 1)
    return error{errc::corrupt_batch, path + " is malformed: \"" + text + "\""};
  const offset saved{std::min(numbers->front(), end_offset_.value())};
  if (saved <= start_offset_) return ok();
  start_offset_ = saved;
  while (segments_.size() > 1 && segments_[1]->base_offset() <= start_offset_)
    LK_TRY_STATUS(remove_oldest());
  if (directory_dirty_) {
    LK_TRY_STATUS(fs_->sync_directory(dir_));
    directory_dirty_ = false;
  }
  return ok();
}

result<offset> disk_log::advance_start(offset new_start) {
  LK_TRY_STATUS(check_open());
  if (new_start > end_offset_)
    return error{errc::offset_out_of_range,
                 "cannot move the log start of " + dir_ + " to " +
                     std::to_string(new_start.value()) + ": the log ends at " +
                     std::to_string(end_offset_.value())};
  if (new_start <= start_offset_) return start_offset_;
  // Durable first: a crash after this point finishes the deletions at open.
  LK_TRY_STATUS(write_small_file(*fs_, dir_, join_path(dir_, start_checkpoint_name),
                                 std::string(start_checkpoint_header) + "\n" +
                                     std::to_string(new_start.value()) + "\n"));
  start_offset_ = new_start;
  while (segments_.size() > 1 && segments_[1]->base_offset() <= start_offset_)
    LK_TRY_STATUS(remove_oldest());
  return start_offset_;
}

result<size_t> disk_log::apply_retention(timestamp_ms now_ms, offset keep_from) {
  LK_TRY_STATUS(check_open());
  size_t removed = 0;
  // The oldest segment may go only if everything in it is below keep_from.
  auto below_keep = [&] { return segments_[1]->base_offset() <= keep_from; };
  if (!deletes(cfg_.cleanup)) return removed;  // cleanup.policy=compact: kept forever
  if (cfg_.retention_ms >= 0) {
    while (segments_.size() > 1 && below_keep() &&
           segments_.front()->max_timestamp() < now_ms - cfg_.retention_ms) {
      LK_TRY_STATUS(remove_oldest());
      ++removed;
    }
  }
  if (cfg_.retention_bytes >= 0) {
    uint64_t total = size_bytes();
    while (segments_.size() > 1 && below_keep() &&
           total > static_cast<uint64_t>(cfg_.retention_bytes)) {
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

status disk_log::install_cleaned_files(offset base) {
  const auto prefix = segment_base_path(dir_, base);
  const auto cleaned = prefix + std::string(cleaned_suffix);
  if (!fs_->exists(cleaned)) return ok();
  // Index files first: a crash after this leaves the old .log without indexes (rebuilt at
  // open), and the swap is finished there since the commit file is still present.
  LK_TRY_STATUS(fs_->remove_all(prefix + ".index"));
  LK_TRY_STATUS(fs_->remove_all(prefix + ".timeindex"));
  return fs_->rename(cleaned, prefix + ".log");
}

status disk_log::write_checkpoint(offset clean_end) {
  return write_small_file(*fs_, dir_, join_path(dir_, checkpoint_name),
                          std::string(checkpoint_header) + "\n" +
                              std::to_string(clean_end.value()) + "\n");
}

status disk_log::recover_cleaning() {
  const auto commit_path = join_path(dir_, commit_name);
  if (fs_->exists(commit_path)) {
    LK_ASSIGN_OR_RETURN(std::string text, read_small_file(*fs_, commit_path));
    auto numbers = parse_numbers(text, commit_header);
    if (numbers && !numbers->empty()) {
      for (size_t i = 1; i < numbers->size(); ++i)
        LK_TRY_STATUS(install_cleaned_files(offset{(*numbers)[i]}));
      LK_TRY_STATUS(fs_->sync_directory(dir_));
      LK_TRY_STATUS(write_checkpoint(offset{numbers->front()}));
      LK_TRY_STATUS(fs_->remove_all(commit_path));
      LK_TRY_STATUS(fs_->sync_directory(dir_));
      report_.interrupted_cleaning = "completed the swap of " +
                                     std::to_string(numbers->size() - 1) +
                                     " cleaned segments (clean up to offset " +
                                     std::to_string(numbers->front()) + ")";
    } else {
      // Written whole and synced before its rename, so this is damage from outside: the swap
      // cannot be completed safely; the .cleaned files below are discarded.
      LK_TRY_STATUS(fs_->remove_all(commit_path));
      report_.interrupted_cleaning = commit_path + " is unreadable; ";
    }
  }
  LK_ASSIGN_OR_RETURN(std::vector<std::string> names, fs_->list(dir_));
  size_t discarded = 0;
  for (const auto& name : names) {
    if (!name.ends_with(cleaned_suffix) && name != std::string(commit_name) + ".tmp" &&
        name != std::string(checkpoint_name) + ".tmp")
      continue;
    LK_TRY_STATUS(fs_->remove_all(join_path(dir_, name)));
    ++discarded;
  }
  if (discarded > 0 && report_.interrupted_cleaning.find("completed") == std::string::npos)
    report_.interrupted_cleaning += "discarded " + std::to_string(discarded) +
                                    " files of an unfinished cleaning";

  const auto checkpoint_path = join_path(dir_, checkpoint_name);
  if (fs_->exists(checkpoint_path)) {
    LK_ASSIGN_OR_RETURN(std::string text, read_small_file(*fs_, checkpoint_path));
    auto numbers = parse_numbers(text, checkpoint_header);
    if (!numbers || numbers->size() != 1)
      return error{errc::corrupt_batch, checkpoint_path + " is malformed: \"" + text + "\""};
    cleaned_offset_ = offset{numbers->front()};
  }
  return ok();
}

result<uint64_t> disk_log::swap_cleaned(const cleaning_swap& swap) {
  LK_TRY_STATUS(check_open());
  auto discard_all = [&] {
    for (const auto& c : swap.segments)
      (void)fs_->remove_all(segment_base_path(dir_, c.base) + std::string(cleaned_suffix));
  };
  // Still the segments the cleaner read: present, closed, unchanged.
  std::vector<size_t> positions;
  for (const auto& c : swap.segments) {
    auto it = std::find_if(segments_.begin(), segments_.end() - 1,
                           [&](const auto& s) { return s->base_offset() == c.base; });
    if (it == segments_.end() - 1 || (*it)->size_bytes() != c.source_bytes) {
      discard_all();
      return error{errc::not_found, "cleaning of " + dir_ + " is stale: segment " +
                                        segment_file_prefix(c.base) +
                                        " was deleted, rolled into or changed meanwhile"};
    }
    positions.push_back(static_cast<size_t>(it - segments_.begin()));
  }
  if (swap.clean_end < cleaned_offset_ || swap.clean_end > segments_.back()->base_offset()) {
    discard_all();
    return error{errc::invalid_argument, "cleaning of " + dir_ + " ends at offset " +
                                             std::to_string(swap.clean_end.value()) +
                                             ", outside the closed segments"};
  }

  // Commit point: from here on, a crash leads open() to finish the swap.
  std::string commit = std::string(commit_header) + "\n" +
                       std::to_string(swap.clean_end.value()) + "\n";
  for (const auto& c : swap.segments) commit += std::to_string(c.base.value()) + "\n";
  if (auto st = write_small_file(*fs_, dir_, join_path(dir_, commit_name), commit); !st) {
    discard_all();
    (void)fs_->remove_all(join_path(dir_, commit_name));
    return std::move(st).take_error();
  }
  // Past the commit an error leaves the log closed: reopening it completes the swap.
  auto fail = [&](status st) -> result<uint64_t> {
    segments_.clear();
    unsynced_rolled_.clear();
    closed_ = true;
    auto e = std::move(st).take_error();
    e.message += " (during the cleaning swap of " + dir_ + "; reopen the log to complete it)";
    return e;
  };
  uint64_t before = 0, after = 0;
  for (size_t k = 0; k < swap.segments.size(); ++k) {
    const size_t i = positions[k];
    const offset base = swap.segments[k].base;
    before += segments_[i]->size_bytes();
    std::erase(unsynced_rolled_, segments_[i].get());
    if (auto st = segments_[i]->close(false); !st) return fail(std::move(st));
    if (auto st = install_cleaned_files(base); !st) return fail(std::move(st));
    segment::recovery_options opts;
    opts.next_base = segments_[i + 1]->base_offset();
    opts.allow_gaps = true;
    opts.index_interval_bytes = cfg_.index_interval_bytes;
    recovery_report scratch;
    auto fresh = segment::recover(*fs_, dir_, base, opts, scratch);
    if (!fresh) return fail(std::move(fresh).take_error());
    segments_[i] = std::move(*fresh);
    after += segments_[i]->size_bytes();
  }
  if (auto st = fs_->sync_directory(dir_); !st) return fail(std::move(st));
  if (auto st = write_checkpoint(swap.clean_end); !st) return fail(std::move(st));
  cleaned_offset_ = swap.clean_end;
  if (auto st = fs_->remove_all(join_path(dir_, commit_name)); !st) return fail(std::move(st));
  if (auto st = fs_->sync_directory(dir_); !st) return fail(std::move(st));
  return before - after;
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

#include "lkstream/group/offset_store.hpp"

#include <algorithm>
#include <cstdio>

#include "be_reader.hpp"
#include "lkstream/model/crc32c.hpp"

namespace lkstream::group {

namespace {

using detail::be_reader;

// Record framing, see offset_store.hpp: crc u32 | length u32 | type u8 | body.
constexpr size_t frame_bytes = 8;            // crc (4) + length (4)
constexpr uint8_t type_header = 1;
constexpr uint8_t type_commit = 2;
constexpr uint8_t type_delete_topic = 3;
constexpr uint8_t type_delete_partitions = 4;
constexpr uint16_t format_version = 1;
constexpr size_t snapshot_entries_per_record = 4096;
constexpr size_t max_escaped_name = 200;     // longer escaped names are shortened + hashed
constexpr size_t shortened_prefix = 150;
constexpr std::string_view log_suffix = ".log";
constexpr std::string_view compact_suffix = ".compact";

size_t begin_record(bytes& out, uint8_t type) {
  auto start = out.size();
  out.resize(start + frame_bytes);
  out.push_back(std::byte{type});
  return start;
}

void finish_record(bytes& out, size_t start) {
  auto length = static_cast<uint32_t>(out.size() - start - frame_bytes);
  model::store_be<uint32_t>(out.data() + start + 4, length);
  auto crc = model::crc32c(bytes_view(out.data() + start + 4, length + 4));
  model::store_be<uint32_t>(out.data() + start, crc);
}

void append_i32_bytes(bytes& out, std::string_view s) {
  model::append_be<int32_t>(out, static_cast<int32_t>(s.size()));
  auto b = as_bytes(s);
  out.insert(out.end(), b.begin(), b.end());
}

void append_header_record(bytes& out, const std::string& group) {
  auto start = begin_record(out, type_header);
  model::append_be<uint16_t>(out, format_version);
  append_i32_bytes(out, group);
  finish_record(out, start);
}

void append_entry(bytes& out, const topic_partition& tp, const committed_offset& c) {
  detail::append_string(out, tp.topic);
  model::append_be<int32_t>(out, tp.partition.value());
  model::append_be<int64_t>(out, c.offset);
  model::append_be<int32_t>(out, c.leader_epoch);
  model::append_be<int64_t>(out, c.commit_timestamp);
  append_i32_bytes(out, c.metadata);
}

size_t entry_bytes(const topic_partition& tp, const committed_offset& c) {
  return 2 + tp.topic.size() + 4 + 8 + 4 + 8 + 4 + c.metadata.size();
}

std::string read_i32_string(be_reader& in, const char* field) {
  auto b = in.read_bytes(field, false);
  return b ? std::string(as_string_view(*b)) : std::string{};
}

uint64_t fnv1a64(std::string_view s) {
  uint64_t h = 0xcbf29ce484222325ULL;
  for (unsigned char c : s) {
    h ^= c;
    h *= 0x100000001b3ULL;
  }
  return h;
}

bool keep_unescaped(unsigned char c, size_t pos) {
  if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) return true;
  if (c == '_' || c == '-') return true;
  return c == '.' && pos > 0;  // a leading '.' would make "." / ".." / hidden files
}

std::string escape(std::string_view group) {
  if (group.empty()) return "%";
  static constexpr char hex[] = "0123456789ABCDEF";
  std::string out;
  for (size_t i = 0; i < group.size(); ++i) {
    auto c = static_cast<unsigned char>(group[i]);
    if (keep_unescaped(c, i)) {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 0xf];
    }
  }
  return out;
}

std::optional<std::string> unescape(std::string_view s) {
  if (s == "%") return std::string{};
  auto hex_value = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '%') {
      out += s[i];
      continue;
    }
    if (i + 2 >= s.size()) return std::nullopt;
    int hi = hex_value(s[i + 1]), lo = hex_value(s[i + 2]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out += static_cast<char>(hi * 16 + lo);
    i += 2;
  }
  return out;
}

/// Reads a whole file into memory.
result<bytes> read_all(storage::file& f) {
  bytes data(f.size());
  size_t done = 0;
  while (done < data.size()) {
    LK_ASSIGN_OR_RETURN(auto n, f.read_at(done, mutable_bytes_view(data).subspan(done)));
    if (n == 0) break;  // shrank under us: keep what we got
    done += n;
  }
  data.resize(done);
  return data;
}

struct frame {
  enum kind_t { ok, torn, bad_crc, bad_length } kind;
  uint8_t type = 0;
  bytes_view body;
  size_t next = 0;  // position after the record (valid for ok and bad_crc)
  uint32_t length = 0;
};

/// Frames the record at `pos` (pos < data.size()).
frame read_frame(bytes_view data, size_t pos, uint32_t max_record_bytes) {
  frame f{};
  if (data.size() - pos < frame_bytes) {
    f.kind = frame::torn;
    return f;
  }
  auto crc = model::load_be<uint32_t>(data.data() + pos);
  f.length = model::load_be<uint32_t>(data.data() + pos + 4);
  if (f.length == 0 || f.length > max_record_bytes) {
    f.kind = frame::bad_length;
    return f;
  }
  if (data.size() - pos - frame_bytes < f.length) {
    f.kind = frame::torn;
    return f;
  }
  f.next = pos + frame_bytes + f.length;
  if (model::crc32c(data.subspan(pos + 4, f.length + 4)) != crc) {
    f.kind = frame::bad_crc;
    return f;
  }
  f.kind = frame::ok;
  f.type = static_cast<uint8_t>(data[pos + frame_bytes]);
  f.body = data.subspan(pos + frame_bytes + 1, f.length - 1);
  return f;
}

struct header_record {
  uint16_t format = 0;
  std::string group;
};

result<header_record> decode_header(bytes_view body) {
  be_reader in(body);
  header_record h;
  h.format = in.read<uint16_t>("header format");
  h.group = read_i32_string(in, "header group");
  if (!in.ok()) return error{errc::invalid_argument, in.problem()};
  return h;
}

}  // namespace

// ---- names ---------------------------------------------------------------------------------

std::string offset_store::file_name(std::string_view group) {
  auto escaped = escape(group);
  if (escaped.size() > max_escaped_name) {
    auto cut = shortened_prefix;
    // Do not cut inside a %XX escape.
    if (escaped[cut - 1] == '%') cut -= 1;
    else if (escaped[cut - 2] == '%') cut -= 2;
    char hash[17];
    std::snprintf(hash, sizeof(hash), "%016llx", static_cast<unsigned long long>(fnv1a64(group)));
    escaped = escaped.substr(0, cut) + "~" + hash;
  }
  return escaped + std::string(log_suffix);
}

std::optional<std::string> offset_store::group_from_file_name(std::string_view name) {
  if (name.size() <= log_suffix.size() || !name.ends_with(log_suffix)) return std::nullopt;
  auto stem = name.substr(0, name.size() - log_suffix.size());
  if (stem.find('~') != std::string_view::npos) return std::nullopt;
  auto group = unescape(stem);
  if (!group || file_name(*group) != name) return std::nullopt;  // only canonical names
  return group;
}

result<std::vector<std::string>> offset_store::list_groups(storage::file_system& fs,
                                                           const std::string& data_dir) {
  auto dir = storage::join_path(data_dir, std::string(directory_name));
  std::vector<std::string> groups;
  if (!fs.is_directory(dir)) return groups;
  LK_ASSIGN_OR_RETURN(auto names, fs.list(dir));
  for (const auto& name : names) {
    if (auto g = group_from_file_name(name)) {
      groups.push_back(std::move(*g));
      continue;
    }
    if (!name.ends_with(log_suffix) || name.find('~') == std::string::npos) continue;
    // A shortened name: the header record (the first one) names the group.
    auto f = fs.open(storage::join_path(dir, name), storage::open_mode::read_only);
    if (!f) continue;
    auto data = read_all(**f);
    if (!data || data->empty()) continue;
    auto fr = read_frame(*data, 0, offset_store_config{}.max_record_bytes);
    if (fr.kind != frame::ok || fr.type != type_header) continue;
    auto h = decode_header(fr.body);
    if (h && file_name(h->group) == name) groups.push_back(std::move(h->group));
  }
  std::sort(groups.begin(), groups.end());
  groups.erase(std::unique(groups.begin(), groups.end()), groups.end());
  return groups;
}

// ---- open and recovery ---------------------------------------------------------------------

offset_store::offset_store(std::shared_ptr<storage::file_system> fs, std::string dir,
                           std::string group, offset_store_config cfg)
    : fs_(std::move(fs)), dir_(std::move(dir)), group_(std::move(group)), cfg_(cfg) {
  path_ = storage::join_path(dir_, file_name(group_));
}

offset_store::~offset_store() = default;

result<std::unique_ptr<offset_store>> offset_store::open(std::shared_ptr<storage::file_system> fs,
                                                         const std::string& data_dir,
                                                         std::string group,
                                                         offset_store_config cfg) {
  auto dir = storage::join_path(data_dir, std::string(directory_name));
  std::unique_ptr<offset_store> store(
      new offset_store(std::move(fs), std::move(dir), std::move(group), cfg));
  LK_TRY_STATUS(store->recover());
  return store;
}

status offset_store::recover() {
  auto leftover = path_ + std::string(compact_suffix);
  if (fs_->exists(leftover)) LK_TRY_STATUS(fs_->remove_all(leftover));  // an interrupted compaction
  if (!fs_->exists(path_)) return ok();
  LK_ASSIGN_OR_RETURN(file_, fs_->open(path_, storage::open_mode::read_write));
  LK_ASSIGN_OR_RETURN(auto data, read_all(*file_));
  auto where = [&](size_t pos) { return " at byte " + std::to_string(pos) + " of " + path_; };
  size_t pos = 0;
  bool damaged = false;
  while (pos < data.size()) {
    auto fr = read_frame(data, pos, cfg_.max_record_bytes);
    if (fr.kind == frame::torn || fr.kind == frame::bad_length ||
        (fr.kind == frame::bad_crc && fr.next == data.size())) {
      const char* what = fr.kind == frame::torn       ? "torn record"
                         : fr.kind == frame::bad_crc ? "last record has a bad CRC"
                                                     : "impossible record length";
      recovery_.problems.push_back(std::string(what) + where(pos) + ": truncated " +
                                   std::to_string(data.size() - pos) + " bytes");
      recovery_.truncated_bytes = data.size() - pos;
      break;
    }
    if (fr.kind == frame::bad_crc) {
      recovery_.problems.push_back("record with a bad CRC" + where(pos) + " skipped (" +
                                   std::to_string(fr.length) + " bytes)");
      ++recovery_.skipped_records;
      damaged = true;
      pos = fr.next;
      continue;
    }
    be_reader in(fr.body);
    switch (fr.type) {
      case type_header: {
        auto h = decode_header(fr.body);
        if (!h) {
          in.fail("header", h.err().message);
          break;
        }
        if (h->format != format_version)
          return error{errc::unsupported, path_ + ": offset file format " +
                                              std::to_string(h->format) + " (this build reads " +
                                              std::to_string(format_version) + ")"};
        if (h->group != group_)
          return error{errc::invalid_argument,
                       path_ + " holds the offsets of group '" + h->group + "', not '" + group_ +
                           "'"};
        break;
      }
      case type_commit: {
        auto n = in.read_array_count("commit count", 30);
        std::vector<std::pair<topic_partition, committed_offset>> entries;
        for (size_t i = 0; i < n && in.ok(); ++i) {
          topic_partition tp;
          committed_offset c;
          tp.topic = in.read_string("commit topic", false).value_or("");
          tp.partition = partition_id{in.read<int32_t>("commit partition")};
          c.offset = in.read<int64_t>("commit offset");
          c.leader_epoch = in.read<int32_t>("commit leader_epoch");
          c.commit_timestamp = in.read<int64_t>("commit timestamp");
          c.metadata = read_i32_string(in, "commit metadata");
          entries.emplace_back(std::move(tp), std::move(c));
        }
        if (in.ok())
          for (auto& [tp, c] : entries) live_[tp] = std::move(c);
        break;
      }
      case type_delete_topic: {
        auto topic = in.read_string("delete topic", false).value_or("");
        if (in.ok()) std::erase_if(live_, [&](const auto& kv) { return kv.first.topic == topic; });
        break;
      }
      case type_delete_partitions: {
        auto n = in.read_array_count("delete count", 6);
        std::vector<topic_partition> tps;
        for (size_t i = 0; i < n && in.ok(); ++i) {
          topic_partition tp;
          tp.topic = in.read_string("delete topic", false).value_or("");
          tp.partition = partition_id{in.read<int32_t>("delete partition")};
          tps.push_back(std::move(tp));
        }
        if (in.ok())
          for (const auto& tp : tps) live_.erase(tp);
        break;
      }
      default:
        in.fail("record type", "unknown type " + std::to_string(fr.type));
    }
    if (!in.ok()) {
      recovery_.problems.push_back("undecodable record" + where(pos) + " skipped: " + in.problem());
      ++recovery_.skipped_records;
      damaged = true;
    } else {
      ++recovery_.records_replayed;
    }
    pos = fr.next;
  }
  file_size_ = data.size();
  if (recovery_.truncated_bytes > 0) {
    file_size_ = data.size() - recovery_.truncated_bytes;
    LK_TRY_STATUS(file_->truncate(file_size_));
    LK_TRY_STATUS(file_->sync());
  }
  durable_size_ = file_size_;
  if (damaged || should_compact()) {
    auto st = compact();
    if (st)
      recovery_.compacted = true;
    else
      recovery_.problems.push_back("compaction failed: " + st.err().to_string());
  }
  return ok();
}

// ---- writes --------------------------------------------------------------------------------

status offset_store::append_durably(const bytes& record) {
  auto before = file_size_;
  LK_TRY_STATUS(append_unsynced(record));
  if (auto st = file_->sync(); !st) {
    (void)file_->truncate(before);  // best effort: the caller reports the first error
    file_size_ = before;
    return st;
  }
  durable_size_ = file_size_;
  return ok();
}

status offset_store::append_unsynced(const bytes& record) {
  bytes data;
  if (!file_) {
    LK_TRY_STATUS(fs_->create_directories(dir_));
    auto existed = fs_->exists(path_);
    LK_ASSIGN_OR_RETURN(file_, fs_->open(path_, storage::open_mode::create));
    file_size_ = file_->size();
    if (!existed) {
      // Make the new directory entries durable (the file's, and the directory's own).
      auto parent = dir_.substr(0, dir_.rfind('/'));
      if (!parent.empty() && parent != dir_) LK_TRY_STATUS(fs_->sync_directory(parent));
      LK_TRY_STATUS(fs_->sync_directory(dir_));
    }
  }
  if (file_size_ == 0) append_header_record(data, group_);
  data.insert(data.end(), record.begin(), record.end());
  auto before = file_size_;
  if (auto st = file_->append(data); !st) {
    (void)file_->truncate(before);  // best effort: the caller reports the first error
    return st;
  }
  file_size_ = before + data.size();
  return ok();
}

status offset_store::commit(std::span<const offset_commit_partition> commits,
                            timestamp_ms now_ms) {
  if (commits.empty()) return ok();
  LK_ASSIGN_OR_RETURN(bytes record, commit_record(commits, now_ms));
  LK_TRY_STATUS(append_durably(record));
  for (const auto& c : commits) live_[c.tp] = {c.offset, c.leader_epoch, c.metadata, now_ms};
  maybe_compact();
  return ok();
}

result<uint64_t> offset_store::write_commit(std::span<const offset_commit_partition> commits,
                                            timestamp_ms now_ms) {
  if (!commits.empty()) {
    LK_ASSIGN_OR_RETURN(bytes record, commit_record(commits, now_ms));
    LK_TRY_STATUS(append_unsynced(record));
  }
  const uint64_t seq = next_seq_++;
  unpublished_.push_back({seq, {commits.begin(), commits.end()}, now_ms});
  return seq;
}

std::optional<offset_store::sync_job> offset_store::begin_sync() {
  if (sync_in_flight_ || unpublished_.empty()) return std::nullopt;
  sync_in_flight_ = true;
  job_size_ = file_size_;
  return sync_job{file_, unpublished_.back().seq};
}

offset_store::settled offset_store::end_sync(const sync_job& job, const status& outcome) {
  sync_in_flight_ = false;
  settled out{1, 0};
  if (unpublished_.empty()) return out;
  out.first = unpublished_.front().seq;
  if (outcome) {
    durable_size_ = std::max(durable_size_, job_size_);
    size_t n = 0;
    for (; n < unpublished_.size() && unpublished_[n].seq <= job.covers; ++n)
      for (const auto& c : unpublished_[n].commits)
        live_[c.tp] = {c.offset, c.leader_epoch, c.metadata, unpublished_[n].now_ms};
    out.last = n > 0 ? unpublished_[n - 1].seq : 0;
    unpublished_.erase(unpublished_.begin(), unpublished_.begin() + static_cast<std::ptrdiff_t>(n));
    maybe_compact();
    return out;
  }
  // Not durable: nothing unpublished may stay in the file (a later sync would make it durable
  // behind the back of callers that were told it failed).
  out.last = unpublished_.back().seq;
  unpublished_.clear();
  if (file_ && file_ == job.file && file_size_ > durable_size_) {
    (void)file_->truncate(durable_size_);  // best effort, as for a failed commit()
    file_size_ = durable_size_;
  }
  return out;
}

result<bytes> offset_store::commit_record(std::span<const offset_commit_partition> commits,
                                          timestamp_ms now_ms) const {
  bytes record;
  auto start = begin_record(record, type_commit);
  model::append_be<uint32_t>(record, static_cast<uint32_t>(commits.size()));
  for (const auto& c : commits) {
    if (c.tp.topic.size() > 32767)
      return error{errc::invalid_argument, "offset commit for group '" + group_ +
                                               "': topic name of " +
                                               std::to_string(c.tp.topic.size()) +
                                               " bytes is too long"};
    append_entry(record, c.tp, {c.offset, c.leader_epoch, c.metadata, now_ms});
  }
  finish_record(record, start);
  if (record.size() - frame_bytes > cfg_.max_record_bytes)
    return error{errc::message_too_large, "offset commit for group '" + group_ + "' of " +
                                              std::to_string(record.size()) +
                                              " bytes exceeds max_record_bytes"};
  return record;
}

result<size_t> offset_store::remove_topic(std::string_view topic) {
  auto n = std::count_if(live_.begin(), live_.end(),
                         [&](const auto& kv) { return kv.first.topic == topic; });
  bool in_unpublished = false;
  for (const auto& u : unpublished_)
    for (const auto& c : u.commits) in_unpublished |= c.tp.topic == topic;
  if (n == 0 && !in_unpublished) return size_t{0};
  bytes record;
  auto start = begin_record(record, type_delete_topic);
  detail::append_string(record, topic);
  finish_record(record, start);
  LK_TRY_STATUS(append_durably(record));
  std::erase_if(live_, [&](const auto& kv) { return kv.first.topic == topic; });
  // Unpublished commits precede the delete record in the file: they are deleted too.
  for (auto& u : unpublished_)
    std::erase_if(u.commits, [&](const auto& c) { return c.tp.topic == topic; });
  maybe_compact();
  return static_cast<size_t>(n);
}

result<size_t> offset_store::expire(timestamp_ms now_ms, int64_t retention_ms) {
  // A partition with a commit still in flight is not expired: that commit is newer.
  auto in_flight = [&](const topic_partition& tp) {
    for (const auto& u : unpublished_)
      for (const auto& c : u.commits)
        if (c.tp == tp) return true;
    return false;
  };
  std::vector<topic_partition> old;
  for (const auto& [tp, c] : live_)
    if (c.commit_timestamp <= now_ms - retention_ms && !in_flight(tp)) old.push_back(tp);
  return remove_partitions(old);
}

status offset_store::remove_file() {
  if (!unpublished_.empty() || sync_in_flight_)
    return error{errc::invalid_argument,
                 "group '" + group_ + "' has offset commits in flight; retry"};
  file_.reset();
  live_.clear();
  file_size_ = durable_size_ = job_size_ = 0;
  if (!fs_->exists(path_)) return ok();
  LK_TRY_STATUS(fs_->remove_all(path_));
  return fs_->sync_directory(dir_);
}

result<size_t> offset_store::remove_partitions(std::span<const topic_partition> partitions) {
  std::vector<topic_partition> old;
  size_t live = 0;
  for (const auto& tp : partitions) {
    if (std::find(old.begin(), old.end(), tp) != old.end()) continue;
    bool in_unpublished = false;
    for (const auto& u : unpublished_)
      for (const auto& c : u.commits) in_unpublished |= c.tp == tp;
    if (live_.count(tp)) ++live;
    if (live_.count(tp) || in_unpublished) old.push_back(tp);
  }
  if (old.empty()) return size_t{0};
  bytes record;
  auto start = begin_record(record, type_delete_partitions);
  model::append_be<uint32_t>(record, static_cast<uint32_t>(old.size()));
  for (const auto& tp : old) {
    detail::append_string(record, tp.topic);
    model::append_be<int32_t>(record, tp.partition.value());
  }
  finish_record(record, start);
  LK_TRY_STATUS(append_durably(record));
  for (const auto& tp : old) live_.erase(tp);
  // Unpublished commits precede the delete record in the file: they are deleted too.
  for (auto& u : unpublished_)
    std::erase_if(u.commits, [&](const auto& c) {
      return std::find(old.begin(), old.end(), c.tp) != old.end();
    });
  maybe_compact();
  return live;
}

const committed_offset* offset_store::find(const topic_partition& tp) const {
  auto i = live_.find(tp);
  return i == live_.end() ? nullptr : &i->second;
}

// ---- compaction ----------------------------------------------------------------------------

bool offset_store::should_compact() const {
  if (file_size_ < cfg_.compact_min_bytes || file_size_ == 0) return false;
  uint64_t live = frame_bytes + 1 + 2 + 4 + group_.size();  // header record
  size_t in_record = 0;
  for (const auto& [tp, c] : live_) {
    if (in_record++ % snapshot_entries_per_record == 0) live += frame_bytes + 1 + 4;
    live += entry_bytes(tp, c);
  }
  return static_cast<double>(file_size_) > cfg_.compact_ratio * static_cast<double>(live);
}

void offset_store::maybe_compact() {
  if (!unpublished_.empty() || sync_in_flight_ || !should_compact()) return;
  auto st = compact();
  last_compaction_error_ = st ? std::string{} : st.err().to_string();
}

status offset_store::compact() {
  if (!unpublished_.empty() || sync_in_flight_)
    return error{errc::invalid_argument, path_ + ": cannot compact while commits await their sync"};
  bytes content;
  append_header_record(content, group_);
  auto it = live_.begin();
  while (it != live_.end()) {
    auto start = begin_record(content, type_commit);
    auto count_pos = content.size();
    model::append_be<uint32_t>(content, 0);
    uint32_t n = 0;
    for (; it != live_.end() && n < snapshot_entries_per_record; ++it, ++n)
      append_entry(content, it->first, it->second);
    model::store_be<uint32_t>(content.data() + count_pos, n);
    finish_record(content, start);
  }
  auto tmp = path_ + std::string(compact_suffix);
  auto write_tmp = [&]() -> status {
    LK_TRY_STATUS(fs_->create_directories(dir_));
    LK_ASSIGN_OR_RETURN(auto f, fs_->open(tmp, storage::open_mode::create_truncate));
    LK_TRY_STATUS(f->append(content));
    return f->sync();
  };
  if (auto st = write_tmp(); !st) {
    (void)fs_->remove_all(tmp);
    return st;
  }
  LK_TRY_STATUS(fs_->rename(tmp, path_));
  // From here on the old handle points at an unlinked file: never append through it.
  file_.reset();
  file_size_ = content.size();
  LK_TRY_STATUS(fs_->sync_directory(dir_));
  LK_ASSIGN_OR_RETURN(file_, fs_->open(path_, storage::open_mode::read_write));
  file_size_ = file_->size();
  durable_size_ = file_size_;
  return ok();
}

}  // namespace lkstream::group

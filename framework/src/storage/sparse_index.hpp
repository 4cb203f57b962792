#pragma once
// A segment's sparse index (.index or .timeindex): all entries in memory, plus the file they
// are persisted to. Entries are appended in memory as batches are written and reach the file
// in one write per flush (roll, close, or every `flush_threshold` entries), so a batch
// append costs one write(2) for the log and nothing for the indexes. A crash may therefore lose
// index entries; recovery validates each index against the log and extends or rebuilds it.
// The file holds exactly the encoded entries (no preallocation, no header, no checksum).
//
// Traits supply `entry` (with operator==), `entry_size`, `encode(const entry&, std::byte*)`
// and `decode(const std::byte*)`. Single owner (the segment); not thread-safe.

#include <algorithm>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "lkstream/storage/file_system.hpp"

namespace lkstream::storage {

template <class Traits>
class sparse_index {
 public:
  using entry = typename Traits::entry;
  static constexpr size_t entry_size = Traits::entry_size;
  /// Pending entries that trigger a flush from the append path (4 KiB of entries or less).
  static constexpr size_t flush_threshold = 4096 / entry_size;

  explicit sparse_index(std::string path) : path_(std::move(path)) {}

  const std::string& path() const noexcept { return path_; }
  const std::vector<entry>& entries() const noexcept { return entries_; }
  bool empty() const noexcept { return entries_.empty(); }
  const entry& back() const { return entries_.back(); }
  void push_back(const entry& e) { entries_.push_back(e); }

  /// The last entry for which `pred` holds, where `pred` holds on a prefix of the entries
  /// (e.g. "relative_offset <= target"); nullptr if it holds for none.
  template <class Pred>
  const entry* last_where(Pred pred) const {
    auto it = std::partition_point(entries_.begin(), entries_.end(), pred);
    return it == entries_.begin() ? nullptr : &*(it - 1);
  }

  /// The entries stored in the file at `path`, or nullopt when the file is missing, unreadable
  /// or its size is not a multiple of entry_size (then it has to be rebuilt).
  static std::optional<std::vector<entry>> load(file_system& fs, const std::string& path) {
    if (!fs.exists(path)) return std::nullopt;
    auto f = fs.open(path, open_mode::read_only);
    if (!f) return std::nullopt;
    const uint64_t size = (*f)->size();
    if (size % entry_size != 0) return std::nullopt;
    bytes raw(size);
    auto n = (*f)->read_at(0, raw);
    if (!n || *n != size) return std::nullopt;
    std::vector<entry> out;
    out.reserve(size / entry_size);
    for (size_t pos = 0; pos < size; pos += entry_size) out.push_back(Traits::decode(&raw[pos]));
    return out;
  }

  /// Replaces the entries; the first `persisted` of them are already in the file.
  void assign(std::vector<entry> entries, size_t persisted) {
    entries_ = std::move(entries);
    persisted_ = std::min(persisted, entries_.size());
  }

  /// Declares the first `n` entries to be in the file already.
  void set_persisted(size_t n) noexcept { persisted_ = std::min(n, entries_.size()); }

  size_t pending() const noexcept { return entries_.size() - persisted_; }

  /// Empties (or creates) the file; every entry becomes pending.
  status create(file_system& fs) {
    file_.reset();
    LK_ASSIGN_OR_RETURN(file_, fs.open(path_, open_mode::create_truncate));
    file_->release_descriptor();  // written next at a flush: no descriptor held until then
    persisted_ = 0;
    dirty_ = true;
    return ok();
  }

  /// Writes the pending entries at the end of the file (opening it if released). On failure
  /// the file is cut back and the entries stay pending for the next flush.
  status flush(file_system& fs) {
    if (pending() == 0) return ok();
    if (!file_) {
      LK_ASSIGN_OR_RETURN(file_, fs.open(path_, open_mode::create));
    }
    bytes buf(pending() * entry_size);
    for (size_t i = persisted_; i < entries_.size(); ++i)
      Traits::encode(entries_[i], &buf[(i - persisted_) * entry_size]);
    const uint64_t before = persisted_ * entry_size;
    auto st = file_->write_at(before, buf);
    if (!st) {
      (void)file_->truncate(before);
      return st;
    }
    persisted_ = entries_.size();
    dirty_ = true;
    file_->release_descriptor();  // a budgeted file system closes it until the next flush
    return ok();
  }

  /// fdatasync of the file if it was written since the last sync.
  status sync() {
    if (!file_ || !dirty_) return ok();
    LK_TRY_STATUS(file_->sync());
    dirty_ = false;
    return ok();
  }

  /// Closes the file handle; the entries stay in memory, later flushes reopen it.
  void release() noexcept {
    file_.reset();
    dirty_ = false;
  }

 private:
  std::string path_;
  std::vector<entry> entries_;
  size_t persisted_ = 0;
  std::unique_ptr<file> file_;
  bool dirty_ = false;  // written since the last sync
};

}  // namespace lkstream::storage

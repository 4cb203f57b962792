#pragma once
// A descriptor budget for the storage engine (issue 23, item 1): a file_system decorator that
// keeps at most `max_open_files` files of the file system below open at once, in the manner of
// LevelDB's table cache, for every segment and index file of every partition.
//
// A file handed out by open() stays valid however many there are. Its descriptor is opened at
// open() (so errors and create/truncate happen there), closed when the budget needs room
// (least recently used first, about an eighth of the budget at a time so that a full cache
// does not scan per open), when it was idle for `idle_close_ms` (close_idle(), called
// periodically by the engine, and from open() at most every quarter of that interval), or when
// its owner says it is done with it for now (file::release_descriptor(), the index files after
// each flush); the next use reopens it, read/write unless it was opened read_only.
//
// Files are reopened by path, so a file handed out is usable only while its path names it:
// the storage engine closes a file before renaming or removing it. The file must still be the
// one opened (same file_identity, e.g. device and inode): a file removed or replaced (renamed
// over) while its descriptor was closed answers an error naming the path, never the other
// file's bytes. Data written before the descriptor closed is
// in the page cache and a later sync() through the new descriptor makes it durable (fdatasync
// acts on the inode; Linux reports a writeback error nobody has seen to the next opener).
//
// A descriptor in use (an operation running on it, e.g. a sync on the sync thread) is never
// closed. If every open descriptor is in use when another is needed, the budget is exceeded
// for as long as that lasts (counted in stats().over_budget): by at most the number of threads
// doing I/O at that moment.
//
// Threading: like any file_system, usable from any thread; each file by one owner thread at a
// time, except that sync() may run on another thread concurrently with the owner's writes.
// Costs per operation: two uncontended mutex round trips and a coarse clock read; a reopen
// costs an open(2) and an fstat(2).

#include <cstdint>
#include <functional>
#include <memory>

#include "lkstream/storage/file_system.hpp"

namespace lkstream::storage {

struct file_cache_options {
  uint64_t max_open_files = 1000;  // >= 1: descriptors of the file system below open at once
  int64_t idle_close_ms = 60'000;  // > 0: a descriptor unused this long is closed
  /// Milliseconds of a monotonic clock; default CLOCK_MONOTONIC_COARSE. Tests inject one.
  std::function<int64_t()> now_ms;
};

struct file_cache_stats {
  uint64_t max_open_files = 0;
  uint64_t open_descriptors = 0;  // of the file system below, open now
  uint64_t files = 0;             // files handed out and not yet destroyed
  uint64_t opens = 0;             // descriptors opened: by open() and by reopens
  uint64_t reopens = 0;           // of them, to use a file whose descriptor had been closed
  uint64_t evictions = 0;         // closed to make room within the budget
  uint64_t idle_closes = 0;       // closed after idle_close_ms without use
  uint64_t over_budget = 0;       // opened beyond the budget because all others were in use
};

class file_cache final : public file_system {
 public:
  /// invalid_argument for max_open_files == 0 or idle_close_ms <= 0.
  static result<std::shared_ptr<file_cache>> make(std::shared_ptr<file_system> below,
                                                  file_cache_options options);
  ~file_cache() override;

  result<std::unique_ptr<file>> open(const std::string& path, open_mode mode) override;
  status create_directories(const std::string& path) override;
  result<std::vector<std::string>> list(const std::string& dir) override;
  bool exists(const std::string& path) override;
  bool is_directory(const std::string& path) override;
  status remove_all(const std::string& path) override;
  status rename(const std::string& from, const std::string& to) override;
  status sync_directory(const std::string& dir) override;
  result<std::unique_ptr<file_lock>> lock(const std::string& path) override;

  /// Closes every descriptor not used for idle_close_ms and not in use; returns how many.
  uint64_t close_idle();

  file_cache_stats stats() const;
  uint64_t max_open_files() const noexcept;

  struct state;  // shared with the files handed out, which may outlive the cache

 private:
  file_cache(std::shared_ptr<file_system> below, file_cache_options options);
  std::shared_ptr<state> state_;
};

}  // namespace lkstream::storage

#pragma once
// All file access of the storage engine goes through this interface (LevelDB's Env, narrowed
// to what an append-only log needs). Two implementations: posix_file_system for production and
// memory_file_system for tests, which injects short writes, torn tails, flipped bits, ENOSPC
// and crashes (losing what was not synced).
//
// Threading: a file_system may be used from several threads; a single file object is used by
// one thread at a time (its owner, e.g. one partition actor).
// Errors: never thrown. io_error / no_space carry the path and the OS reason in the message.

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "lkstream/base/result.hpp"
#include "lkstream/base/types.hpp"

namespace lkstream::storage {

/// What a file is, independent of its name (device and inode for POSIX): a file reopened by
/// path is the same file iff its identity is equal. Both zero: unknown.
struct file_identity {
  uint64_t device = 0;
  uint64_t inode = 0;
  bool known() const noexcept { return device != 0 || inode != 0; }
  friend bool operator==(const file_identity&, const file_identity&) = default;
};

/// An open file. Writes go to the end (append) or to a position (pwrite); reads are
/// positional and never move the append position.
class file {
 public:
  virtual ~file() = default;

  /// Appends all of `data` at the end of the file. On failure (including a short write that
  /// could not be completed) returns the error; the caller must then truncate back to the size
  /// it knew, since a prefix of `data` may have reached the file.
  virtual status append(bytes_view data) = 0;

  /// Writes `data` at `pos` (used for index files). Same failure contract as append.
  virtual status write_at(uint64_t pos, bytes_view data) = 0;

  /// Reads up to out.size() bytes at `pos`; returns the number read (0 at end of file).
  virtual result<size_t> read_at(uint64_t pos, mutable_bytes_view out) const = 0;

  /// Current size in bytes, including unsynced writes.
  virtual uint64_t size() const = 0;

  /// Makes every write so far durable (fdatasync). Unlike the other members, sync() may run on
  /// another thread while the owner keeps appending (the offset store syncs on a dedicated
  /// thread); it then covers at least every write that completed before it was called.
  virtual status sync() = 0;

  /// Cuts or extends the file to `size` bytes.
  virtual status truncate(uint64_t size) = 0;

  virtual const std::string& path() const = 0;

  virtual file_identity identity() const { return {}; }

  /// A hint from the owner: it does not expect to use this file soon (an index file after a
  /// flush). A file system that budgets descriptors (file_cache.hpp) may close the descriptor
  /// now; the file stays valid and its next use reopens it. No effect elsewhere.
  virtual void release_descriptor() noexcept {}
};

/// An exclusive advisory lock on a file (flock). Released when destroyed.
class file_lock {
 public:
  virtual ~file_lock() = default;
};

enum class open_mode : uint8_t {
  read_only,       // must exist
  read_write,      // must exist
  create,          // read/write, created if missing, kept if present
  create_truncate, // read/write, created or emptied
};

class file_system {
 public:
  virtual ~file_system() = default;

  virtual result<std::unique_ptr<file>> open(const std::string& path, open_mode mode) = 0;

  /// Creates the directory and its parents; ok if it exists.
  virtual status create_directories(const std::string& path) = 0;

  /// Names (not paths) of the entries of a directory, sorted.
  virtual result<std::vector<std::string>> list(const std::string& dir) = 0;

  virtual bool exists(const std::string& path) = 0;
  virtual bool is_directory(const std::string& path) = 0;

  /// Removes a file, or a directory with everything below it.
  virtual status remove_all(const std::string& path) = 0;

  /// Atomically replaces `to` with `from` (rename(2)).
  virtual status rename(const std::string& from, const std::string& to) = 0;

  /// Makes directory entries (created, renamed, removed files) durable (fsync on the dir).
  virtual status sync_directory(const std::string& dir) = 0;

  /// Takes an exclusive lock on `path` (created if missing) and writes the caller's pid into
  /// it. If another process holds it: data_dir_locked, naming the path and the holder's pid.
  virtual result<std::unique_ptr<file_lock>> lock(const std::string& path) = 0;
};

/// The process-wide POSIX implementation.
std::shared_ptr<file_system> make_posix_file_system();

/// "dir/name" without doubling the slash.
std::string join_path(const std::string& dir, const std::string& name);

}  // namespace lkstream::storage

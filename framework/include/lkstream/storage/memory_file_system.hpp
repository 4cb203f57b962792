#pragma once
// An in-memory file_system for tests, with fault injection as one-line setups:
//
//   fs.fail_next_append(errc::no_space);      // the next write fails, nothing reaches the file
//   fs.short_write_next(10);                  // the next write stores 10 bytes, then io_error
//   fs.fail_next_sync(errc::io_error);        // the next sync() fails
//   fs.fail_next_open(errc::io_error);        // the next open() fails
//   fs.flip_bit(path, 100, 3);                // on-"disk" corruption
//   fs.truncate_file(path, 50);               // cut a file behind the engine's back
//   fs.append_raw(path, garbage);             // a garbage tail
//   fs.crash();                               // power loss: unsynced bytes are gone
//   fs.crash(7);                              // ... except a torn 7-byte prefix of them
//   fs.kill_after_mutations(12);              // the process "dies" before its 13th mutation
//
// "Write" means file::append and file::write_at. A fault may be limited to paths containing a
// substring (e.g. ".index"); otherwise it hits the next write/sync on any file. Each fault fires
// once, in the order they were set up.
//
// Durability model: every file tracks the prefix length known durable (advanced by sync(),
// lowered by truncation or by an overwrite inside it). crash() cuts every file back to that
// length (plus the optional torn prefix) and releases all locks, as if the process died. Not
// modelled: directory entries are durable at once (sync_directory only checks the directory).
// Faults set up with flip_bit/truncate_file/append_raw act on the durable state directly.
//
// Paths behave like POSIX ones: opening a file needs its parent directory to exist, open
// handles survive remove_all/rename of their file (like an unlinked inode), and lock() fails
// with data_dir_locked while another lock() on the same path is held (also within the process).
//
// Threading: every member, and every file it hands out, may be used from any thread (one mutex).

#include <optional>

#include "lkstream/storage/file_system.hpp"

namespace lkstream::storage {

struct memory_fs_state;

class memory_file_system final : public file_system {
 public:
  memory_file_system();
  ~memory_file_system() override;

  memory_file_system(const memory_file_system&) = delete;
  memory_file_system& operator=(const memory_file_system&) = delete;

  result<std::unique_ptr<file>> open(const std::string& path, open_mode mode) override;
  status create_directories(const std::string& path) override;
  result<std::vector<std::string>> list(const std::string& dir) override;
  bool exists(const std::string& path) override;
  bool is_directory(const std::string& path) override;
  status remove_all(const std::string& path) override;
  status rename(const std::string& from, const std::string& to) override;
  status sync_directory(const std::string& dir) override;
  result<std::unique_ptr<file_lock>> lock(const std::string& path) override;

  // Fault injection. `path_contains` empty = any file.
  void fail_next_append(errc code, std::string path_contains = {});
  void short_write_next(size_t n_bytes, std::string path_contains = {});
  void fail_next_sync(errc code, std::string path_contains = {});
  /// The next open() (of a path containing `path_contains`) fails, e.g. with
  /// errc::too_many_open_files as if descriptors had run out.
  void fail_next_open(errc code, std::string path_contains = {});

  /// Lets `n` more mutations (writes, syncs, truncations, file creations, renames, removals,
  /// directory syncs) succeed, then fails every later one with io_error "process killed", as
  /// if the process died there; crash() then models the power loss. nullopt lifts the limit.
  /// Counting the mutations of a run (mutation_count) and killing it at each, one by one,
  /// proves a multi-step operation crash-safe.
  void kill_after_mutations(std::optional<uint64_t> n);
  uint64_t mutation_count() const;

  // Direct changes to the stored bytes (invalid_argument if the file or position is missing).
  status flip_bit(const std::string& path, uint64_t byte_pos, unsigned bit);
  status truncate_file(const std::string& path, uint64_t size);
  status append_raw(const std::string& path, bytes_view data);

  /// Power loss: each file keeps its synced prefix plus up to `keep_unsynced_prefix_bytes` of
  /// what followed; locks are released. Handles opened before stay usable (tests drop them).
  void crash(uint64_t keep_unsynced_prefix_bytes = 0);

  // Inspection.
  std::optional<bytes> contents(const std::string& path) const;
  std::optional<uint64_t> file_size(const std::string& path) const;
  uint64_t sync_count() const;  // successful file syncs so far
  uint64_t open_handles() const;  // files handed out and not yet destroyed ("descriptors")

 private:
  std::shared_ptr<memory_fs_state> state_;
};

}  // namespace lkstream::storage

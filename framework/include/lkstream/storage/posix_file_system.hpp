#pragma once
// The production file_system: plain POSIX calls on local paths.
//
// - Files are opened with O_CLOEXEC. Writes are pwrite(2) loops (EINTR retried, short writes
//   completed); sync() is fdatasync(2); directory entries are made durable with fsync(2) on the
//   directory (sync_directory).
// - Errors: ENOSPC and EDQUOT become errc::no_space, ENOENT errc::not_found, every other errno
//   errc::io_error; the message is "<operation> <path>: <strerror>".
// - lock(path) is flock(LOCK_EX | LOCK_NB) on `path`, which then holds the holder's pid. flock
//   locks belong to an open file description, so a second lock() on the same path fails even
//   within one process (data_dir_locked, naming the path and the pid read from the file). The
//   lock is released when the returned object is destroyed (or the process dies).
//
// Threading: stateless; any thread may call any member. Obtain it with make_posix_file_system()
// (file_system.hpp); the class is public so tests can name it.

#include "lkstream/storage/file_system.hpp"

namespace lkstream::storage {

class posix_file_system final : public file_system {
 public:
  result<std::unique_ptr<file>> open(const std::string& path, open_mode mode) override;
  status create_directories(const std::string& path) override;
  result<std::vector<std::string>> list(const std::string& dir) override;
  bool exists(const std::string& path) override;
  bool is_directory(const std::string& path) override;
  status remove_all(const std::string& path) override;
  status rename(const std::string& from, const std::string& to) override;
  status sync_directory(const std::string& dir) override;
  result<std::unique_ptr<file_lock>> lock(const std::string& path) override;
};

}  // namespace lkstream::storage

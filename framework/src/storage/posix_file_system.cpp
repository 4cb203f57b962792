#include "lkstream/storage/posix_file_system.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <filesystem>

#include "os_error.hpp"
#include "posix_file.hpp"

namespace lkstream::storage {

namespace {

// Holds the flock'ed descriptor; closing it releases the lock.
class posix_file_lock final : public file_lock {
 public:
  explicit posix_file_lock(int fd) noexcept : fd_(fd) {}
  ~posix_file_lock() override { ::close(fd_); }

 private:
  int fd_;
};

int open_flags(open_mode mode) {
  switch (mode) {
    case open_mode::read_only: return O_RDONLY;
    case open_mode::read_write: return O_RDWR;
    case open_mode::create: return O_RDWR | O_CREAT;
    case open_mode::create_truncate: return O_RDWR | O_CREAT | O_TRUNC;
  }
  return O_RDONLY;
}

int open_retrying(const char* path, int flags, mode_t perms = 0644) {
  int fd;
  do {
    fd = ::open(path, flags | O_CLOEXEC, perms);
  } while (fd < 0 && errno == EINTR);
  return fd;
}

// The pid a lock holder wrote into its lock file, or "unknown" if it is not readable yet.
std::string read_holder_pid(const std::string& path) {
  int fd = open_retrying(path.c_str(), O_RDONLY);
  if (fd < 0) return "unknown";
  char buf[32];
  ssize_t n = ::pread(fd, buf, sizeof(buf), 0);
  ::close(fd);
  long pid = 0;
  if (n <= 0 || std::from_chars(buf, buf + n, pid).ec != std::errc{} || pid <= 0)
    return "unknown";
  return std::to_string(pid);
}

}  // namespace

result<std::unique_ptr<file>> posix_file_system::open(const std::string& path, open_mode mode) {
  int fd = open_retrying(path.c_str(), open_flags(mode));
  if (fd < 0) return os_error(errno, "open", path);
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    int err = errno;
    ::close(fd);
    return os_error(err, "fstat", path);
  }
  if (S_ISDIR(st.st_mode)) {
    ::close(fd);
    return error{errc::io_error, "open " + path + ": is a directory"};
  }
  return std::unique_ptr<file>(
      std::make_unique<posix_file>(fd, path, static_cast<uint64_t>(st.st_size),
                                   file_identity{static_cast<uint64_t>(st.st_dev),
                                                 static_cast<uint64_t>(st.st_ino)}));
}

status posix_file_system::create_directories(const std::string& path) {
  if (path.empty()) return ok();
  // mkdir each prefix ending at a '/', then the whole path.
  for (size_t i = 1; i <= path.size(); ++i) {
    if (i != path.size() && path[i] != '/') continue;
    std::string prefix = path.substr(0, i);
    if (::mkdir(prefix.c_str(), 0755) == 0 || errno == EEXIST) continue;
    return os_error(errno, "mkdir", prefix);
  }
  if (!is_directory(path))
    return error{errc::io_error, "create_directories " + path + ": exists and is not a directory"};
  return ok();
}

result<std::vector<std::string>> posix_file_system::list(const std::string& dir) {
  DIR* d = ::opendir(dir.c_str());
  if (!d) return os_error(errno, "opendir", dir);
  std::vector<std::string> names;
  errno = 0;
  while (dirent* e = ::readdir(d)) {
    std::string_view name(e->d_name);
    if (name != "." && name != "..") names.emplace_back(name);
  }
  int err = errno;
  ::closedir(d);
  if (err != 0) return os_error(err, "readdir", dir);
  std::sort(names.begin(), names.end());
  return names;
}

bool posix_file_system::exists(const std::string& path) {
  struct stat st {};
  return ::lstat(path.c_str(), &st) == 0;
}

bool posix_file_system::is_directory(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

status posix_file_system::remove_all(const std::string& path) {
  std::error_code ec;
  std::filesystem::remove_all(path, ec);
  if (ec) return os_error(ec.value(), "remove_all", path);
  return ok();
}

status posix_file_system::rename(const std::string& from, const std::string& to) {
  if (::rename(from.c_str(), to.c_str()) != 0)
    return os_error(errno, "rename", from + " -> " + to);
  return ok();
}

status posix_file_system::sync_directory(const std::string& dir) {
  int fd = open_retrying(dir.c_str(), O_RDONLY | O_DIRECTORY);
  if (fd < 0) return os_error(errno, "open directory", dir);
  int rc;
  do {
    rc = ::fsync(fd);
  } while (rc != 0 && errno == EINTR);
  int err = errno;
  ::close(fd);
  if (rc != 0) return os_error(err, "fsync directory", dir);
  return ok();
}

result<std::unique_ptr<file_lock>> posix_file_system::lock(const std::string& path) {
  int fd = open_retrying(path.c_str(), O_RDWR | O_CREAT);
  if (fd < 0) return os_error(errno, "open lock file", path);
  int rc;
  do {
    rc = ::flock(fd, LOCK_EX | LOCK_NB);
  } while (rc != 0 && errno == EINTR);
  if (rc != 0) {
    int err = errno;
    ::close(fd);
    if (err == EWOULDBLOCK)
      return error{errc::data_dir_locked,
                   path + " is locked by pid " + read_holder_pid(path) +
                       " (another lkstream instance uses this data directory)"};
    return os_error(err, "flock", path);
  }
  std::string pid = std::to_string(::getpid()) + "\n";
  int write_fd = ::dup(fd);
  if (write_fd < 0) {
    int err = errno;
    ::close(fd);
    return os_error(err, "dup", path);
  }
  posix_file writer(write_fd, path, 0, {});  // closes write_fd; the lock stays with fd
  auto st = writer.truncate(0);
  if (st) st = writer.write_at(0, as_bytes(pid));
  if (!st) {
    ::close(fd);
    return std::move(st).take_error();
  }
  return std::unique_ptr<file_lock>(std::make_unique<posix_file_lock>(fd));
}

std::shared_ptr<file_system> make_posix_file_system() {
  static const std::shared_ptr<file_system> instance = std::make_shared<posix_file_system>();
  return instance;
}

}  // namespace lkstream::storage

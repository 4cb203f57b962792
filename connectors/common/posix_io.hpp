#pragma once
// Small POSIX file helpers shared by the file connectors (file_sink, file_source). Header-only.
// Every failure is a retryable plugin::status naming the path and the OS reason.

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <string_view>

#include "lkstream/plugin/sdk.hpp"

namespace lkstream::connectors {

inline plugin::status os_error(std::string_view what, const std::string& path, int err = errno) {
  return plugin::retry(std::string(what) + " " + path + ": " + std::strerror(err));
}

/// The directory part of a path ("." for a bare name).
inline std::string parent_dir(const std::string& path) {
  auto slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : path.substr(0, slash);
}

/// Writes all of `data`, retrying short writes and EINTR.
inline plugin::status write_all(int fd, std::string_view data, const std::string& path) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return os_error("cannot write", path);
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
  return plugin::ok();
}

/// Makes a rename or file creation in `dir` durable.
inline plugin::status sync_dir(const std::string& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return os_error("cannot open directory", dir);
  int rc = ::fsync(fd);
  int err = errno;
  ::close(fd);
  return rc == 0 ? plugin::ok() : os_error("cannot fsync directory", dir, err);
}

/// Replaces `path` with `content` so that a crash leaves the old or the new content, never a
/// mix: write a temporary file beside it, fsync it, rename it over `path`, fsync the directory.
inline plugin::status write_file_atomically(const std::string& path, std::string_view content) {
  const std::string tmp = path + ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return os_error("cannot create", tmp);
  auto st = write_all(fd, content, tmp);
  if (st.ok() && ::fdatasync(fd) != 0) st = os_error("cannot fsync", tmp);
  ::close(fd);
  if (!st.ok()) return st;
  if (::rename(tmp.c_str(), path.c_str()) != 0) return os_error("cannot rename " + tmp + " to", path);
  return sync_dir(parent_dir(path));
}

}  // namespace lkstream::connectors

#include "posix_file.hpp"

#include <unistd.h>

#include <algorithm>

#include "lkstream/metrics/histogram.hpp"
#include "os_error.hpp"

namespace lkstream::storage {

posix_file::posix_file(int fd, std::string path, uint64_t size, file_identity id) noexcept
    : fd_(fd), path_(std::move(path)), size_(size), id_(id) {}

posix_file::~posix_file() {
  if (fd_ >= 0) ::close(fd_);
}

status posix_file::append(bytes_view data) {
  return write_at(size_, data);
}

status posix_file::write_at(uint64_t pos, bytes_view data) {
  size_t done = 0;
  while (done < data.size()) {
    ssize_t n = ::pwrite(fd_, data.data() + done, data.size() - done,
                         static_cast<off_t>(pos + done));
    if (n < 0) {
      if (errno == EINTR) continue;
      int err = errno;
      size_ = std::max(size_, pos + done);
      return os_error(err, "pwrite", path_);
    }
    if (n == 0) {
      size_ = std::max(size_, pos + done);
      return error{errc::io_error, "pwrite " + path_ + ": wrote 0 bytes"};
    }
    done += static_cast<size_t>(n);
  }
  size_ = std::max(size_, pos + done);
  return ok();
}

result<size_t> posix_file::read_at(uint64_t pos, mutable_bytes_view out) const {
  size_t done = 0;
  while (done < out.size()) {
    ssize_t n = ::pread(fd_, out.data() + done, out.size() - done, static_cast<off_t>(pos + done));
    if (n < 0) {
      if (errno == EINTR) continue;
      return os_error(errno, "pread", path_);
    }
    if (n == 0) break;
    done += static_cast<size_t>(n);
  }
  return done;
}

status posix_file::sync() {
  const auto started = std::chrono::steady_clock::now();  // lkstream_storage_fsync_seconds
  while (::fdatasync(fd_) != 0) {
    if (errno != EINTR) return os_error(errno, "fdatasync", path_);
  }
  metrics::fsync_latency().observe(std::chrono::steady_clock::now() - started);
  return ok();
}

status posix_file::truncate(uint64_t size) {
  while (::ftruncate(fd_, static_cast<off_t>(size)) != 0) {
    if (errno != EINTR) return os_error(errno, "ftruncate", path_);
  }
  size_ = size;
  return ok();
}

}  // namespace lkstream::storage

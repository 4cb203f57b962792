#pragma once
// An open POSIX file descriptor behind the `file` interface. Appends are pwrite(2) at the
// tracked end of file (no O_APPEND): the owner is the only writer, and a failed append that the
// owner truncates back leaves no hole. Every loop retries EINTR and completes short writes.

#include <string>

#include "lkstream/storage/file_system.hpp"

namespace lkstream::storage {

class posix_file final : public file {
 public:
  /// Takes ownership of `fd`; `size` is the file size at open time, `id` its device and inode.
  posix_file(int fd, std::string path, uint64_t size, file_identity id) noexcept;
  ~posix_file() override;

  posix_file(const posix_file&) = delete;
  posix_file& operator=(const posix_file&) = delete;

  status append(bytes_view data) override;
  status write_at(uint64_t pos, bytes_view data) override;
  result<size_t> read_at(uint64_t pos, mutable_bytes_view out) const override;
  uint64_t size() const override { return size_; }
  status sync() override;
  status truncate(uint64_t size) override;
  const std::string& path() const override { return path_; }
  file_identity identity() const override { return id_; }

 private:
  int fd_;
  std::string path_;
  uint64_t size_;
  file_identity id_;
};

}  // namespace lkstream::storage

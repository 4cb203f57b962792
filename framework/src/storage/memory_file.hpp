#pragma once
// A handle on one memory_node of a memory_file_system. Applies the file system's injected
// faults to its writes and syncs.

#include <memory>
#include <string>

#include "lkstream/storage/file_system.hpp"
#include "memory_fs_state.hpp"

namespace lkstream::storage {

class memory_file final : public file {
 public:
  memory_file(std::shared_ptr<memory_fs_state> state, std::shared_ptr<memory_node> node,
              std::string path, bool writable);
  ~memory_file() override;

  status append(bytes_view data) override;
  status write_at(uint64_t pos, bytes_view data) override;
  result<size_t> read_at(uint64_t pos, mutable_bytes_view out) const override;
  uint64_t size() const override;
  status sync() override;
  status truncate(uint64_t size) override;
  const std::string& path() const override { return path_; }
  file_identity identity() const override;

 private:
  status write_locked(uint64_t pos, bytes_view data);  // requires state_->mutex

  std::shared_ptr<memory_fs_state> state_;
  std::shared_ptr<memory_node> node_;
  std::string path_;
  bool writable_;
};

}  // namespace lkstream::storage

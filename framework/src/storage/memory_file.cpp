#include "memory_file.hpp"

#include <algorithm>
#include <cstring>

namespace lkstream::storage {

memory_file::memory_file(std::shared_ptr<memory_fs_state> state,
                         std::shared_ptr<memory_node> node, std::string path, bool writable)
    : state_(std::move(state)), node_(std::move(node)), path_(std::move(path)),
      writable_(writable) {}  // memory_file_system::open counted it under the state's mutex

memory_file::~memory_file() {
  std::lock_guard guard(state_->mutex);
  --state_->open_handles;
}

file_identity memory_file::identity() const {
  return {1, node_->id};  // one node per file, numbered at creation: its inode
}

status memory_file::append(bytes_view data) {
  std::lock_guard guard(state_->mutex);
  return write_locked(node_->data.size(), data);
}

status memory_file::write_at(uint64_t pos, bytes_view data) {
  std::lock_guard guard(state_->mutex);
  return write_locked(pos, data);
}

status memory_file::write_locked(uint64_t pos, bytes_view data) {
  if (!writable_) return error{errc::io_error, "pwrite " + path_ + ": Bad file descriptor"};
  if (auto dead = state_->mutate("pwrite " + path_)) return *dead;
  size_t n = data.size();
  std::optional<error> failure;
  if (auto fault = state_->take_fault(memory_fault::kind::fail_write, path_)) {
    if (fault->what == memory_fault::kind::short_write) {
      n = std::min(n, fault->keep_bytes);
      failure = error{errc::io_error, "pwrite " + path_ + ": short write (injected)"};
    } else {
      n = 0;
      failure = error{fault->code, "pwrite " + path_ + ": " +
                                       std::string(to_string(fault->code)) + " (injected)"};
    }
  }
  bytes& d = node_->data;
  if (n > 0) {
    if (d.size() < pos + n) d.resize(pos + n);
    std::memcpy(d.data() + pos, data.data(), n);
    node_->synced = std::min(node_->synced, pos);  // an overwrite is not durable until synced
  }
  if (failure) return *failure;
  return ok();
}

result<size_t> memory_file::read_at(uint64_t pos, mutable_bytes_view out) const {
  std::lock_guard guard(state_->mutex);
  const bytes& d = node_->data;
  if (pos >= d.size()) return size_t{0};
  size_t n = std::min<size_t>(out.size(), d.size() - pos);
  std::memcpy(out.data(), d.data() + pos, n);
  return n;
}

uint64_t memory_file::size() const {
  std::lock_guard guard(state_->mutex);
  return node_->data.size();
}

status memory_file::sync() {
  std::lock_guard guard(state_->mutex);
  if (auto dead = state_->mutate("fdatasync " + path_)) return *dead;
  if (auto fault = state_->take_fault(memory_fault::kind::fail_sync, path_))
    return error{fault->code, "fdatasync " + path_ + ": " + std::string(to_string(fault->code)) +
                                  " (injected)"};
  node_->synced = node_->data.size();
  ++state_->sync_count;
  return ok();
}

status memory_file::truncate(uint64_t size) {
  std::lock_guard guard(state_->mutex);
  if (!writable_) return error{errc::io_error, "ftruncate " + path_ + ": Bad file descriptor"};
  if (auto dead = state_->mutate("ftruncate " + path_)) return *dead;
  node_->data.resize(size);
  node_->synced = std::min(node_->synced, size);
  return ok();
}

}  // namespace lkstream::storage

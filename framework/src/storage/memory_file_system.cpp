#include "lkstream/storage/memory_file_system.hpp"

#include <unistd.h>

#include <algorithm>

#include "memory_file.hpp"

namespace lkstream::storage {

namespace {

// "a//b/" -> "a/b"; "/" stays "/".
std::string normalize(const std::string& path) {
  std::string out;
  out.reserve(path.size());
  for (char c : path) {
    if (c == '/' && !out.empty() && out.back() == '/') continue;
    out += c;
  }
  while (out.size() > 1 && out.back() == '/') out.pop_back();
  return out;
}

// Parent of a normalized path: "" for a relative single name, "/" for a top-level entry.
std::string parent_of(const std::string& path) {
  auto slash = path.rfind('/');
  if (slash == std::string::npos) return {};
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

std::string name_of(const std::string& path) {
  auto slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

bool is_below(const std::string& path, const std::string& dir) {
  if (dir == "/") return path.size() > 1 && path[0] == '/';
  return path.size() > dir.size() && path.compare(0, dir.size(), dir) == 0 &&
         path[dir.size()] == '/';
}

bool dir_exists(const memory_fs_state& s, const std::string& dir) {
  return dir.empty() || dir == "/" || s.dirs.contains(dir);
}

error missing_parent(std::string_view op, const std::string& path) {
  return {errc::not_found, std::string(op) + " " + path + ": No such file or directory"};
}

// Releases an in-process lock; a crash() in between may have released it already.
class memory_file_lock final : public file_lock {
 public:
  memory_file_lock(std::weak_ptr<memory_fs_state> state, std::string path, uint64_t token)
      : state_(std::move(state)), path_(std::move(path)), token_(token) {}
  ~memory_file_lock() override {
    auto s = state_.lock();
    if (!s) return;
    std::lock_guard guard(s->mutex);
    auto it = s->locks.find(path_);
    if (it != s->locks.end() && it->second == token_) s->locks.erase(it);
  }

 private:
  std::weak_ptr<memory_fs_state> state_;
  std::string path_;
  uint64_t token_;
};

}  // namespace

memory_file_system::memory_file_system() : state_(std::make_shared<memory_fs_state>()) {}

memory_file_system::~memory_file_system() = default;

result<std::unique_ptr<file>> memory_file_system::open(const std::string& raw_path,
                                                       open_mode mode) {
  std::string path = normalize(raw_path);
  std::lock_guard guard(state_->mutex);
  if (auto fault = state_->take_fault(memory_fault::kind::fail_open, path))
    return error{fault->code, "open " + path + ": " + std::string(to_string(fault->code)) +
                                  " (injected)"};
  if (state_->dirs.contains(path))
    return error{errc::io_error, "open " + path + ": is a directory"};
  auto it = state_->files.find(path);
  if (it == state_->files.end()) {
    if (mode == open_mode::read_only || mode == open_mode::read_write)
      return missing_parent("open", path);
    if (!dir_exists(*state_, parent_of(path))) return missing_parent("open", path);
    if (auto dead = state_->mutate("create " + path)) return *dead;
    it = state_->files.emplace(path, state_->new_node()).first;
  } else if (mode == open_mode::create_truncate) {
    if (auto dead = state_->mutate("truncate " + path)) return *dead;
    it->second->data.clear();
    it->second->synced = 0;
  }
  auto f = std::make_unique<memory_file>(state_, it->second, path, mode != open_mode::read_only);
  ++state_->open_handles;
  return std::unique_ptr<file>(std::move(f));
}

status memory_file_system::create_directories(const std::string& raw_path) {
  std::string path = normalize(raw_path);
  std::lock_guard guard(state_->mutex);
  for (std::string p = path; !p.empty() && p != "/"; p = parent_of(p)) {
    if (state_->files.contains(p))
      return error{errc::io_error, "mkdir " + p + ": File exists (not a directory)"};
    state_->dirs.insert(p);
  }
  return ok();
}

result<std::vector<std::string>> memory_file_system::list(const std::string& raw_dir) {
  std::string dir = normalize(raw_dir);
  std::lock_guard guard(state_->mutex);
  if (!dir_exists(*state_, dir)) return missing_parent("opendir", dir);
  std::vector<std::string> names;
  for (const auto& [p, node] : state_->files)
    if (parent_of(p) == dir) names.push_back(name_of(p));
  for (const auto& p : state_->dirs)
    if (parent_of(p) == dir) names.push_back(name_of(p));
  std::sort(names.begin(), names.end());
  return names;
}

bool memory_file_system::exists(const std::string& raw_path) {
  std::string path = normalize(raw_path);
  std::lock_guard guard(state_->mutex);
  return state_->files.contains(path) || dir_exists(*state_, path);
}

bool memory_file_system::is_directory(const std::string& raw_path) {
  std::string path = normalize(raw_path);
  std::lock_guard guard(state_->mutex);
  return dir_exists(*state_, path);
}

status memory_file_system::remove_all(const std::string& raw_path) {
  std::string path = normalize(raw_path);
  std::lock_guard guard(state_->mutex);
  if (auto dead = state_->mutate("remove " + path)) return *dead;
  state_->files.erase(path);
  state_->dirs.erase(path);
  std::erase_if(state_->files, [&](const auto& kv) { return is_below(kv.first, path); });
  std::erase_if(state_->dirs, [&](const auto& d) { return is_below(d, path); });
  return ok();
}

status memory_file_system::rename(const std::string& raw_from, const std::string& raw_to) {
  std::string from = normalize(raw_from);
  std::string to = normalize(raw_to);
  std::lock_guard guard(state_->mutex);
  if (!dir_exists(*state_, parent_of(to))) return missing_parent("rename", to);
  if (auto dead = state_->mutate("rename " + from + " -> " + to)) return *dead;
  if (auto it = state_->files.find(from); it != state_->files.end()) {
    if (state_->dirs.contains(to))
      return error{errc::io_error, "rename " + from + " -> " + to + ": Is a directory"};
    auto node = it->second;
    state_->files.erase(it);
    state_->files[to] = std::move(node);
    return ok();
  }
  if (!state_->dirs.contains(from)) return missing_parent("rename", from);
  // A directory: move it and everything below it.
  std::map<std::string, std::shared_ptr<memory_node>> moved_files;
  std::set<std::string> moved_dirs{to};
  for (auto it = state_->files.begin(); it != state_->files.end();) {
    if (!is_below(it->first, from)) {
      ++it;
      continue;
    }
    moved_files[to + it->first.substr(from.size())] = it->second;
    it = state_->files.erase(it);
  }
  for (auto it = state_->dirs.begin(); it != state_->dirs.end();) {
    if (*it != from && !is_below(*it, from)) {
      ++it;
      continue;
    }
    if (*it != from) moved_dirs.insert(to + it->substr(from.size()));
    it = state_->dirs.erase(it);
  }
  state_->files.merge(moved_files);
  state_->dirs.merge(moved_dirs);
  return ok();
}

status memory_file_system::sync_directory(const std::string& raw_dir) {
  std::string dir = normalize(raw_dir);
  std::lock_guard guard(state_->mutex);
  if (!dir_exists(*state_, dir)) return missing_parent("open directory", dir);
  if (auto dead = state_->mutate("fsync directory " + dir)) return *dead;
  return ok();
}

result<std::unique_ptr<file_lock>> memory_file_system::lock(const std::string& raw_path) {
  std::string path = normalize(raw_path);
  std::lock_guard guard(state_->mutex);
  if (!dir_exists(*state_, parent_of(path))) return missing_parent("open lock file", path);
  auto& node = state_->files[path];
  if (!node) node = state_->new_node();
  if (state_->locks.contains(path)) {
    std::string pid(as_string_view(node->data));
    while (!pid.empty() && pid.back() == '\n') pid.pop_back();
    if (pid.empty()) pid = "unknown";
    return error{errc::data_dir_locked,
                 path + " is locked by pid " + pid +
                     " (another lkstream instance uses this data directory)"};
  }
  std::string pid = std::to_string(::getpid()) + "\n";
  auto b = as_bytes(pid);
  node->data.assign(b.begin(), b.end());
  node->synced = 0;
  uint64_t token = state_->next_lock_token++;
  state_->locks[path] = token;
  return std::unique_ptr<file_lock>(std::make_unique<memory_file_lock>(state_, path, token));
}

void memory_file_system::kill_after_mutations(std::optional<uint64_t> n) {
  std::lock_guard guard(state_->mutex);
  state_->mutations_allowed = n ? std::optional<uint64_t>(state_->mutation_count + *n) : n;
}

uint64_t memory_file_system::mutation_count() const {
  std::lock_guard guard(state_->mutex);
  return state_->mutation_count;
}

void memory_file_system::fail_next_append(errc code, std::string path_contains) {
  std::lock_guard guard(state_->mutex);
  state_->faults.push_back(
      {memory_fault::kind::fail_write, code, 0, std::move(path_contains)});
}

void memory_file_system::short_write_next(size_t n_bytes, std::string path_contains) {
  std::lock_guard guard(state_->mutex);
  state_->faults.push_back(
      {memory_fault::kind::short_write, errc::io_error, n_bytes, std::move(path_contains)});
}

void memory_file_system::fail_next_open(errc code, std::string path_contains) {
  std::lock_guard guard(state_->mutex);
  state_->faults.push_back({memory_fault::kind::fail_open, code, 0, std::move(path_contains)});
}

uint64_t memory_file_system::open_handles() const {
  std::lock_guard guard(state_->mutex);
  return state_->open_handles;
}

void memory_file_system::fail_next_sync(errc code, std::string path_contains) {
  std::lock_guard guard(state_->mutex);
  state_->faults.push_back({memory_fault::kind::fail_sync, code, 0, std::move(path_contains)});
}

status memory_file_system::flip_bit(const std::string& raw_path, uint64_t byte_pos,
                                    unsigned bit) {
  std::string path = normalize(raw_path);
  std::lock_guard guard(state_->mutex);
  auto it = state_->files.find(path);
  if (it == state_->files.end() || byte_pos >= it->second->data.size() || bit > 7)
    return error{errc::invalid_argument, "flip_bit: no byte " + std::to_string(byte_pos) +
                                             " bit " + std::to_string(bit) + " in " + path};
  it->second->data[byte_pos] ^= static_cast<std::byte>(1u << bit);
  return ok();
}

status memory_file_system::truncate_file(const std::string& raw_path, uint64_t size) {
  std::string path = normalize(raw_path);
  std::lock_guard guard(state_->mutex);
  auto it = state_->files.find(path);
  if (it == state_->files.end())
    return error{errc::invalid_argument, "truncate_file: no file " + path};
  it->second->data.resize(size);
  it->second->synced = std::min<uint64_t>(it->second->synced, size);
  return ok();
}

status memory_file_system::append_raw(const std::string& raw_path, bytes_view data) {
  std::string path = normalize(raw_path);
  std::lock_guard guard(state_->mutex);
  auto it = state_->files.find(path);
  if (it == state_->files.end())
    return error{errc::invalid_argument, "append_raw: no file " + path};
  auto& node = *it->second;
  node.data.insert(node.data.end(), data.begin(), data.end());
  node.synced = node.data.size();
  return ok();
}

void memory_file_system::crash(uint64_t keep_unsynced_prefix_bytes) {
  std::lock_guard guard(state_->mutex);
  for (auto& [path, node] : state_->files) {
    const uint64_t keep =
        std::min<uint64_t>(node->data.size(), node->synced + keep_unsynced_prefix_bytes);
    node->data.resize(keep);
    node->synced = keep;
  }
  state_->locks.clear();
  state_->mutations_allowed.reset();  // the process that "died" is gone; a new one starts
}

std::optional<bytes> memory_file_system::contents(const std::string& raw_path) const {
  std::string path = normalize(raw_path);
  std::lock_guard guard(state_->mutex);
  auto it = state_->files.find(path);
  if (it == state_->files.end()) return std::nullopt;
  return it->second->data;
}

std::optional<uint64_t> memory_file_system::file_size(const std::string& raw_path) const {
  std::string path = normalize(raw_path);
  std::lock_guard guard(state_->mutex);
  auto it = state_->files.find(path);
  if (it == state_->files.end()) return std::nullopt;
  return it->second->data.size();
}

uint64_t memory_file_system::sync_count() const {
  std::lock_guard guard(state_->mutex);
  return state_->sync_count;
}

}  // namespace lkstream::storage

#pragma once
// Shared state of a memory_file_system and the files it handed out (which may outlive it).
// Every field is guarded by `mutex`.

#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>

#include "lkstream/base/result.hpp"
#include "lkstream/base/types.hpp"

namespace lkstream::storage {

struct memory_node {
  uint64_t id = 0;      // unique per file system: its "inode" (file_identity)
  bytes data;
  uint64_t synced = 0;  // data[0, synced) survives a crash
};

struct memory_fault {
  enum class kind : uint8_t { fail_write, short_write, fail_sync, fail_open };
  kind what;
  errc code = errc::io_error;
  size_t keep_bytes = 0;  // short_write: bytes stored before failing
  std::string path_contains;
};

struct memory_fs_state {
  mutable std::mutex mutex;
  std::map<std::string, std::shared_ptr<memory_node>> files;  // normalized path -> contents
  std::set<std::string> dirs;
  std::map<std::string, uint64_t> locks;  // path -> token of the holder
  uint64_t next_lock_token = 1;
  std::deque<memory_fault> faults;
  uint64_t sync_count = 0;
  uint64_t next_node_id = 1;
  uint64_t open_handles = 0;                 // memory_file objects alive (open descriptors)
  uint64_t mutation_count = 0;               // writes, syncs, truncates, renames, removals,
                                             //   creations, directory syncs
  std::optional<uint64_t> mutations_allowed;  // kill_after_mutations: then every one fails

  std::shared_ptr<memory_node> new_node() {
    auto n = std::make_shared<memory_node>();
    n->id = next_node_id++;
    return n;
  }

  /// Counts one mutation of `what` (e.g. "rename a -> b"); an error once the process is "dead".
  std::optional<error> mutate(const std::string& what) {
    if (mutations_allowed && mutation_count >= *mutations_allowed)
      return error{errc::io_error, what + ": process killed (injected)"};
    ++mutation_count;
    return std::nullopt;
  }

  /// Removes and returns the first pending fault that applies to a write (kinds fail_write and
  /// short_write), a sync or an open of `path`.
  std::optional<memory_fault> take_fault(memory_fault::kind op, const std::string& path) {
    auto family = [](memory_fault::kind k) {
      return k == memory_fault::kind::short_write ? memory_fault::kind::fail_write : k;
    };
    for (auto it = faults.begin(); it != faults.end(); ++it) {
      if (family(it->what) != family(op)) continue;
      if (!it->path_contains.empty() && path.find(it->path_contains) == std::string::npos)
        continue;
      memory_fault f = *it;
      faults.erase(it);
      return f;
    }
    return std::nullopt;
  }
};

}  // namespace lkstream::storage

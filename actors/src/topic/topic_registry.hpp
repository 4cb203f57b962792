#pragma once
// topic_registry_actor: topics -> partition actors. Creates and deletes topics, persists their
// settings in DATA_DIR/topics.meta, and publishes an immutable snapshot of the topic map on a
// metadata_board so producers and sessions find partition actors without a message per record.
//
// Messages: topic_registry_api.hpp.
// On exit it sends an exit to every partition actor (they sync and close their logs).

#include <caf/all.hpp>

#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "lkstream/config/config.hpp"
#include "lkstream/storage/file_system.hpp"
#include "file_syncer_api.hpp"
#include "messages.hpp"
#include "topic/topic_registry_api.hpp"

namespace lkstream::actors {

struct topic_handle {
  std::string name;
  config::topic_settings settings;
  std::vector<partition_actor> partitions;
};

using topic_map = std::unordered_map<std::string, std::shared_ptr<const topic_handle>>;

/// The current topic map, swapped atomically by the registry. Readers cache the snapshot and
/// re-load it only when version() changed.
class metadata_board {
 public:
  metadata_board() : map_(std::make_shared<const topic_map>()) {}
  std::shared_ptr<const topic_map> snapshot() const {
    std::lock_guard<std::mutex> g(m_);
    return map_;
  }
  uint64_t version() const noexcept { return version_.load(std::memory_order_acquire); }
  void publish(std::shared_ptr<const topic_map> m) {
    {
      std::lock_guard<std::mutex> g(m_);
      map_.swap(m);
    }  // the old map is released outside the lock
    version_.fetch_add(1, std::memory_order_acq_rel);
  }
  std::shared_ptr<const topic_handle> find(const std::string& name) const {
    auto m = snapshot();
    auto i = m->find(name);
    return i == m->end() ? nullptr : i->second;
  }

 private:
  // A mutex, not std::atomic<std::shared_ptr>: libstdc++ 12 implements that with a lock bit
  // inside the pointer that ThreadSanitizer cannot see (every publish looked like a race with
  // every snapshot). The critical section is one reference-count increment.
  mutable std::mutex m_;
  std::shared_ptr<const topic_map> map_;
  std::atomic<uint64_t> version_{1};
};

struct topic_registry_config {
  std::string data_dir;
  std::shared_ptr<storage::file_system> fs;
  std::shared_ptr<metadata_board> board;
  clock_fn now;
  /// Called in the registry's context after a topic was deleted (e.g. drop group offsets).
  std::function<void(const std::string&)> on_topic_deleted;
  /// Receives one line per notable recovery event (truncated tails, rebuilt indexes).
  std::function<void(const std::string&)> log_line;
  /// file_syncer for the partitions' fdatasync; spawned by spawn_topic_registry unless set or
  /// `sync_inline`.
  file_syncer_actor syncer;
  /// Partitions run fdatasync on their own actor, not on a sync thread: for tests under CAF's
  /// testing scheduler, where a detached thread replying into the test's thread would race.
  bool sync_inline = false;
};

/// Loads DATA_DIR/topics.meta, opens (recovers) every partition log, spawns the partition
/// actors and the registry. Fails if the metadata file is unreadable or a log cannot be opened.
result<topic_registry_actor> spawn_topic_registry(caf::actor_system& sys, topic_registry_config cfg);

/// Kafka's topic name rule: 1..249 chars of [A-Za-z0-9._-], not "." or "..".
status validate_topic_name(std::string_view name);

}  // namespace lkstream::actors

#pragma once
// The embedded LKSTREAM engine: open a data directory, manage topics, make producers and
// consumers. One engine per data directory per machine (the directory is locked with flock;
// a second opener gets errc::data_dir_locked naming the holder's pid).
//
//   auto eng = lkstream::engine::open({.data_dir = "./data"});
//   if (!eng) { std::cerr << eng.err().to_string(); return 1; }
//   (*eng)->create_topic("ticks", 4);
//   auto prod = (*eng)->make_producer();
//   prod->send({.topic = "ticks", .key = as_bytes("AAPL"), .value = as_bytes("{...}")});
//
// Threading: every member function may be called from any application thread. Producers and
// consumers made by an engine must be destroyed before it (the engine's destructor closes it).
// Errors: no exceptions; result/status with a message naming what failed.

#include <algorithm>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "lkstream/base/result.hpp"
#include "lkstream/base/types.hpp"
#include "lkstream/config/config.hpp"
#include "lkstream/storage/file_system.hpp"

namespace lkstream {

class producer;
class consumer;
struct producer_options;
struct consumer_options;

struct engine_options {
  std::string config_file;                       // TOML; empty = built-in defaults
  std::string data_dir;                          // overrides broker.data_dir when not empty
  std::optional<config::config> config;          // used instead of config_file when set
  std::shared_ptr<storage::file_system> fs;      // default: POSIX
  std::function<timestamp_ms()> clock;           // default: system clock (ms since epoch)
  std::function<void(std::string_view)> log;     // default: one line to stderr. Rate-limited:
                                                 // a line repeated within 10 s is counted, not
                                                 // written; the next one written says how many
                                                 // were ("(N similar lines suppressed)").
};

struct partition_info {
  int32_t partition = 0;
  int64_t log_start = 0;        // first retained offset
  int64_t end_offset = 0;       // next offset to be assigned
  int64_t high_watermark = 0;   // readable below this (durable per the fsync policy)
  uint64_t size_bytes = 0;
  size_t segments = 0;
  uint64_t truncated_bytes_at_open = 0;  // recovery: torn/corrupt tail cut at open
  std::vector<std::string> corrupt_segments;  // recovery: damaged older segments
};

struct topic_info {
  std::string name;
  config::topic_settings settings;
  std::vector<partition_info> partitions;
  uint64_t size_bytes() const {
    uint64_t n = 0;
    for (auto& p : partitions) n += p.size_bytes;
    return n;
  }
};

/// A member of a consumer group, as the group coordinator knows it.
struct group_member_info {
  std::string member_id;
  std::optional<std::string> group_instance_id;  // static members (Kafka clients) only
  std::string client_id;
  std::string client_host;                       // "embedded" for embedded consumers
  std::vector<topic_partition> assignment;       // consumer-protocol groups, while Stable
};

/// A consumer group: embedded consumers and Kafka clients over the wire share these.
struct group_info {
  std::string group_id;
  // "Empty", "PreparingRebalance", "CompletingRebalance", "Stable" ("Dead": never seen).
  std::string state;
  std::string protocol_type;  // "consumer" for consumer groups; "" while unknown
  std::string protocol;       // the assignor in use ("range", ...), only while Stable
  std::vector<group_member_info> members;
};

/// A group's progress on one partition.
struct group_partition_offset {
  topic_partition tp;
  int64_t committed = -1;       // the group's committed offset, -1 if none
  int64_t log_start = 0;        // first retained offset of the partition
  int64_t end_offset = 0;       // high watermark: readable below this
  // end_offset - committed; without a commit, everything retained (end_offset - log_start).
  int64_t lag() const {
    return std::max<int64_t>(0, end_offset - (committed >= 0 ? committed : log_start));
  }
};

class engine {
 public:
  struct impl;

  /// Loads the configuration, locks and opens the data directory, recovers every partition
  /// log and creates the [[topic]] entries of the configuration that do not exist yet. Raises
  /// the process's soft open-files limit to the hard one (logged when it changes).
  static result<std::unique_ptr<engine>> open(engine_options opts);

  ~engine();
  engine(const engine&) = delete;
  engine& operator=(const engine&) = delete;

  /// Creates a topic with the configuration's topic_defaults (or the given settings).
  status create_topic(std::string_view name, int32_t partitions);
  status create_topic(std::string_view name, const config::topic_settings& settings);
  /// Deletes the topic, its files and every consumer group's committed offsets for it.
  status delete_topic(std::string_view name);
  /// Grows a topic to `partitions` partitions (never shrinks); durable (topics.meta) when it
  /// returns. Producers place records over the new count from their next send; consumer
  /// groups rebalance to include the new partitions (Kafka's CreatePartitions).
  status add_partitions(std::string_view name, int32_t partitions);
  /// Replaces a topic's settings (retention, segments, cleanup policy, ...; the partition
  /// count is kept: see add_partitions). Applied to every partition at once and persisted in
  /// topics.meta, so it survives a restart ([[topic]] entries of the TOML only create
  /// topics). Kafka's AlterConfigs for a topic.
  status alter_topic(std::string_view name, const config::topic_settings& settings);
  /// Moves the log start offset of one partition forward to `before` (-1: the high
  /// watermark), Kafka's DeleteRecords: records below it are no longer readable, whole
  /// segments below it are deleted, and the new start is durable (it survives a restart;
  /// retention and consumers respect it). Returns the new log start. Errors: unknown_topic,
  /// offset_out_of_range (before the current start nothing changes and the start is returned;
  /// past the high watermark is refused).
  result<int64_t> delete_records(std::string_view topic, int32_t partition, int64_t before);
  std::vector<std::string> list_topics() const;
  result<topic_info> describe_topic(std::string_view name) const;

  std::unique_ptr<producer> make_producer(const producer_options& opts);
  std::unique_ptr<producer> make_producer();
  result<std::unique_ptr<consumer>> make_consumer(const consumer_options& opts);

  const config::config& configuration() const;

  // Consumer-group administration (the same coordinator the Kafka listener serves). Blocking;
  // any thread. Errors: closed once the engine is closed.
  /// Every known group (in memory, or with offsets on disk), sorted by id, with its members
  /// and their assignments.
  result<std::vector<group_info>> list_groups();
  /// One group; a group never seen gives state "Dead" and no members (as Kafka's describe).
  result<group_info> describe_group(std::string_view group_id);
  /// The group's committed offsets and lag for every partition of the topics it has commits
  /// for or its members are assigned (or of `topic` only: unknown_topic if it does not exist).
  /// Sorted by topic and partition; topics deleted since the commit are left out.
  result<std::vector<group_partition_offset>> group_offsets(
      std::string_view group_id, std::optional<std::string> topic = std::nullopt);
  /// Deletes every committed offset of a group that has no members; members -> invalid_argument
  /// (stop its consumers first), a group never seen -> not_found. Durable when it returns; the
  /// group then starts from its auto_offset_reset policy. Returns how many offsets were removed.
  result<uint64_t> delete_group_offsets(std::string_view group_id);
  /// Deletes a group that has no members (Kafka's DeleteGroups): its committed offsets and its
  /// offsets file go, durably, and it is no longer listed. Members -> invalid_argument (stop
  /// its consumers first), a group never seen -> not_found.
  status delete_group(std::string_view group_id);

  /// Runs one retention round now over every partition; returns segments deleted.
  result<uint64_t> apply_retention();

  /// The storage layer's descriptor budget (broker.max_open_files): segment and index files
  /// open now, the budget in force, and how often files were closed to stay within it.
  struct file_budget {
    uint64_t max_open_files = 0;
    uint64_t open_files = 0;     // segment and index file descriptors open now
    uint64_t reopens = 0;        // files reopened after their descriptor had been closed
    uint64_t evictions = 0;      // descriptors closed to stay within the budget
    uint64_t idle_closes = 0;    // descriptors closed after a minute unused
  };
  file_budget storage_files() const;

  /// Runs one round of log compaction now (the cleaner also runs every
  /// broker.cleaner_backoff_ms): every due partition of every compacted topic is cleaned;
  /// returns the partitions cleaned. Appends and fetches go on meanwhile.
  result<uint64_t> run_cleaning();

  /// Stops every actor, syncs and closes every log, releases the lock. Idempotent.
  status close();

  /// Registers `stop` to run at the start of close(), newest first, while the engine still
  /// works (it may flush, commit, wait for acks): for components built on the engine that must
  /// stop before it, such as a language binding's producers and consumers, so that one owner
  /// decides the stop order. Returns an id for remove_close_hook(); 0 when the engine is
  /// already closing (then stop the component yourself). Any thread; `stop` must not call
  /// close(). A component that stops by itself removes its hook first.
  uint64_t add_close_hook(std::function<void()> stop);
  void remove_close_hook(uint64_t id);

 private:
  // The library's own components (listener, connector host, pipeline runtime) use the engine
  // through actors/src/engine_services.hpp; only the engine's own parts reach the internals
  // (engine_access, actors/src/engine_impl.hpp). Nothing public does.
  friend struct engine_access;
  explicit engine(std::unique_ptr<impl> i);
  std::unique_ptr<impl> impl_;
};

}  // namespace lkstream

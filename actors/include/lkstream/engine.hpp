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
  std::function<void(std::string_view)> log;     // default: one line to stderr
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

class engine {
 public:
  struct impl;

  /// Loads the configuration, locks and opens the data directory, recovers every partition
  /// log and creates the [[topic]] entries of the configuration that do not exist yet.
  static result<std::unique_ptr<engine>> open(engine_options opts);

  ~engine();
  engine(const engine&) = delete;
  engine& operator=(const engine&) = delete;

  /// Creates a topic with the configuration's topic_defaults (or the given settings).
  status create_topic(std::string_view name, int32_t partitions);
  status create_topic(std::string_view name, const config::topic_settings& settings);
  /// Deletes the topic, its files and every consumer group's committed offsets for it.
  status delete_topic(std::string_view name);
  /// Grows a topic to `partitions` partitions (never shrinks).
  status add_partitions(std::string_view name, int32_t partitions);
  std::vector<std::string> list_topics() const;
  result<topic_info> describe_topic(std::string_view name) const;

  std::unique_ptr<producer> make_producer(const producer_options& opts);
  std::unique_ptr<producer> make_producer();
  result<std::unique_ptr<consumer>> make_consumer(const consumer_options& opts);

  const config::config& configuration() const;

  /// Runs one retention round now over every partition; returns segments deleted.
  result<uint64_t> apply_retention();

  /// Stops every actor, syncs and closes every log, releases the lock. Idempotent.
  status close();

  /// For the rest of the project (listener, connector host); not a stable API.
  impl& internals() { return *impl_; }

 private:
  explicit engine(std::unique_ptr<impl> i);
  std::unique_ptr<impl> impl_;
};

}  // namespace lkstream

#pragma once
// librdkafka helpers for the bridge tests, usable against Apache Kafka and `lkstream serve`
// alike: create a topic, produce numbered records, read a topic back, and check a mirror.
//
// Numbered records: record i (0 <= i < n) goes to partition i % partitions with key "k<i>",
// value "v<i>", timestamp numbered_base_ts + i and headers {"seq": "<i>", "nothing": null}, so
// every field the bridge must preserve can be checked from the record alone.
//
// Threading: one test thread; every call bounded by its deadline.

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace lkstream::testing {

inline constexpr int64_t numbered_base_ts = 1'700'000'000'000;

struct read_record {
  std::string topic;
  int32_t partition = -1;
  int64_t offset = -1;
  std::optional<std::string> key;
  std::optional<std::string> value;
  int64_t timestamp = -1;
  std::vector<std::pair<std::string, std::optional<std::string>>> headers;
};

/// CreateTopics (error text on failure, "" when created or it already exists).
std::string create_topic(const std::string& bootstrap, const std::string& topic, int partitions);

/// Partition count of `topic` (never creating it): 0 when it does not exist, -1 on an error.
int topic_partitions(const std::string& bootstrap, const std::string& topic);

/// Sum of the end offsets of partitions 0..partitions-1 of `topic` (-1 on an error).
int64_t end_offsets_sum(const std::string& bootstrap, const std::string& topic, int partitions);

/// Every config of `topic` (DescribeConfigs) by name; empty on an error.
std::map<std::string, std::string> topic_configs(const std::string& bootstrap,
                                                 const std::string& topic);

/// Produces records [from, to) (idempotent producer, acks=all) and waits for every delivery;
/// "" on success, otherwise the first error.
std::string produce_numbered(const std::string& bootstrap, const std::string& topic, int partitions,
                             int from, int to);

/// Reads every partition of `topic` from the beginning until `until_count` records arrived
/// (plus whatever comes within `linger` after that), or the deadline; `on_wait` runs between
/// polls (e.g. to drain a server's output).
std::vector<read_record> read_topic(
    const std::string& bootstrap, const std::string& topic, int partitions, size_t until_count,
    std::chrono::seconds deadline,
    std::chrono::milliseconds linger = std::chrono::milliseconds(1000),
    const std::function<void()>& on_wait = {});

/// A member of consumer group `group` subscribed to `topics` (auto.offset.reset = `reset`,
/// "error" to insist on committed offsets): reads until `until_count` records arrived and then,
/// with `settle` > 0, until none came for `settle` (duplicates count toward until_count), or
/// the deadline; commits the offsets past what it read (commit_sync) and leaves the group. The
/// records it read, in order.
std::vector<read_record> consume_in_group(const std::string& bootstrap, const std::string& group,
                                          const std::vector<std::string>& topics,
                                          size_t until_count, std::chrono::seconds deadline,
                                          const std::string& reset = "earliest",
                                          const std::function<void()>& on_wait = {},
                                          std::chrono::milliseconds settle = {});

/// How a mirror of numbered records [0, n) looks: complete (every number present), ordered
/// (per partition the first copies of the numbers increase), faithful (partition, key, value,
/// timestamp and headers as produced). problems lists the first few violations.
struct mirror_check {
  size_t distinct = 0;
  size_t duplicates = 0;
  std::vector<std::string> problems;
  bool complete_and_ordered() const { return problems.empty(); }
};
mirror_check check_numbered(const std::vector<read_record>& records, int n, int partitions);

/// The committed offsets of `group` for partitions 0..partitions-1 of `topic` (-1: none).
std::vector<int64_t> committed_offsets(const std::string& bootstrap, const std::string& group,
                                       const std::string& topic, int partitions);

}  // namespace lkstream::testing

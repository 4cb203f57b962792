#pragma once
// A small synchronous admin client over librdkafka's C API, for the `topic` and `group`
// commands: each call sends the Kafka request(s), waits at most the connection timeout, and
// returns plain structs or an error a person can act on ("topic 'x' does not exist").
//
// Kafka APIs used (all served by `lkstream serve`): Metadata (topics, partition counts),
// CreateTopics, DeleteTopics, CreatePartitions, DescribeConfigs, AlterConfigs, DeleteRecords,
// DeleteGroups, ListOffsets (start/end offsets), ListGroups,
// DescribeGroups, OffsetFetch (committed offsets) and OffsetCommit with generation -1 (a
// "simple" commit, which the coordinator accepts only while the group has no members).
//
// Errors: unknown_topic / not_found for names the server does not know, timeout when the server
// did not answer in time, io_error for everything else, with the server's message when it sent
// one. Ownership: the client owns its librdkafka handle; not copyable, movable.
// Threading: one thread at a time.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "kafka_connection.hpp"

namespace lkstream::app {

struct topic_listing {
  std::string name;
  int32_t partitions = 0;
};

struct topic_partition {
  std::string topic;
  int32_t partition = 0;
  auto operator<=>(const topic_partition&) const = default;
};

/// Start (log start) and end (high watermark) offset of one partition.
struct partition_offsets {
  int32_t partition = 0;
  int64_t start = 0;
  int64_t end = 0;
};

struct config_entry {
  std::string name;
  std::string value;
  bool is_default = false;  // not set on the topic itself (the broker's value)
};

struct group_listing {
  std::string group_id;
  std::string state;  // "Stable", "Empty", ... as librdkafka names Kafka's group states
};

struct group_member {
  std::string member_id;
  std::string client_id;
  std::string host;
  std::vector<topic_partition> assignment;
};

struct group_description {
  std::string group_id;
  std::string state;
  std::string assignor;  // the protocol the members agreed on, empty while Empty
  std::vector<group_member> members;
};

/// Committed offset per partition (only partitions with a commit).
using committed_offsets = std::map<topic_partition, int64_t>;

class kafka_admin_client {
 public:
  /// Checks that something listens at opts.bootstrap (probe()), then makes the handle (a
  /// producer by default; `produce` and `consume` pass their own kind and callbacks and use
  /// handle() for their records).
  static result<kafka_admin_client> connect(const connection_options& opts,
                                            const handle_options& how = {});

  rd_kafka_t* handle() const { return rk_.get(); }

  /// Destroys the handle now without the consumer close (group leave, final commit) that
  /// would wait for a server that is gone. handle() is null afterwards.
  void abandon();

  /// Every topic with its partition count, sorted by name.
  result<std::vector<topic_listing>> list_topics();

  /// The partition count of `topic`; unknown_topic when it does not exist. Never creates it.
  result<int32_t> partition_count(const std::string& topic);

  /// partitions -1 = the server's default. configs are Kafka topic config names/values.
  status create_topic(const std::string& topic, int32_t partitions,
                      const std::vector<std::pair<std::string, std::string>>& configs);
  status delete_topic(const std::string& topic);

  /// The topic's configuration as the server describes it (DescribeConfigs).
  result<std::vector<config_entry>> topic_configs(const std::string& topic);

  /// Grows `topic` to `partitions` partitions (CreatePartitions); invalid_argument when that
  /// is not more than it has.
  status add_partitions(const std::string& topic, int32_t partitions);

  /// Sets (`set`) and resets to the server's default (`reset`) topic configs, keeping every
  /// other config set on the topic: the topic's own configs are read (DescribeConfigs), merged
  /// and written back whole (AlterConfigs, which librdkafka 2.0 offers; it replaces them all).
  status alter_topic_configs(const std::string& topic,
                             const std::vector<std::pair<std::string, std::string>>& set,
                             const std::vector<std::string>& reset);

  /// Deletes the records of one partition below `before` (-1: all, up to the high watermark);
  /// returns the partition's new start offset (DeleteRecords).
  result<int64_t> delete_records(const std::string& topic, int32_t partition, int64_t before);

  /// Deletes a group without members and its committed offsets (DeleteGroups); not_found for
  /// an unknown group, invalid_argument while it has members.
  status delete_group(const std::string& group);

  /// Start and end offset of one partition (two ListOffsets requests).
  result<partition_offsets> offsets(const std::string& topic, int32_t partition);

  result<std::vector<group_listing>> list_groups();

  /// not_found when the server does not know the group (state Dead with no offsets).
  result<group_description> describe_group(const std::string& group);

  /// Every committed offset of the group (for the topics that still exist).
  result<committed_offsets> committed(const std::string& group);

  /// Commits `offsets` for the group as a simple (generation -1) commit. The server refuses it
  /// while the group has members; callers check describe_group() first for a clearer message.
  status commit(const std::string& group, const committed_offsets& offsets);

  const connection_options& options() const { return opts_; }

 private:
  kafka_admin_client(connection_options opts, kafka_handle rk)
      : opts_(std::move(opts)), rk_(std::move(rk)) {}

  connection_options opts_;
  kafka_handle rk_;
};

/// For a command's run function: reads --bootstrap/--timeout and connects. On failure prints
/// the error (usage error for bad flag values, exit_failure otherwise), sets `exit_code` and
/// returns nullopt.
std::optional<kafka_admin_client> connect_admin(const parsed_args& args, int& exit_code,
                                                const handle_options& how = {});

}  // namespace lkstream::app

// kafka_bridge: mirrors topics between LKSTREAM and a Kafka/Redpanda cluster with librdkafka.
// One library, two directions (ABI 1.1 LKS_KIND_BY_CONFIG): direction = "out" is a sink
// (bridge_out.hpp: LKSTREAM -> Kafka), direction = "in" a source (bridge_in.hpp: Kafka ->
// LKSTREAM). Every [connector.config] key that is not one of the bridge's own is a librdkafka
// property, passed through as written ("bootstrap.servers", "security.protocol", ...).
#include "bridge_in.hpp"
#include "bridge_out.hpp"

namespace lkstream::connectors::kafka_bridge {

struct kafka_bridge {
  static constexpr const char* name = "kafka_bridge";
  static constexpr const char* version = "1.1";
  static constexpr const char* description =
      "mirrors topics to (direction out) or from (direction in) a Kafka/Redpanda cluster";
  static constexpr lks_config_field schema[] = {
      plugin::required_one_of(
          direction_key, "in|out",
          "out: LKSTREAM topics -> Kafka (a sink); in: Kafka topics -> LKSTREAM (a "
          "source)"),
      plugin::optional(topic_map_key, LKS_CONFIG_STRING, "",
                       "renames topics in the direction records flow: \"from:to,from:to\"; "
                       "unmapped topics keep their name"),
      plugin::optional(topic_name_key, LKS_CONFIG_STRING, "{topic}",
                       "names every topic topic_map does not name, in the direction records "
                       "flow: \"{topic}\" keeps the name, \"mirror.{topic}\" adds a prefix"),
      plugin::one_of(partitioning_key, "preserve|by-key|hash|same|key", "preserve",
                     "preserve (or same): partition N goes to partition N (order kept per "
                     "partition; the target needs as many partitions); hash (out only): N mod "
                     "the target's count; by-key (or key): the target's default partitioner"),
      plugin::optional(topic_sync_key, LKS_CONFIG_BOOL, "true",
                       "out: create missing Kafka topics with the source's partition count and "
                       "configs, grow and re-config the ones it created; false: never touch "
                       "Kafka topics (a missing or too small one is an error)"),
      plugin::optional(topic_sync_interval_key, LKS_CONFIG_DURATION, "1m",
                       "out: how often the targets are checked against their sources while "
                       "records flow (a new partition is synced at once)"),
      plugin::optional(replication_factor_key, LKS_CONFIG_INT, "-1",
                       "out: replication factor of the Kafka topics the bridge creates (-1: the "
                       "cluster's default.replication.factor)"),
      plugin::one_of(offset_mode_key, "map|preserve", "map",
                     "out: map: every source->target offset jump is recorded in "
                     "offset_map_topic on Kafka (for `lkstream migrate groups`); preserve: "
                     "target offset == source offset for every record (empty targets, "
                     "partitioning = preserve), verified on every acknowledgement"),
      plugin::optional(offset_map_topic_key, LKS_CONFIG_STRING, "lkstream.offset-map",
                       "out: the Kafka topic that keeps the offset mapping (created with 1 "
                       "partition, no retention limit); \"\": no map"),
      plugin::optional(flush_timeout_key, LKS_CONFIG_DURATION, "30s",
                       "out: longest wait for Kafka's acknowledgement of a batch before the "
                       "connector restarts (and resends it)"),
      plugin::optional(batch_records_key, LKS_CONFIG_INT, "1000",
                       "in: most Kafka records per append batch"),
      plugin::optional(commit_interval_key, LKS_CONFIG_DURATION, "1s",
                       "in: how often acked (durable) offsets are committed to Kafka"),
      plugin::any_key("*", LKS_CONFIG_STRING,
                      "any librdkafka property, passed through (\"bootstrap.servers\" is "
                      "required; out pins enable.idempotence=true and acks=all, in pins "
                      "enable.auto.commit=false; group.id defaults to lkstream.<name>)"),
  };
  static constexpr const char* kind_key = direction_key;
  static constexpr const char* source_value = "in";
  using source_type = bridge_in;
  using sink_type = bridge_out;
};

}  // namespace lkstream::connectors::kafka_bridge

LKSTREAM_CONNECTOR(lkstream::connectors::kafka_bridge::kafka_bridge)

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
  static constexpr const char* version = "1.0";
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
      plugin::one_of(partitioning_key, "same|key", "same",
                     "same: partition N goes to partition N (order kept per partition); key: "
                     "the target partitions by key"),
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

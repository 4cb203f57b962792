#include "error_class.hpp"

namespace lkstream::connectors::kafka_bridge {

error_class classify(rd_kafka_resp_err_t err) {
  switch (err) {
    // The target's layout does not fit (the bridge checks partition counts before it sends;
    // these are the cases it could not see coming, e.g. a topic changed behind its back).
    case RD_KAFKA_RESP_ERR__UNKNOWN_PARTITION:
      return {true, "the Kafka topic has fewer partitions than the LKSTREAM topic: add "
                    "partitions on Kafka, or set partitioning = \"hash\" or \"by-key\""};
    case RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC:
    case RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART:
      return {true, "create the Kafka topic, or set topic_sync = true so that the bridge "
                    "creates it"};
    case RD_KAFKA_RESP_ERR_TOPIC_EXCEPTION:
      return {true, "the target topic name is not valid on Kafka: fix topic_map / "
                    "topic_prefix"};
    // Records the target refuses as they are.
    case RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE:
    case RD_KAFKA_RESP_ERR_RECORD_LIST_TOO_LARGE:
      // librdkafka uses MSG_SIZE_TOO_LARGE for its own message.max.bytes too.
      return {true, "raise max.message.bytes of the Kafka topic (topic_sync copies the "
                    "LKSTREAM topic's for topics it creates) and, for a single record larger "
                    "than 1 MB, \"message.max.bytes\" in [connector.config]"};
    case RD_KAFKA_RESP_ERR_INVALID_RECORD:
      return {true, "the Kafka topic refuses these records (e.g. records without a key on a "
                    "compacted topic): align the topic's cleanup.policy with LKSTREAM's"};
    case RD_KAFKA_RESP_ERR_INVALID_MSG:
      return {true, "Kafka reports the records as corrupt: check the compression settings of "
                    "the connector"};
    // Rights and authentication.
    case RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED:
    case RD_KAFKA_RESP_ERR_CLUSTER_AUTHORIZATION_FAILED:
    case RD_KAFKA_RESP_ERR_GROUP_AUTHORIZATION_FAILED:
    case RD_KAFKA_RESP_ERR_TRANSACTIONAL_ID_AUTHORIZATION_FAILED:
      return {true, "grant the connector's Kafka principal the ACLs it needs (Write and "
                    "Describe on the topics, IdempotentWrite on the cluster, Create to create "
                    "topics; Read on the topics and the group for direction = \"in\")"};
    case RD_KAFKA_RESP_ERR__AUTHENTICATION:
    case RD_KAFKA_RESP_ERR_SASL_AUTHENTICATION_FAILED:
    case RD_KAFKA_RESP_ERR_ILLEGAL_SASL_STATE:
    case RD_KAFKA_RESP_ERR_UNSUPPORTED_SASL_MECHANISM:
      return {true, "fix the credentials / sasl.* / security.protocol settings in "
                    "[connector.config]"};
    // What the cluster or its policies do not support.
    case RD_KAFKA_RESP_ERR_UNSUPPORTED_VERSION:
    case RD_KAFKA_RESP_ERR_UNSUPPORTED_FOR_MESSAGE_FORMAT:
    case RD_KAFKA_RESP_ERR_UNSUPPORTED_COMPRESSION_TYPE:
    case RD_KAFKA_RESP_ERR__UNSUPPORTED_FEATURE:
      return {true, "the Kafka cluster does not support what the connector asks for: check "
                    "its version and the connector's compression / protocol settings"};
    case RD_KAFKA_RESP_ERR_POLICY_VIOLATION:
    case RD_KAFKA_RESP_ERR_INVALID_CONFIG:
    case RD_KAFKA_RESP_ERR_INVALID_PARTITIONS:
    case RD_KAFKA_RESP_ERR_INVALID_REPLICATION_FACTOR:
    case RD_KAFKA_RESP_ERR_INVALID_REQUIRED_ACKS:
    case RD_KAFKA_RESP_ERR__INVALID_ARG:
    case RD_KAFKA_RESP_ERR__INVALID_TYPE:
      return {true, "the Kafka cluster refuses the request or a setting: see the reason, then "
                    "fix the topic or [connector.config]"};
    default:
      // Transient: _TRANSPORT, _ALL_BROKERS_DOWN, _RESOLVE, _MSG_TIMED_OUT, _TIMED_OUT,
      // REQUEST_TIMED_OUT, NOT_LEADER_OR_FOLLOWER, LEADER_NOT_AVAILABLE, NOT_ENOUGH_REPLICAS
      // (_AFTER_APPEND), NETWORK_EXCEPTION, BROKER_NOT_AVAILABLE, KAFKA_STORAGE_ERROR,
      // THROTTLING_QUOTA_EXCEEDED, _QUEUE_FULL, the idempotent producer's _FATAL
      // (OUT_OF_ORDER_SEQUENCE_NUMBER, UNKNOWN_PRODUCER_ID: a new producer starts clean; a
      // fatal error whose cause is in the table is classified by that cause), and anything
      // else: back off and try again.
      return {false, ""};
  }
}

}  // namespace lkstream::connectors::kafka_bridge

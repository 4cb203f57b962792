#pragma once
// Which librdkafka / Kafka errors a restart can cure and which it cannot. The bridge returns
// plugin::retry (the host restarts the instance after a backoff) for transient errors and
// plugin::fatal (state "failed", never restarted) for permanent ones, with the reason and
// what to do. The table (and its rationale) is documented in docs/connectors.md,
// "kafka_bridge: errors"; keep both in step.
//
// Permanent: the target cannot take the records as they are and waiting does not change that
// (a partition or topic that does not exist, a record larger than the topic allows, a record
// the topic refuses, missing rights, a request or setting the cluster does not support).
// Transient: everything that is about reaching the cluster or its leaders (broker down,
// timeouts, leader elections, too few in-sync replicas, throttling), and every error not in
// the table (an unknown error backs off and is logged, it never stops mirroring for good).

#include <librdkafka/rdkafka.h>

#include <string>

namespace lkstream::connectors::kafka_bridge {

struct error_class {
  bool permanent = false;
  const char* what_to_do = "";  // a remedy for permanent errors, "" for transient ones
};

/// The class of `err` (a delivery report's, an admin result's or a consumer's error).
error_class classify(rd_kafka_resp_err_t err);

}  // namespace lkstream::connectors::kafka_bridge

#pragma once
// Test-only builders of one request and one response per (api, version), for the Kafka codec
// tests. Every field that exists in `v` (per the Kafka JSON schemas) gets a non-default value;
// fields absent in `v` keep their defaults, so that decode(encode(sample(v))) == sample(v)
// only holds if the codec writes and reads exactly the fields of that version.

#include <memory>
#include <string>
#include <vector>

#include "lkstream/kafka/messages.hpp"
#include "lkstream/kafka/request.hpp"
#include "lkstream/kafka/supported_apis.hpp"

namespace kafka_test {

using namespace lkstream;
using namespace lkstream::kafka;

inline lkstream::bytes byte_vector(std::initializer_list<int> values) {
  lkstream::bytes out;
  for (int v : values) out.push_back(static_cast<std::byte>(v));
  return out;
}

/// An opaque stand-in for a record batch (the codec never looks inside).
inline const lkstream::bytes& sample_batch() {
  static const lkstream::bytes batch = [] {
    lkstream::bytes b(70);
    for (size_t i = 0; i < b.size(); ++i) b[i] = static_cast<std::byte>(i * 7 + 3);
    return b;
  }();
  return batch;
}

inline shared_bytes shared_sample_batch() {
  static const shared_bytes shared = std::make_shared<const lkstream::bytes>(sample_batch());
  return shared;
}

inline request_body sample_request(api_key key, int16_t v);

/// A whole request, built member by member (aggregate temporaries holding optional<string>
/// trip GCC 12's -Wmaybe-uninitialized at -O2).
inline request make_request(api_key key, int16_t v, int32_t correlation_id,
                            std::optional<std::string> client_id, request_body body) {
  request req;
  req.header.key = key;
  req.header.api_version = v;
  req.header.correlation_id = correlation_id;
  req.header.client_id = std::move(client_id);
  req.body = std::move(body);
  return req;
}

inline request sample_full_request(api_key key, int16_t v, int32_t correlation_id,
                                   std::optional<std::string> client_id) {
  return make_request(key, v, correlation_id, std::move(client_id), sample_request(key, v));
}

inline request_body sample_request(api_key key, int16_t v) {
  switch (key) {
    case api_key::api_versions: {
      api_versions_request m;
      if (v >= 3) {
        m.client_software_name = "librdkafka";
        m.client_software_version = "2.0.2";
      }
      return m;
    }
    case api_key::metadata: {
      metadata_request m;
      m.topics = std::vector<metadata_request_topic>{{"alpha"}, {"beta"}};
      if (v >= 4) m.allow_auto_topic_creation = false;
      if (v >= 8) {
        m.include_cluster_authorized_operations = true;
        m.include_topic_authorized_operations = true;
      }
      return m;
    }
    case api_key::produce: {
      produce_request m;
      m.transactional_id = "tx-1";  // v3+, and only v3+ is served
      m.acks = -1;
      m.timeout_ms = 30000;
      m.topics = {{"ticks", {{0, bytes_view{sample_batch()}}, {3, std::nullopt}}},
                  {"quotes", {{1, bytes_view{sample_batch()}.first(10)}}}};
      return m;
    }
    case api_key::fetch: {
      fetch_request m;
      m.replica_id = -1;
      m.max_wait_ms = 500;
      m.min_bytes = 1;
      if (v >= 3) m.max_bytes = 52428800;
      if (v >= 4) m.isolation_level = isolation_read_committed;
      if (v >= 7) {
        m.session_id = 12;
        m.session_epoch = 3;
      }
      fetch_partition p;
      p.partition = 2;
      if (v >= 9) p.current_leader_epoch = 5;
      p.fetch_offset = 1000;
      if (v >= 5) p.log_start_offset = 10;
      p.partition_max_bytes = 1048576;
      m.topics = {{"ticks", {p}}};
      if (v >= 7) m.forgotten_topics_data = {{"old", {1, 4}}};
      if (v >= 11) m.rack_id = "rack-a";
      return m;
    }
    case api_key::list_offsets: {
      list_offsets_request m;
      m.replica_id = -1;
      if (v >= 2) m.isolation_level = 1;
      list_offsets_partition p;
      p.partition_index = 1;
      if (v >= 4) p.current_leader_epoch = 2;
      p.timestamp = list_offsets_earliest;
      m.topics = {{"ticks", {p}}};
      return m;
    }
    case api_key::find_coordinator: {
      find_coordinator_request m;
      m.coordinator_key = "group-1";
      if (v >= 1) m.key_type = coordinator_type_transaction;
      return m;
    }
    case api_key::join_group: {
      join_group_request m;
      m.group_id = "group-1";
      m.session_timeout_ms = 45000;
      if (v >= 1) m.rebalance_timeout_ms = 300000;
      m.member_id = "member-1";
      if (v >= 5) m.group_instance_id = "instance-1";
      m.protocol_type = "consumer";
      m.protocols = {{"range", byte_vector({0, 1, 2, 3})}, {"roundrobin", {}}};
      return m;
    }
    case api_key::heartbeat: {
      heartbeat_request m;
      m.group_id = "group-1";
      m.generation_id = 7;
      m.member_id = "member-1";
      if (v >= 3) m.group_instance_id = "instance-1";
      return m;
    }
    case api_key::leave_group: {
      leave_group_request m;
      m.group_id = "group-1";
      if (v <= 2) m.member_id = "member-1";
      if (v >= 3) m.members = {{"member-1", std::nullopt}, {"member-2", "instance-2"}};
      return m;
    }
    case api_key::sync_group: {
      sync_group_request m;
      m.group_id = "group-1";
      m.generation_id = 7;
      m.member_id = "member-1";
      if (v >= 3) m.group_instance_id = "instance-1";
      m.assignments = {{"member-1", byte_vector({0, 1, 9})}, {"member-2", {}}};
      return m;
    }
    case api_key::describe_groups: {
      describe_groups_request m;
      m.groups = {"group-1", "group-2"};
      if (v >= 3) m.include_authorized_operations = true;
      return m;
    }
    case api_key::list_groups:
      return list_groups_request{};
    case api_key::offset_commit: {
      offset_commit_request m;
      m.group_id = "group-1";
      m.generation_id = 7;
      m.member_id = "member-1";
      if (v >= 7) m.group_instance_id = "instance-1";
      if (v >= 2 && v <= 4) m.retention_time_ms = 86400000;
      offset_commit_partition p0;
      p0.partition_index = 0;
      p0.committed_offset = 42;
      if (v >= 6) p0.committed_leader_epoch = 1;
      p0.committed_metadata = "meta";
      offset_commit_partition p1;
      p1.partition_index = 1;
      p1.committed_offset = 43;
      m.topics = {{"ticks", {p0, p1}}};
      return m;
    }
    case api_key::offset_fetch: {
      offset_fetch_request m;
      m.group_id = "group-1";
      m.topics = std::vector<offset_fetch_topic>{{"ticks", {0, 1}}, {"quotes", {}}};
      return m;
    }
    case api_key::init_producer_id: {
      init_producer_id_request m;
      m.transactional_id = "tx-1";
      m.transaction_timeout_ms = 60000;
      return m;
    }
    case api_key::create_topics: {
      create_topics_request m;
      m.topics = {{"ticks", 3, 1, {{0, {1}}},
                   {{"retention.ms", "1000"}, {"cleanup", std::nullopt}}},
                  {"quotes", -1, -1, {}, {}}};
      m.timeout_ms = 30000;
      if (v >= 1) m.validate_only = true;
      return m;
    }
    case api_key::delete_topics: {
      delete_topics_request m;
      m.topic_names = {"ticks", "quotes"};
      m.timeout_ms = 30000;
      return m;
    }
    case api_key::describe_configs: {
      describe_configs_request m;
      m.resources = {{config_resource_topic, "ticks", std::vector<std::string>{"retention.ms"}},
                     {config_resource_broker, "1", std::nullopt}};
      if (v >= 1) m.include_synonyms = true;
      return m;
    }
    case api_key::create_partitions: {
      create_partitions_request m;
      m.topics = {{"ticks", 6, std::vector<std::vector<int32_t>>{{1}, {1}}},
                  {"quotes", 2, std::nullopt}};
      m.timeout_ms = 30000;
      m.validate_only = true;
      return m;
    }
    case api_key::delete_records: {
      delete_records_request m;
      m.topics = {{"ticks", {{0, 42}, {1, -1}}}};
      m.timeout_ms = 30000;
      return m;
    }
    case api_key::delete_groups: {
      delete_groups_request m;
      m.groups_names = {"g1", "g2"};
      return m;
    }
    case api_key::offset_delete: {
      offset_delete_request m;
      m.group_id = "g1";
      m.topics = {{"ticks", {0, 2}}};
      return m;
    }
    case api_key::alter_configs: {
      alter_configs_request m;
      m.resources = {{config_resource_topic, "ticks", {{"retention.ms", "1000"},
                                                       {"cleanup.policy", std::nullopt}}}};
      m.validate_only = true;
      return m;
    }
    case api_key::incremental_alter_configs: {
      incremental_alter_configs_request m;
      m.resources = {{config_resource_topic, "ticks",
                      {{"retention.ms", config_op_set, "1000"},
                       {"segment.ms", config_op_delete, std::nullopt}}}};
      return m;
    }
    case api_key::describe_cluster: {
      describe_cluster_request m;
      m.include_cluster_authorized_operations = true;
      if (v >= 1) m.endpoint_type = endpoint_type_brokers;
      if (v >= 2) m.include_fenced_brokers = true;
      return m;
    }
    case api_key::describe_log_dirs: {
      describe_log_dirs_request m;
      m.topics = std::vector<describe_log_dirs_topic>{{"ticks", {0, 1}}};
      return m;
    }
    case api_key::list_partition_reassignments: {
      list_partition_reassignments_request m;
      m.timeout_ms = 1000;
      m.topics = std::vector<list_partition_reassignments_topic>{{"ticks", {0}}};
      return m;
    }
    case api_key::describe_acls: {
      describe_acls_request m;
      m.filter = {2, "ticks", 3, "User:alice", std::nullopt, 3, 3};
      return m;
    }
    case api_key::create_acls: {
      create_acls_request m;
      m.creations = {{2, "ticks", 3, "User:alice", "*", 3, 3}};
      return m;
    }
    case api_key::delete_acls: {
      delete_acls_request m;
      m.filters = {{2, std::nullopt, 3, "User:alice", "*", 1, 1}};
      return m;
    }
    case api_key::add_partitions_to_txn: {
      add_partitions_to_txn_request m;
      m.transactional_id = "tx-1";
      m.producer_id = 1000;
      m.producer_epoch = 3;
      m.topics = {{"ticks", {0, 2}}, {"quotes", {1}}};
      return m;
    }
    case api_key::add_offsets_to_txn: {
      add_offsets_to_txn_request m;
      m.transactional_id = "tx-1";
      m.producer_id = 1000;
      m.producer_epoch = 3;
      m.group_id = "g";
      return m;
    }
    case api_key::end_txn: {
      end_txn_request m;
      m.transactional_id = "tx-1";
      m.producer_id = 1000;
      m.producer_epoch = 3;
      m.committed = true;
      return m;
    }
    case api_key::txn_offset_commit: {
      txn_offset_commit_request m;
      m.transactional_id = "tx-1";
      m.group_id = "g";
      m.producer_id = 1000;
      m.producer_epoch = 3;
      if (v >= 3) {
        m.generation_id = 4;
        m.member_id = "member-1";
        m.group_instance_id = "instance-1";
      }
      txn_offset_commit_partition p{0, 42, -1, "meta"};
      if (v >= 2) p.committed_leader_epoch = 0;
      m.topics = {{"ticks", {p, {1, 7, -1, std::nullopt}}}};
      return m;
    }
    case api_key::describe_producers: {
      describe_producers_request m;
      m.topics = {{"ticks", {0, 1}}};
      return m;
    }
    case api_key::describe_transactions: {
      describe_transactions_request m;
      m.transactional_ids = {"tx-1", "tx-2"};
      return m;
    }
    case api_key::list_transactions: {
      list_transactions_request m;
      m.state_filters = {"Ongoing"};
      m.producer_id_filters = {1000, 1001};
      if (v >= 1) m.duration_filter = 5000;
      return m;
    }
    case api_key::sasl_handshake:
      return sasl_handshake_request{"SCRAM-SHA-512"};
    case api_key::sasl_authenticate: {
      sasl_authenticate_request m;
      m.auth_bytes = {std::byte{'n'}, std::byte{','}, std::byte{0}, std::byte{0xff}};
      return m;
    }
    case api_key::describe_user_scram_credentials: {
      describe_user_scram_credentials_request m;
      m.users = std::vector<std::string>{"alice", "bob"};
      return m;
    }
    case api_key::alter_user_scram_credentials: {
      alter_user_scram_credentials_request m;
      m.deletions = {{"bob", 1}};
      m.upsertions = {{"alice", 2, 8192, {std::byte{1}, std::byte{2}}, {std::byte{3}}}};
      return m;
    }
  }
  return api_versions_request{};
}


inline response_body sample_response(api_key key, int16_t v) {
  switch (key) {
    case api_key::api_versions: {
      api_versions_response m;
      m.error = error_code::none;
      m.api_keys = {{0, 0, 8}, {1, 4, 11}, {18, 0, 4}};
      if (v >= 1) m.throttle_time_ms = 11;
      return m;
    }
    case api_key::metadata: {
      metadata_response m;
      if (v >= 3) m.throttle_time_ms = 5;
      metadata_broker b1{1, "broker-1", 9092, std::nullopt};
      if (v >= 1) b1.rack = "rack-a";
      m.brokers = {b1, {2, "broker-2", 9093, std::nullopt}};
      if (v >= 2) m.cluster_id = "cluster-x";
      if (v >= 1) m.controller_id = 1;
      metadata_partition p;
      p.error = error_code::leader_not_available;
      p.partition_index = 0;
      p.leader_id = 1;
      if (v >= 7) p.leader_epoch = 4;
      p.replica_nodes = {1, 2};
      p.isr_nodes = {1};
      if (v >= 5) p.offline_replicas = {2};
      metadata_topic t;
      t.error = error_code::none;
      t.name = "ticks";
      if (v >= 1) t.is_internal = true;
      t.partitions = {p};
      if (v >= 8) t.topic_authorized_operations = 0x1234;
      metadata_topic unknown;
      unknown.error = error_code::unknown_topic_or_partition;
      unknown.name = "missing";
      m.topics = {t, unknown};
      if (v >= 8) m.cluster_authorized_operations = 0x55;
      return m;
    }
    case api_key::produce: {
      produce_response m;
      produce_partition_response p;
      p.partition_index = 0;
      p.error = error_code::none;
      p.base_offset = 42;
      if (v >= 2) p.log_append_time_ms = 1700000000000;
      if (v >= 5) p.log_start_offset = 7;
      if (v >= 8) {
        p.record_errors = {{3, "bad record"}, {4, std::nullopt}};
        p.error_message = "batch dropped";
      }
      produce_partition_response q;
      q.partition_index = 1;
      q.error = error_code::corrupt_message;
      m.responses = {{"ticks", {p, q}}};
      if (v >= 1) m.throttle_time_ms = 9;
      return m;
    }
    case api_key::fetch: {
      fetch_response m;
      if (v >= 1) m.throttle_time_ms = 3;
      if (v >= 7) {
        m.error = error_code::none;
        m.session_id = 17;
      }
      fetch_partition_response p;
      p.partition_index = 0;
      p.high_watermark = 200;
      if (v >= 4) p.last_stable_offset = 199;
      if (v >= 5) p.log_start_offset = 5;
      if (v >= 4) p.aborted_transactions = std::vector<fetch_aborted_transaction>{{7, 150}};
      if (v >= 11) p.preferred_read_replica = 1;
      p.records = {record_chunk{shared_sample_batch()}};
      fetch_partition_response empty;
      empty.partition_index = 1;
      empty.error = error_code::offset_out_of_range;
      m.responses = {{"ticks", {p, empty}}};
      return m;
    }
    case api_key::list_offsets: {
      list_offsets_response m;
      if (v >= 2) m.throttle_time_ms = 4;
      list_offsets_partition_response p;
      p.partition_index = 1;
      p.error = error_code::none;
      p.timestamp = 1000;
      p.offset = 55;
      if (v >= 4) p.leader_epoch = 0;
      m.topics = {{"ticks", {p}}};
      return m;
    }
    case api_key::find_coordinator: {
      find_coordinator_response m;
      if (v >= 1) {
        m.throttle_time_ms = 1;
        m.error_message = "fine";
      }
      m.node_id = 1;
      m.host = "broker-1";
      m.port = 9092;
      return m;
    }
    case api_key::join_group: {
      join_group_response m;
      if (v >= 2) m.throttle_time_ms = 2;
      m.generation_id = 3;
      m.protocol_name = "range";
      m.leader = "member-1";
      m.member_id = "member-1";
      join_group_member mb{"member-1", std::nullopt, byte_vector({4, 5})};
      if (v >= 5) mb.group_instance_id = "instance-1";
      m.members = {mb, {"member-2", std::nullopt, {}}};
      return m;
    }
    case api_key::heartbeat: {
      heartbeat_response m;
      if (v >= 1) m.throttle_time_ms = 1;
      m.error = error_code::rebalance_in_progress;
      return m;
    }
    case api_key::leave_group: {
      leave_group_response m;
      if (v >= 1) m.throttle_time_ms = 2;
      if (v >= 3)
        m.members = {{"member-1", std::nullopt, error_code::none},
                     {"member-2", "instance-2", error_code::unknown_member_id}};
      return m;
    }
    case api_key::sync_group: {
      sync_group_response m;
      if (v >= 1) m.throttle_time_ms = 1;
      m.error = error_code::none;
      m.assignment = byte_vector({0, 1, 0, 0, 0, 1});
      return m;
    }
    case api_key::describe_groups: {
      describe_groups_response m;
      if (v >= 1) m.throttle_time_ms = 1;
      describe_groups_member mb;
      mb.member_id = "member-1";
      if (v >= 4) mb.group_instance_id = "instance-1";
      mb.client_id = "client-1";
      mb.client_host = "/127.0.0.1";
      mb.member_metadata = byte_vector({1});
      mb.member_assignment = byte_vector({2, 3});
      describe_groups_group g;
      g.group_id = "group-1";
      g.group_state = "Stable";
      g.protocol_type = "consumer";
      g.protocol_data = "range";
      g.members = {mb};
      if (v >= 3) g.authorized_operations = 8;
      describe_groups_group dead;
      dead.error = error_code::group_id_not_found;
      dead.group_id = "group-2";
      dead.group_state = "Dead";
      m.groups = {g, dead};
      return m;
    }
    case api_key::list_groups: {
      list_groups_response m;
      if (v >= 1) m.throttle_time_ms = 1;
      m.groups = {{"group-1", "consumer"}, {"group-2", ""}};
      return m;
    }
    case api_key::offset_commit: {
      offset_commit_response m;
      if (v >= 3) m.throttle_time_ms = 1;
      m.topics = {{"ticks", {{0, error_code::none}, {1, error_code::offset_metadata_too_large}}}};
      return m;
    }
    case api_key::offset_fetch: {
      offset_fetch_response m;
      if (v >= 3) m.throttle_time_ms = 1;
      offset_fetch_partition_response p0;
      p0.partition_index = 0;
      p0.committed_offset = 42;
      if (v >= 5) p0.committed_leader_epoch = 1;
      p0.metadata = "meta";
      offset_fetch_partition_response p1;
      p1.partition_index = 1;
      p1.metadata = "";
      m.topics = {{"ticks", {p0, p1}}};
      if (v >= 2) m.error = error_code::coordinator_load_in_progress;
      return m;
    }
    case api_key::init_producer_id: {
      init_producer_id_response m;
      m.throttle_time_ms = 2;
      m.producer_id = 1000;
      m.producer_epoch = 0;
      return m;
    }
    case api_key::create_topics: {
      create_topics_response m;
      if (v >= 2) m.throttle_time_ms = 1;
      create_topics_topic_response t{"ticks", error_code::topic_already_exists, std::nullopt};
      if (v >= 1) t.error_message = "Topic 'ticks' already exists.";
      m.topics = {t, {"quotes", error_code::none, std::nullopt}};
      return m;
    }
    case api_key::delete_topics: {
      delete_topics_response m;
      if (v >= 1) m.throttle_time_ms = 1;
      m.responses = {{"ticks", error_code::none},
                     {"quotes", error_code::unknown_topic_or_partition}};
      return m;
    }
    case api_key::describe_configs: {
      describe_configs_response m;
      m.throttle_time_ms = 1;
      describe_configs_entry e;
      e.name = "retention.ms";
      e.value = "1000";
      if (v == 0) e.is_default = true;
      if (v >= 1) {
        e.config_source = config_source_topic;
        e.synonyms = {{"retention.ms", "1000", config_source_topic}};
      }
      describe_configs_entry secret;
      secret.name = "sasl.jaas.config";
      secret.is_sensitive = true;
      secret.read_only = true;
      m.results = {{error_code::none, std::nullopt, config_resource_topic, "ticks", {e, secret}},
                   {error_code::invalid_request, "no such broker", config_resource_broker, "9",
                    {}}};
      return m;
    }
    case api_key::create_partitions: {
      create_partitions_response m;
      m.results = {{"ticks", error_code::none, std::nullopt},
                   {"quotes", error_code::invalid_partitions, "only grows"}};
      return m;
    }
    case api_key::delete_records: {
      delete_records_response m;
      m.topics = {{"ticks", {{0, 42, error_code::none}, {1, -1, error_code::offset_out_of_range}}}};
      return m;
    }
    case api_key::delete_groups: {
      delete_groups_response m;
      m.results = {{"g1", error_code::none, std::nullopt}};
      if (v >= 3) m.results.push_back({"g2", error_code::non_empty_group, "has members"});
      return m;
    }
    case api_key::offset_delete: {
      offset_delete_response m;
      m.topics = {{"ticks", {{0, error_code::none}, {2, error_code::group_subscribed_to_topic}}}};
      return m;
    }
    case api_key::alter_configs: {
      alter_configs_response m;
      m.responses = {{error_code::invalid_config, "bad value", config_resource_topic, "ticks"}};
      return m;
    }
    case api_key::incremental_alter_configs: {
      incremental_alter_configs_response m;
      m.responses = {{error_code::none, std::nullopt, config_resource_topic, "ticks"}};
      return m;
    }
    case api_key::describe_cluster: {
      describe_cluster_response m;
      m.cluster_id = "lkstream-cluster";
      m.controller_id = 1;
      m.brokers = {{1, "127.0.0.1", 9092, std::nullopt, false}};
      return m;
    }
    case api_key::describe_log_dirs: {
      describe_log_dirs_response m;
      describe_log_dirs_result r;
      r.log_dir = "/var/lib/lkstream";
      r.topics = {{"ticks", {{0, 4096, 0, false}}}};
      if (v >= 4) {
        r.total_bytes = 1 << 30;
        r.usable_bytes = 1 << 29;
      }
      m.results = {r};
      return m;
    }
    case api_key::list_partition_reassignments: {
      list_partition_reassignments_response m;
      m.topics = {{"ticks", {{0, {1}, {}, {}}}}};
      return m;
    }
    case api_key::describe_acls: {
      describe_acls_response m;
      m.error = error_code::security_disabled;
      m.error_message = "No Authorizer is configured.";
      m.resources = {{2, "ticks", 3, {{"User:alice", "*", 3, 3}}}};
      return m;
    }
    case api_key::create_acls: {
      create_acls_response m;
      m.results = {{error_code::security_disabled, "No Authorizer is configured."}};
      return m;
    }
    case api_key::delete_acls: {
      delete_acls_response m;
      delete_acls_matching_acl a{error_code::none, std::nullopt, 2, "ticks", 3, "User:alice", "*",
                                 3, 3};
      m.filter_results = {{error_code::security_disabled, "No Authorizer is configured.", {a}}};
      return m;
    }
    case api_key::add_partitions_to_txn: {
      add_partitions_to_txn_response m;
      m.throttle_time_ms = 1;
      m.results = {{"ticks", {{0, error_code::none}, {2, error_code::concurrent_transactions}}}};
      return m;
    }
    case api_key::add_offsets_to_txn: {
      add_offsets_to_txn_response m;
      m.throttle_time_ms = 1;
      m.error = error_code::producer_fenced;
      return m;
    }
    case api_key::end_txn: {
      end_txn_response m;
      m.throttle_time_ms = 2;
      m.error = error_code::invalid_txn_state;
      return m;
    }
    case api_key::txn_offset_commit: {
      txn_offset_commit_response m;
      m.throttle_time_ms = 3;
      m.topics = {{"ticks", {{0, error_code::none}, {1, error_code::illegal_generation}}}};
      return m;
    }
    case api_key::describe_producers: {
      describe_producers_response m;
      m.throttle_time_ms = 1;
      describe_producers_partition p;
      p.partition_index = 0;
      p.active_producers = {{1000, 3, 41, 1700000000000, 0, 17}, {1001, 0, -1, -1, -1, -1}};
      describe_producers_partition q;
      q.partition_index = 9;
      q.error = error_code::unknown_topic_or_partition;
      q.error_message = "no partition 9";
      m.topics = {{"ticks", {p, q}}};
      return m;
    }
    case api_key::describe_transactions: {
      describe_transactions_response m;
      m.throttle_time_ms = 1;
      transaction_description d;
      d.transactional_id = "tx-1";
      d.transaction_state = "Ongoing";
      d.transaction_timeout_ms = 60000;
      d.transaction_start_time_ms = 1700000000000;
      d.producer_id = 1000;
      d.producer_epoch = 3;
      d.topics = {{"ticks", {0, 2}}};
      transaction_description unknown;
      unknown.error = static_cast<error_code>(105);
      unknown.transactional_id = "tx-2";
      m.transaction_states = {d, unknown};
      return m;
    }
    case api_key::list_transactions: {
      list_transactions_response m;
      m.throttle_time_ms = 1;
      m.unknown_state_filters = {"Bogus"};
      m.transaction_states = {{"tx-1", 1000, "Ongoing"}, {"tx-2", 1001, "CompleteCommit"}};
      return m;
    }
    case api_key::sasl_handshake:
      return sasl_handshake_response{error_code::unsupported_sasl_mechanism,
                                     {"SCRAM-SHA-256", "PLAIN"}};
    case api_key::sasl_authenticate: {
      sasl_authenticate_response m;
      m.error = error_code::sasl_authentication_failed;
      m.error_message = "Authentication failed";
      m.auth_bytes = {std::byte{'v'}, std::byte{'='}};
      if (v >= 1) m.session_lifetime_ms = 3600000;
      return m;
    }
    case api_key::describe_user_scram_credentials: {
      describe_user_scram_credentials_response m;
      m.throttle_time_ms = 1;
      m.results = {{"alice", error_code::none, std::nullopt, {{1, 4096}, {2, 8192}}},
                   {"bob", error_code::resource_not_found, "no such user", {}}};
      return m;
    }
    case api_key::alter_user_scram_credentials: {
      alter_user_scram_credentials_response m;
      m.results = {{"alice", error_code::none, std::nullopt},
                   {"bob", error_code::unacceptable_credential, "Too few iterations"}};
      return m;
    }
  }
  return api_versions_response{};
}

}  // namespace kafka_test

#pragma once
// Every served Kafka message type, and the two variants that carry "some request" and "some
// response" through the listener. Each alternative has `static constexpr api_key key`.

#include <variant>

#include "lkstream/kafka/api_key.hpp"
#include "lkstream/kafka/alter_configs.hpp"
#include "lkstream/kafka/create_acls.hpp"
#include "lkstream/kafka/create_partitions.hpp"
#include "lkstream/kafka/delete_acls.hpp"
#include "lkstream/kafka/delete_groups.hpp"
#include "lkstream/kafka/delete_records.hpp"
#include "lkstream/kafka/describe_acls.hpp"
#include "lkstream/kafka/describe_cluster.hpp"
#include "lkstream/kafka/describe_log_dirs.hpp"
#include "lkstream/kafka/incremental_alter_configs.hpp"
#include "lkstream/kafka/list_partition_reassignments.hpp"
#include "lkstream/kafka/offset_delete.hpp"
#include "lkstream/kafka/api_versions.hpp"
#include "lkstream/kafka/create_topics.hpp"
#include "lkstream/kafka/delete_topics.hpp"
#include "lkstream/kafka/describe_configs.hpp"
#include "lkstream/kafka/describe_groups.hpp"
#include "lkstream/kafka/fetch.hpp"
#include "lkstream/kafka/find_coordinator.hpp"
#include "lkstream/kafka/heartbeat.hpp"
#include "lkstream/kafka/init_producer_id.hpp"
#include "lkstream/kafka/join_group.hpp"
#include "lkstream/kafka/leave_group.hpp"
#include "lkstream/kafka/list_groups.hpp"
#include "lkstream/kafka/list_offsets.hpp"
#include "lkstream/kafka/metadata.hpp"
#include "lkstream/kafka/offset_commit.hpp"
#include "lkstream/kafka/offset_fetch.hpp"
#include "lkstream/kafka/produce.hpp"
#include "lkstream/kafka/sasl.hpp"
#include "lkstream/kafka/user_scram_credentials.hpp"
#include "lkstream/kafka/sync_group.hpp"
#include "lkstream/kafka/transactions.hpp"

namespace lkstream::kafka {

using request_body =
    std::variant<produce_request, fetch_request, list_offsets_request, metadata_request,
                 offset_commit_request, offset_fetch_request, find_coordinator_request,
                 join_group_request, heartbeat_request, leave_group_request, sync_group_request,
                 describe_groups_request, list_groups_request, api_versions_request,
                 create_topics_request, delete_topics_request, init_producer_id_request,
                 describe_configs_request, create_partitions_request, delete_records_request,
                 delete_groups_request, offset_delete_request, alter_configs_request,
                 incremental_alter_configs_request, describe_cluster_request,
                 describe_log_dirs_request, list_partition_reassignments_request,
                 describe_acls_request, create_acls_request, delete_acls_request,
                 add_partitions_to_txn_request, add_offsets_to_txn_request, end_txn_request,
                 txn_offset_commit_request, describe_producers_request,
                 describe_transactions_request, list_transactions_request,
                 sasl_handshake_request, sasl_authenticate_request,
                 describe_user_scram_credentials_request, alter_user_scram_credentials_request>;

using response_body =
    std::variant<produce_response, fetch_response, list_offsets_response, metadata_response,
                 offset_commit_response, offset_fetch_response, find_coordinator_response,
                 join_group_response, heartbeat_response, leave_group_response,
                 sync_group_response,
                 describe_groups_response, list_groups_response, api_versions_response,
                 create_topics_response, delete_topics_response, init_producer_id_response,
                 describe_configs_response, create_partitions_response, delete_records_response,
                 delete_groups_response, offset_delete_response, alter_configs_response,
                 incremental_alter_configs_response, describe_cluster_response,
                 describe_log_dirs_response, list_partition_reassignments_response,
                 describe_acls_response, create_acls_response, delete_acls_response,
                 add_partitions_to_txn_response, add_offsets_to_txn_response, end_txn_response,
                 txn_offset_commit_response, describe_producers_response,
                 describe_transactions_response, list_transactions_response,
                 sasl_handshake_response, sasl_authenticate_response,
                 describe_user_scram_credentials_response,
                 alter_user_scram_credentials_response>;

inline api_key key_of(const request_body& body) noexcept {
  return std::visit([](const auto& m) { return std::decay_t<decltype(m)>::key; }, body);
}

inline api_key key_of(const response_body& body) noexcept {
  return std::visit([](const auto& m) { return std::decay_t<decltype(m)>::key; }, body);
}

/// Body-only codecs over the variants (no header, no size prefix): dispatch to the
/// decode_<api>_... / encode_<api>_... function of `key` / of the alternative held.
result<request_body> decode_request_body(api_key key, wire_reader& r, int16_t version);
status encode_request_body(wire_writer& w, int16_t version, const request_body& body);
result<response_body> decode_response_body(api_key key, wire_reader& r, int16_t version);
status encode_response_body(wire_writer& w, int16_t version, const response_body& body);

}  // namespace lkstream::kafka

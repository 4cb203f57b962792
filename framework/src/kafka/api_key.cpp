#include "lkstream/kafka/api_key.hpp"

namespace lkstream::kafka {

std::string_view to_string(api_key key) noexcept {
  switch (key) {
    case api_key::produce: return "Produce";
    case api_key::fetch: return "Fetch";
    case api_key::list_offsets: return "ListOffsets";
    case api_key::metadata: return "Metadata";
    case api_key::offset_commit: return "OffsetCommit";
    case api_key::offset_fetch: return "OffsetFetch";
    case api_key::find_coordinator: return "FindCoordinator";
    case api_key::join_group: return "JoinGroup";
    case api_key::heartbeat: return "Heartbeat";
    case api_key::leave_group: return "LeaveGroup";
    case api_key::sync_group: return "SyncGroup";
    case api_key::describe_groups: return "DescribeGroups";
    case api_key::list_groups: return "ListGroups";
    case api_key::api_versions: return "ApiVersions";
    case api_key::sasl_handshake: return "SaslHandshake";
    case api_key::sasl_authenticate: return "SaslAuthenticate";
    case api_key::describe_user_scram_credentials: return "DescribeUserScramCredentials";
    case api_key::alter_user_scram_credentials: return "AlterUserScramCredentials";
    case api_key::create_topics: return "CreateTopics";
    case api_key::delete_topics: return "DeleteTopics";
    case api_key::init_producer_id: return "InitProducerId";
    case api_key::add_partitions_to_txn: return "AddPartitionsToTxn";
    case api_key::add_offsets_to_txn: return "AddOffsetsToTxn";
    case api_key::end_txn: return "EndTxn";
    case api_key::txn_offset_commit: return "TxnOffsetCommit";
    case api_key::describe_producers: return "DescribeProducers";
    case api_key::describe_transactions: return "DescribeTransactions";
    case api_key::list_transactions: return "ListTransactions";
    case api_key::describe_configs: return "DescribeConfigs";
    case api_key::delete_records: return "DeleteRecords";
    case api_key::describe_acls: return "DescribeAcls";
    case api_key::create_acls: return "CreateAcls";
    case api_key::delete_acls: return "DeleteAcls";
    case api_key::alter_configs: return "AlterConfigs";
    case api_key::describe_log_dirs: return "DescribeLogDirs";
    case api_key::create_partitions: return "CreatePartitions";
    case api_key::delete_groups: return "DeleteGroups";
    case api_key::incremental_alter_configs: return "IncrementalAlterConfigs";
    case api_key::list_partition_reassignments: return "ListPartitionReassignments";
    case api_key::offset_delete: return "OffsetDelete";
    case api_key::describe_cluster: return "DescribeCluster";
  }
  return "Unknown";
}

}  // namespace lkstream::kafka

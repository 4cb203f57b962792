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
  }
  return "Unknown";
}

}  // namespace lkstream::kafka

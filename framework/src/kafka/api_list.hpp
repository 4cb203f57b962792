#pragma once
// Private to framework/src/kafka: the served APIs by name, for the dispatch code in
// request.cpp and response.cpp. Must list the same APIs as supported_apis (static_asserts in
// those files compare the counts).

#define LKSTREAM_KAFKA_FOR_EACH_API(X)                                                        \
  X(produce) X(fetch) X(list_offsets) X(metadata) X(offset_commit) X(offset_fetch)            \
  X(find_coordinator) X(join_group) X(heartbeat) X(leave_group) X(sync_group)                 \
  X(describe_groups) X(list_groups) X(api_versions) X(create_topics) X(delete_topics)         \
  X(init_producer_id) X(describe_configs) X(create_partitions) X(delete_records)           \
  X(delete_groups) X(offset_delete) X(alter_configs) X(incremental_alter_configs)            \
  X(describe_cluster) X(describe_log_dirs) X(list_partition_reassignments) X(describe_acls)  \
  X(create_acls) X(delete_acls) X(add_partitions_to_txn) X(add_offsets_to_txn)             \
  X(end_txn) X(txn_offset_commit) X(describe_producers) X(describe_transactions)           \
  X(list_transactions) X(sasl_handshake) X(sasl_authenticate)                       \
  X(describe_user_scram_credentials) X(alter_user_scram_credentials)

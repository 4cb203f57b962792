#pragma once
// Kafka API keys (int16 on the wire, first field of every request header) of the APIs this
// codec implements. Which versions of each are served lives in supported_apis.hpp.

#include <cstdint>
#include <string_view>

namespace lkstream::kafka {

enum class api_key : int16_t {
  produce = 0,
  fetch = 1,
  list_offsets = 2,
  metadata = 3,
  offset_commit = 8,
  offset_fetch = 9,
  find_coordinator = 10,
  join_group = 11,
  heartbeat = 12,
  leave_group = 13,
  sync_group = 14,
  describe_groups = 15,
  list_groups = 16,
  sasl_handshake = 17,
  api_versions = 18,
  create_topics = 19,
  delete_topics = 20,
  init_producer_id = 22,
  delete_records = 21,
  add_partitions_to_txn = 24,
  add_offsets_to_txn = 25,
  end_txn = 26,
  txn_offset_commit = 28,
  describe_acls = 29,
  create_acls = 30,
  delete_acls = 31,
  describe_configs = 32,
  alter_configs = 33,
  describe_log_dirs = 35,
  sasl_authenticate = 36,
  create_partitions = 37,
  delete_groups = 42,
  incremental_alter_configs = 44,
  list_partition_reassignments = 46,
  offset_delete = 47,
  describe_user_scram_credentials = 50,
  alter_user_scram_credentials = 51,
  describe_cluster = 60,
  describe_producers = 61,
  describe_transactions = 65,
  list_transactions = 66,
};

/// Kafka's name, e.g. "Produce", "ApiVersions"; "Unknown" for keys not listed above.
std::string_view to_string(api_key key) noexcept;

constexpr int16_t to_wire(api_key key) noexcept { return static_cast<int16_t>(key); }

}  // namespace lkstream::kafka

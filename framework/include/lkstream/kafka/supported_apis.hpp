#pragma once
// The one table of Kafka APIs and versions LKSTREAM serves (kafka-protocol-notes.md §1.4,
// "phase 1": non-flexible versions everywhere except ApiVersions). ApiVersions responses,
// request dispatch, header versions and every codec's version check read this table; nothing
// else states a version range.
//
// Columns:
//   advertised_min  lowest version announced in ApiVersions.
//   min_version     lowest version the codec decodes. Equal to advertised_min except Produce:
//                   Produce 0-2 is announced (librdkafka <= 2.11.0 turns gzip/snappy/lz4 off
//                   unless Produce v0 is in range, KAFKA-18659) but not implemented; v0-2 carry
//                   magic 0/1 message sets that a v2-only log cannot store. decode_request
//                   reports them as unsupported_version and the listener closes the connection,
//                   which is what Kafka 4 does.
//   max_version     highest version decoded and announced.
//   first_flexible  first version that uses compact encodings and tagged fields, from the
//                   Kafka JSON schemas ("flexibleVersions"). Only ApiVersions (3+) is flexible
//                   inside the served ranges; the column also selects the header versions.
//
// The admin APIs (CreatePartitions .. DeleteAcls) serve Kafka 4.4's whole range, flexible
// versions included (the codec switches encodings by itself); DescribeLogDirs and the ACL APIs
// start at 1 as in Kafka 4 (KIP-896 removed their v0). OffsetDelete has no flexible version
// (its column says 1, past its only version 0).
//
// Ranges that the brief left open and that follow the notes' table: DescribeGroups 0-4,
// ListGroups 0-2, DescribeConfigs 0-2 (all non-flexible: they turn flexible at 5, 3 and 4).

#include <array>
#include <cstdint>
#include <optional>

#include "lkstream/kafka/api_key.hpp"

namespace lkstream::kafka {

struct api_support {
  api_key key;
  int16_t advertised_min;
  int16_t min_version;
  int16_t max_version;
  int16_t first_flexible;

  constexpr bool decodes(int16_t v) const noexcept { return v >= min_version && v <= max_version; }
  constexpr bool flexible(int16_t v) const noexcept { return v >= first_flexible; }
};

// clang-format off
inline constexpr std::array<api_support, 41> supported_apis{{
  //  key                          adv.min  min  max  flexible from
  {api_key::produce,                  0,     3,   8,   9},
  {api_key::fetch,                    4,     4,  11,  12},
  {api_key::list_offsets,             1,     1,   5,   6},
  {api_key::metadata,                 0,     0,   8,   9},
  {api_key::offset_commit,            2,     2,   7,   8},
  {api_key::offset_fetch,             1,     1,   7,   6},
  {api_key::find_coordinator,         0,     0,   2,   3},
  {api_key::join_group,               0,     0,   5,   6},
  {api_key::heartbeat,                0,     0,   3,   4},
  {api_key::leave_group,              0,     0,   3,   4},
  {api_key::sync_group,               0,     0,   3,   4},
  {api_key::describe_groups,          0,     0,   4,   5},
  {api_key::list_groups,              0,     0,   2,   3},
  {api_key::api_versions,             0,     0,   4,   3},
  {api_key::create_topics,            0,     0,   4,   5},
  {api_key::delete_topics,            0,     0,   3,   4},
  {api_key::init_producer_id,         0,     0,   1,   2},
  {api_key::describe_configs,         0,     0,   2,   4},
  {api_key::create_partitions,        0,     0,   3,   2},
  {api_key::delete_records,           0,     0,   2,   2},
  {api_key::delete_groups,            0,     0,   3,   2},
  {api_key::offset_delete,            0,     0,   0,   1},
  {api_key::alter_configs,            0,     0,   2,   2},
  {api_key::incremental_alter_configs, 0,    0,   1,   1},
  {api_key::describe_cluster,         0,     0,   2,   0},
  {api_key::describe_log_dirs,        1,     1,   5,   2},
  {api_key::list_partition_reassignments, 0, 0,  0,   0},
  {api_key::describe_acls,            1,     1,   3,   2},
  {api_key::create_acls,              1,     1,   3,   2},
  {api_key::delete_acls,              1,     1,   3,   2},
  // Transactions (transactions.hpp). TxnOffsetCommit needs 3 (flexible) for KIP-447's group
  // fields, which the Java client requires with consumer group metadata; the three describe
  // APIs are flexible from their first version.
  {api_key::add_partitions_to_txn,    0,     0,   3,   3},
  {api_key::add_offsets_to_txn,       0,     0,   3,   3},
  {api_key::end_txn,                  0,     0,   3,   3},
  {api_key::txn_offset_commit,        0,     0,   3,   3},
  {api_key::describe_producers,       0,     0,   0,   0},
  {api_key::describe_transactions,    0,     0,   0,   0},
  {api_key::list_transactions,        0,     0,   1,   0},
  // Security (issue 17): Kafka 4.4's whole ranges. SaslHandshake is never flexible (its
  // column says 2, past its last version).
  {api_key::sasl_handshake,           0,     0,   1,   2},
  {api_key::sasl_authenticate,        0,     0,   2,   2},
  {api_key::describe_user_scram_credentials, 0, 0, 0, 0},
  {api_key::alter_user_scram_credentials,    0, 0, 0, 0},
}};
// clang-format on

/// The table row of a wire api key, or nullptr when the key is not served.
const api_support* find_api(int16_t key) noexcept;

/// The row of a served key. Precondition: `key` is in the table (every api_key value is).
const api_support& api_info(api_key key) noexcept;

/// Request header version: 2 (tagged fields after client_id) for flexible versions, else 1.
int16_t request_header_version(api_key key, int16_t version) noexcept;

/// Response header version: 1 (tagged fields after correlation_id) for flexible versions, else
/// 0. ApiVersions always answers with header v0 (KIP-511), whatever the version, so that a
/// client can read the error of a version it guessed too high.
int16_t response_header_version(api_key key, int16_t version) noexcept;

}  // namespace lkstream::kafka

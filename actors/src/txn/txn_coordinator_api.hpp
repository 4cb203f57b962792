#pragma once
// The transaction coordinator's interface (txn_coordinator_actor.hpp): one per engine, the
// owner of every transactional id's state (framework/txn/txn_coordinator_core.hpp).
//
//   request                                                          reply
//   (txn_init_atom, std::string id, int32_t timeout_ms)              (int16_t error,
//                                                                     int64_t producer_id,
//                                                                     int16_t epoch)
//   (txn_add_partitions_atom, std::string id, int64_t pid, int16_t epoch,
//    txn_partition_list)                                              int16_t error
//   (txn_add_offsets_atom, std::string id, int64_t pid, int16_t epoch,
//    std::string group_id)                                            int16_t error
//   (txn_offset_commit_atom, txn_offset_commit_args)                 int16_t error
//       after the group's own KIP-447 checks: the offsets wait in the transaction
//   (txn_end_atom, std::string id, int64_t pid, int16_t epoch, bool commit)  int16_t error
//       answered once the outcome is durable AND its markers (and, on commit, its offsets)
//       are written, so a read_committed reader that starts after the answer sees it
//   (txn_describe_atom, std::vector<std::string> ids)               txn_metadata_list
//       one entry per id, producer_id -1 for unknown ones
//   (txn_list_atom)                                                  txn_metadata_list
//   (txn_pending_offsets_atom, std::string group_id)                 txn_partition_list
//       the group's partitions with an offset waiting in an unfinished transaction
// Sent by the actor to itself:
//   (txn_tick_atom)              timeouts (transaction.timeout.ms) and retries of completions
//   (txn_marker_done_atom, std::string id, uint64_t round, int32_t errc)
//                                a partition wrote (or refused) a marker of completion `round`
//
// Errors are Kafka wire codes (kafka::error_code as int16_t), answered as they are. A
// caf::error reply means the actor is gone: clients get COORDINATOR_NOT_AVAILABLE.

#include <caf/all.hpp>

#include <cstdint>
#include <string>
#include <vector>

#include "message_types.hpp"

namespace lkstream::actors {

using txn_init_atom = caf::atom_constant<caf::atom("txn_init")>;
using txn_add_partitions_atom = caf::atom_constant<caf::atom("txn_addp")>;
using txn_add_offsets_atom = caf::atom_constant<caf::atom("txn_addo")>;
using txn_offset_commit_atom = caf::atom_constant<caf::atom("txn_ocmt")>;
using txn_end_atom = caf::atom_constant<caf::atom("txn_end")>;
using txn_describe_atom = caf::atom_constant<caf::atom("txn_desc")>;
using txn_list_atom = caf::atom_constant<caf::atom("txn_list")>;
using txn_pending_offsets_atom = caf::atom_constant<caf::atom("txn_pendo")>;
using txn_tick_atom = caf::atom_constant<caf::atom("txn_tick")>;
using txn_marker_done_atom = caf::atom_constant<caf::atom("txn_mdone")>;

using txn_coordinator_actor = caf::typed_actor<
    caf::replies_to<txn_init_atom, std::string, int32_t>::with<int16_t, int64_t, int16_t>,
    caf::replies_to<txn_add_partitions_atom, std::string, int64_t, int16_t,
                    txn::txn_partition_list>::with<int16_t>,
    caf::replies_to<txn_add_offsets_atom, std::string, int64_t, int16_t,
                    std::string>::with<int16_t>,
    caf::replies_to<txn_offset_commit_atom, txn::txn_offset_commit_args>::with<int16_t>,
    caf::replies_to<txn_end_atom, std::string, int64_t, int16_t, bool>::with<int16_t>,
    caf::replies_to<txn_describe_atom, std::vector<std::string>>::with<txn::txn_metadata_list>,
    caf::replies_to<txn_list_atom>::with<txn::txn_metadata_list>,
    caf::replies_to<txn_pending_offsets_atom, std::string>::with<txn::txn_partition_list>,
    caf::reacts_to<txn_tick_atom>,
    caf::reacts_to<txn_marker_done_atom, std::string, uint64_t, int32_t>>;

}  // namespace lkstream::actors

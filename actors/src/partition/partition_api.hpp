#pragma once
// The partition actor's interface: the one writer of a partition's log (partition_actor.hpp).
// The compiler checks every message sent through a partition_actor handle against this list;
// a message outside it is logged and counted by the actor (log_unexpected_message).
//
//   message                                               reply
//   (append_atom, append_batch, append_sink_ptr, bool validate)    -- answered through the sink
//       the batch is stamped in place and kept (no copy) in the hot tail
//   (append_marker_atom, int64_t producer_id, int16_t epoch, bool commit,
//    int32_t coordinator_epoch, append_sink_ptr)                   -- answered through the sink
//       the transaction coordinator's commit/abort marker (partition_core::append_marker)
//   (describe_producers_atom)                             producer_description_list
//       the producers with state here (DescribeProducers)
//   (fetch_atom, fetch_request, fetch_sink_ptr)                    -- the sink (maybe parked)
//   (answer_parked_fetch_atom, fetch_sink_ptr)                     -- that sink's parked fetch
//                                                                     is answered now
//   (list_offsets_atom, int64_t ts, bool read_committed)  (int64_t offset, int64_t timestamp)
//       ts: -2 earliest, -1 latest (high watermark, or the LSO when read_committed), else the
//       first offset with time >= ts (below the latest one)
//   (describe_atom)                                       partition_description
//   (apply_retention_atom, int64_t now_ms)                uint64_t segments deleted
//   (delete_records_atom, int64_t before)                 int64_t new log start offset
//       (DeleteRecords; before = -1: the high watermark) | error (offset_out_of_range)
//   (update_config_atom, log_config, bool log_append_time)         -- new storage settings
//   (cleaning_snapshot_atom, int64_t now_ms)              cleaning_input: what the cleaner
//       may read (log_cleaner.hpp); `closed` is empty when the partition is not due
//   (swap_cleaned_atom, cleaning_swap)                    uint64_t bytes reclaimed: the
//       cleaned segments replace the old ones here, between two appends
//   (delete_atom)                                         bool: the log directory is removed
//                                                         and the actor quits
// Sent by the actor to itself (timers and group commit):
//   (sync_atom)                  an fdatasync of what was appended so far
//   (interval_sync_atom)         fsync = interval: the interval elapsed
//   (fetch_deadline_atom, gen)   the earliest parked fetch's deadline passed

#include <caf/all.hpp>

#include <cstdint>

#include "message_types.hpp"
#include "messages.hpp"

namespace lkstream::actors {

using append_atom = caf::atom_constant<caf::atom("append")>;
using fetch_atom = caf::atom_constant<caf::atom("fetch")>;
using append_marker_atom = caf::atom_constant<caf::atom("txn_mark")>;
using describe_producers_atom = caf::atom_constant<caf::atom("desc_prod")>;
using answer_parked_fetch_atom = caf::atom_constant<caf::atom("fetch_now")>;
using list_offsets_atom = caf::atom_constant<caf::atom("list_off")>;
using apply_retention_atom = caf::atom_constant<caf::atom("retention")>;
using update_config_atom = caf::atom_constant<caf::atom("config")>;
using delete_records_atom = caf::atom_constant<caf::atom("del_recs")>;
using cleaning_snapshot_atom = caf::atom_constant<caf::atom("cln_snap")>;
using swap_cleaned_atom = caf::atom_constant<caf::atom("cln_swap")>;
using sync_atom = caf::atom_constant<caf::atom("sync")>;
using interval_sync_atom = caf::atom_constant<caf::atom("tick_sync")>;
using fetch_deadline_atom = caf::atom_constant<caf::atom("fetch_tmo")>;

using partition_actor = caf::typed_actor<
    caf::reacts_to<append_atom, append_batch, append_sink_ptr, bool>,
    caf::reacts_to<append_marker_atom, int64_t, int16_t, bool, int32_t, append_sink_ptr>,
    caf::replies_to<describe_producers_atom>::with<partition::producer_description_list>,
    caf::reacts_to<fetch_atom, fetch_request, fetch_sink_ptr>,
    caf::reacts_to<answer_parked_fetch_atom, fetch_sink_ptr>,
    caf::replies_to<list_offsets_atom, int64_t, bool>::with<int64_t, int64_t>,
    caf::replies_to<describe_atom>::with<partition_description>,
    caf::replies_to<apply_retention_atom, int64_t>::with<uint64_t>,
    caf::replies_to<delete_records_atom, int64_t>::with<int64_t>,
    caf::reacts_to<update_config_atom, storage::log_config, bool>,
    caf::replies_to<cleaning_snapshot_atom, int64_t>::with<storage::cleaning_input>,
    caf::replies_to<swap_cleaned_atom, storage::cleaning_swap>::with<uint64_t>,
    caf::replies_to<delete_atom>::with<bool>,
    caf::reacts_to<sync_atom>,
    caf::reacts_to<interval_sync_atom>,
    caf::reacts_to<fetch_deadline_atom, uint64_t>>;

}  // namespace lkstream::actors

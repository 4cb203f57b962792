#pragma once
// The cleaner actor's interface (cleaner_actor.hpp).
//
//   request                 reply
//   (run_cleaning_atom)     uint64_t: one round now: every due partition of every compacted
//                           topic cleaned and swapped; the partitions cleaned
// Sent by the actor to itself:
//   (cleaner_tick_atom)     the backoff elapsed: one round, and the timer is re-armed
//
// The cleaner's worker (detached, linked to the cleaner: its own thread for the disk work):
//   (clean_segments_atom, cleaning_input)   (cleaning_swap, uint64_t records_removed,
//                                           uint64_t tombstones_removed, bool partial): the
//                                           cleaned files written, for the partition to swap in

#include <caf/all.hpp>

#include <cstdint>

#include "message_types.hpp"

namespace lkstream::actors {

using run_cleaning_atom = caf::atom_constant<caf::atom("cln_round")>;
using cleaner_tick_atom = caf::atom_constant<caf::atom("cln_tick")>;
using clean_segments_atom = caf::atom_constant<caf::atom("cln_work")>;

using cleaner_actor = caf::typed_actor<caf::replies_to<run_cleaning_atom>::with<uint64_t>,
                                       caf::reacts_to<cleaner_tick_atom>>;

using cleaner_worker_actor = caf::typed_actor<
    caf::replies_to<clean_segments_atom, storage::cleaning_input>::with<
        storage::cleaning_swap, uint64_t, uint64_t, bool>>;

}  // namespace lkstream::actors

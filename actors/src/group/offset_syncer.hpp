#pragma once
// offset_syncer: a detached actor (its own thread) that runs the fdatasync of consumer-group
// offset files, so no CAF worker ever blocks on the disk for an OffsetCommit. One per group
// manager, linked to it; coordinators send it one job at a time each (offset_store::sync_job)
// and carry on; everything they write meanwhile goes with their next job (group commit).
//
//   request                                  reply
//   (offset_sync_atom, offset_store::sync_job)   (int32_t errc, std::string message)  0 = ok
//
// Shutdown: it is linked to the manager and also sent an exit by it. Jobs still queued then
// are dropped: their commits were never acknowledged.

#include <caf/all.hpp>

#include "lkstream/group/offset_store.hpp"

namespace lkstream::group {

using offset_sync_atom = caf::atom_constant<caf::atom("grp_osync")>;

caf::behavior offset_syncer(caf::event_based_actor* self);

}  // namespace lkstream::group

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(lkstream::group::offset_store::sync_job)

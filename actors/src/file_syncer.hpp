#pragma once
// file_syncer: a detached actor (its own thread) that runs fdatasync for actors that must not
// block a CAF worker on the disk: the partition actors of a topic registry share one, the
// group coordinators of the group manager another (offset files). Each requester
// sends one job at a time and keeps appending meanwhile; what they append during a sync goes
// with their next job (group commit across the wait).
//
//   request                                      reply
//   (file_sync_atom, std::shared_ptr<file>)      (int32_t errc, std::string message)  0 = ok
//
// The shared_ptr keeps the file open even if its owner closes or deletes the segment while
// the sync runs. When the syncer is gone (shutdown), requesters get a CAF error instead and
// sync inline.

#include <caf/all.hpp>

#include "lkstream/storage/file_system.hpp"

namespace lkstream::actors {

using file_sync_atom = caf::atom_constant<caf::atom("file_sync")>;

caf::behavior file_syncer(caf::event_based_actor* self);

}  // namespace lkstream::actors

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(std::shared_ptr<lkstream::storage::file>)

#pragma once
// file_syncer: a detached actor (its own thread) that runs fdatasync for actors that must not
// block a CAF worker on the disk: the partition actors of a topic registry share one, the
// group coordinators of the group manager another (offset files). Each requester
// sends one job at a time and keeps appending meanwhile; what they append during a sync goes
// with their next job (group commit across the wait). Interface: file_syncer_api.hpp.
//
// The shared_ptr keeps the file open even if its owner closes or deletes the segment while
// the sync runs. When the syncer is gone (shutdown), requesters get a CAF error instead and
// sync inline.

#include <caf/all.hpp>

#include "file_syncer_api.hpp"

namespace lkstream::actors {

/// The behaviour; spawn it detached: `spawn<caf::detached>(file_syncer)`.
file_syncer_actor::behavior_type file_syncer(file_syncer_actor::pointer self);

}  // namespace lkstream::actors

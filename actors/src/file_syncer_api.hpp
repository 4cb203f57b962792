#pragma once
// The file syncer's interface: a detached actor (its own thread) that runs fdatasync for actors
// that must not block a CAF worker on the disk (file_syncer.hpp).
//
//   request                                          reply
//   (file_sync_atom, std::shared_ptr<storage::file>)  (int32_t errc, std::string message)  0 = ok

#include <caf/all.hpp>

#include <cstdint>
#include <memory>
#include <string>

#include "message_types.hpp"

namespace lkstream::actors {

using file_sync_atom = caf::atom_constant<caf::atom("file_sync")>;

using file_syncer_actor = caf::typed_actor<
    caf::replies_to<file_sync_atom, std::shared_ptr<storage::file>>::with<int32_t, std::string>>;

}  // namespace lkstream::actors

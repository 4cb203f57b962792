#pragma once
// The retention actor's interface (retention_actor.hpp).
//
//   request                 reply
//   (run_retention_atom)    uint64_t: one round now; segments deleted over every partition
// Sent by the actor to itself:
//   (retention_tick_atom)   the interval elapsed: one round, and the timer is re-armed
//   (idle_files_tick_atom)  files_interval elapsed: idle file descriptors closed, re-armed

#include <caf/all.hpp>

#include <cstdint>

#include "message_types.hpp"

namespace lkstream::actors {

using run_retention_atom = caf::atom_constant<caf::atom("ret_round")>;
using retention_tick_atom = caf::atom_constant<caf::atom("ret_tick")>;
using idle_files_tick_atom = caf::atom_constant<caf::atom("idle_files")>;

using retention_actor = caf::typed_actor<caf::replies_to<run_retention_atom>::with<uint64_t>,
                                         caf::reacts_to<retention_tick_atom>,
                                         caf::reacts_to<idle_files_tick_atom>>;

}  // namespace lkstream::actors

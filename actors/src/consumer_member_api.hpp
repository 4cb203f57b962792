#pragma once
// Message interface of an embedded consumer's group member (consumer_member.cpp): one actor per
// subscribed consumer, running Kafka's classic membership cycle (join, the leader assigns, sync,
// heartbeat) against the group manager with asynchronous requests and timers.
//
//   message                                        from              effect
//   (member_rejoin_atom, std::vector<std::string>) subscribe()       new subscription: rejoin
//                                                                    now, or once the cycle in
//                                                                    progress reached stable
//   (member_leave_atom) -> bool                    close()           commit (auto-commit), leave
//                                                                    the group, answer, quit
//   (member_tick_atom, uint64_t token)             itself            heartbeat or retry timer
//   (member_revoked_atom, uint64_t token)          the commit writer the revocation commit is
//                                                                    written: take the new
//                                                                    assignment
//
// Ticks and replies carry the token of the cycle step that asked for them; the member bumps it
// on every step, so a late one is ignored. The member monitors the group manager: when the
// engine stops its actors, the member stops too.

#include <caf/all.hpp>

#include <cstdint>
#include <string>
#include <vector>

#include "message_types.hpp"

namespace lkstream::actors {

using member_rejoin_atom = caf::atom_constant<caf::atom("mbr_rejoin")>;
using member_leave_atom = caf::atom_constant<caf::atom("mbr_leave")>;
using member_tick_atom = caf::atom_constant<caf::atom("mbr_tick")>;
using member_revoked_atom = caf::atom_constant<caf::atom("mbr_revokd")>;

using consumer_member_actor =
    caf::typed_actor<caf::reacts_to<member_rejoin_atom, std::vector<std::string>>,
                     caf::replies_to<member_leave_atom>::with<bool>,
                     caf::reacts_to<member_tick_atom, uint64_t>,
                     caf::reacts_to<member_revoked_atom, uint64_t>>;

}  // namespace lkstream::actors

#pragma once
// The interfaces of the connector host's actors. Both run detached (a plugin call may block)
// and take no requests from other actors: the host talks to them through their status cells
// and stops them with an exit message. Their messages are their own timers and steps.
//
// connector_actor (connector_actor.hpp), one per configured connector:
//   (connector_start_atom)   start an instance (the first attempt)
//   (connector_step_atom)    one poll/deliver step of the running instance
//   (connector_tick_atom)    backoff timer: restart the instance once the backoff elapsed
// connector_status_publisher_actor (connector_status_publisher.hpp):
//   (status_publish_tick_atom)  publish the statuses that changed (or are due) and re-arm

#include <caf/all.hpp>

#include "message_types.hpp"

namespace lkstream::actors {

using connector_start_atom = caf::atom_constant<caf::atom("cstart")>;
using connector_step_atom = caf::atom_constant<caf::atom("cstep")>;
using connector_tick_atom = caf::atom_constant<caf::atom("ctick")>;
using status_publish_tick_atom = caf::atom_constant<caf::atom("ptick")>;

using connector_actor =
    caf::typed_actor<caf::reacts_to<connector_start_atom>, caf::reacts_to<connector_step_atom>,
                     caf::reacts_to<connector_tick_atom>>;

using connector_status_publisher_actor =
    caf::typed_actor<caf::reacts_to<status_publish_tick_atom>>;

}  // namespace lkstream::actors

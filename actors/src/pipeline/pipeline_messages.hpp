#pragma once
// Atoms and message types of the pipeline actors (internal). Batches travel as
// pipeline_detail::batch_ptr: the sender gives up its reference, the receiver owns the batch.

#include <caf/all.hpp>

#include "lkstream/pipeline/batch.hpp"
#include "message_types.hpp"

namespace lkstream::actors {

using pbatch_atom = caf::atom_constant<caf::atom("pbatch")>;  // (sender id, batch)
using pstep_atom = caf::atom_constant<caf::atom("pstep")>;    // source: next poll step
using pstop_atom = caf::atom_constant<caf::atom("pstop")>;    // source: drain and stop
using pepoch_atom = caf::atom_constant<caf::atom("pepoch")>;  // (epoch, ok): outputs durable
using pckpt_atom = caf::atom_constant<caf::atom("pckpt")>;    // (epoch, ok, error text)

}  // namespace lkstream::actors

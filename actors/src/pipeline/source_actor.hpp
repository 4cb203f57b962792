#pragma once
// source_actor: reads a pipeline's source topics through an embedded consumer (group
// "pipeline.<name>", no auto-commit) on a detached actor, since poll() blocks.
//
// A step: commit what completed (at most every commit_interval_ms, with consumer::commit_async,
// so the poll loop never waits for the offsets' fdatasync; the consumer writes commits in issue
// order and a failed one is retried with the next), then, if fewer than
// max_in_flight_batches polls are in flight, poll once and send one source_batch per from()
// to its entry stages (empty ones too: they carry the watermark), all sharing the poll's
// ticket; otherwise wait (bounded) for a ticket to complete. The watermark is the smallest,
// over the assigned partitions, of the highest record timestamp read from each (partitions at
// their end do not hold it back).
//
// Bounded runs (stop_at_end): when a poll is empty and every assigned partition's position
// reached its end offset, the source sends an end_of_input batch, waits for every ticket,
// commits synchronously (after the pending async commits) and finishes. (pstop_atom) drains
// the same way without the end batch. A failure
// (pipeline_monitor::failed) stops reading and committing; the state becomes failed.

#include <caf/all.hpp>

#include <memory>
#include <vector>

#include "lkstream/consumer.hpp"
#include "pipeline/pipeline_shared.hpp"
#include "pipeline/source_tracker.hpp"

namespace lkstream::actors {

struct source_actor_config {
  std::unique_ptr<consumer> cons;  // subscribed
  std::shared_ptr<source_tracker> tracker;
  std::shared_ptr<pipeline_shared> shared;
  pipeline_options opts;
  /// Per from() index: the entry stage actors its records go to.
  std::vector<std::vector<caf::actor>> entries;
};

caf::actor spawn_source(caf::actor_system& sys, source_actor_config cfg);

}  // namespace lkstream::actors

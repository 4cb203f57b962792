#pragma once
// stage_actor: runs one instance of one pipeline operator (a stage_logic).
//
// It receives (pbatch_atom, sender id, batch) from its upstream stages (or the source), keeps
// per sender the last watermark and whether it ended, hands the batch to the logic with the
// smallest upstream watermark and end_of_input only once every upstream ended, and routes the
// logic's outputs: to every stage connected to the output port, cloned when there are several,
// split by key when the target is keyed with several instances.
//
// Stateful stages work in epochs. The input tickets of an epoch are held by the actor; its
// outputs carry the epoch's own output ticket. Closing an epoch takes a snapshot; once every
// output of the epoch is durable the snapshot is appended to the stage instance's changelog
// partition, and once that append is durable the held input tickets are released (so the
// source may commit). One checkpoint is in flight at a time; batches arriving meanwhile make up
// the next epoch, so checkpoints coalesce under load.
//
// Lifetime: spawned by running_pipeline (downstream first), stopped with an exit message after
// the source stopped. For_each stages (blocking user code) are detached actors.

#include <caf/all.hpp>

#include <memory>
#include <string>
#include <vector>

#include "lkstream/pipeline/stage.hpp"
#include "pipeline/pipeline_shared.hpp"

namespace lkstream::actors {

/// One downstream stage of an output port.
struct stage_route {
  std::vector<caf::actor> instances;  // split by key when there are several
};

struct stage_actor_config {
  std::string label;
  uint32_t id = 0;    // sender id of this instance
  uint32_t node = 0;  // node index in the graph (changelog record header)
  uint32_t instance = 0;
  size_t upstreams = 1;  // senders feeding this instance
  bool blocking = false;
  std::shared_ptr<pipeline_detail::stage_logic> logic;
  std::vector<std::vector<stage_route>> outs;  // per output port
  std::shared_ptr<pipeline_shared> shared;
  int32_t changelog_partition = -1;  // stateful stages
};

caf::actor spawn_stage(caf::actor_system& sys, stage_actor_config cfg);

/// The changelog record value: u32 node, u32 instance, then the logic's snapshot.
bytes changelog_record(uint32_t node, uint32_t instance, bytes_view snapshot);

}  // namespace lkstream::actors

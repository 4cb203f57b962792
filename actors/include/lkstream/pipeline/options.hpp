#pragma once
// Pipeline options and the status a running pipeline reports.

#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "lkstream/base/types.hpp"
#include "lkstream/consumer.hpp"

namespace lkstream {

struct pipeline_options {
  /// Instances of each keyed stateful stage (window, scan); records are spread by key hash.
  /// Changing it for a pipeline with checkpointed state is refused at start.
  size_t parallelism = 2;
  /// Most records per source poll; one poll = one batch through the stages.
  size_t max_batch_records = 500;
  /// Source polls whose records are not yet completely processed and durably written. The
  /// source stops reading at this bound: a slow sink slows the source (backpressure), and
  /// memory stays bounded by about max_in_flight_batches * max_batch_records records.
  size_t max_in_flight_batches = 8;
  /// Where a pipeline without committed offsets starts.
  offset_reset start_from = offset_reset::earliest;
  /// Dead letters go here; empty = "pipeline.<name>.dlq". Created when missing.
  std::string dead_letter_topic;
  /// Source offsets are committed at most this often (and when the pipeline stops).
  int64_t commit_interval_ms = 100;
  /// Bounded run: when the source has read everything its topics held (it caught up with the
  /// end offsets), every open window fires, everything is written and committed, and the
  /// pipeline finishes. Without it a pipeline runs until stopped.
  bool stop_at_end = false;
  /// The sink producer's linger (records of several batches share one append).
  int64_t sink_linger_ms = 1;
  /// On stop(): how long to wait for in-flight batches before abandoning them (they are not
  /// committed and are read again by the next run).
  std::chrono::milliseconds drain_timeout{10000};
};

enum class pipeline_state : uint8_t {
  starting,  // created, topics and state being prepared
  running,
  finished,  // bounded run done: everything read, written and committed
  failed,    // stopped by an error (last_error); offsets after the failure are not committed
  stopped,   // stopped by stop()
};

/// "starting", "running", "finished", "failed", "stopped".
std::string_view to_string(pipeline_state s);

struct pipeline_status {
  std::string name;
  pipeline_state state = pipeline_state::starting;
  std::string last_error;
  uint64_t records_in = 0;             // read from the source topics
  uint64_t records_out = 0;            // durably written by topic sinks / passed to for_each
  uint64_t dead_letters = 0;           // records whose user code (or decode) failed
  uint64_t late_records = 0;           // dropped by windows that had already fired
  uint64_t checkpoints = 0;            // state snapshots durably written to the changelog
  uint64_t batches_in_flight = 0;      // source polls not yet complete
  uint64_t max_batches_in_flight = 0;  // the highest batches_in_flight seen
  std::map<topic_partition, int64_t> committed;  // last committed source offsets
};

}  // namespace lkstream

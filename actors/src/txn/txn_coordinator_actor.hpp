#pragma once
// txn_coordinator_actor: Kafka's transaction coordinator for the engine (the rules are
// txn_coordinator_core's, framework/txn). It owns the core and carries out completions: a
// commit/abort marker into every partition of the transaction (append_marker, acknowledged
// per the partition's fsync policy), on commit the transaction's offsets into their groups
// (commit_mode::transactional), then core.complete(). EndTxn is answered after that. A
// completion that failed (a partition or group error) is retried at the next tick (every
// `tick`); timed-out transactions are aborted at the tick after their deadline; the completions that
// open() recovered start at once. It re-arms its tick, so it must be sent an exit on shutdown.

#include <caf/all.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "group/group_api.hpp"
#include "lkstream/storage/file_system.hpp"
#include "messages.hpp"
#include "topic/topic_registry.hpp"
#include "txn/txn_coordinator_api.hpp"

namespace lkstream::actors {

struct txn_coordinator_config {
  std::shared_ptr<storage::file_system> fs;
  std::string data_dir;  // the state lives in DATA_DIR/__transactions
  std::shared_ptr<metadata_board> board;
  group::group_manager_actor groups;
  clock_fn now;  // wall clock, ms
  std::function<int64_t()> allocate_producer_id;
  int32_t max_timeout_ms = 900000;
  std::chrono::milliseconds tick{1000};  // timeout checks and retries of failed completions
  std::function<void(const std::string&)> log_line;
};

/// Opens the coordinator's state (errors: the log cannot be read or created) and spawns it.
result<txn_coordinator_actor> spawn_txn_coordinator(caf::actor_system& sys,
                                                    txn_coordinator_config cfg);

}  // namespace lkstream::actors

#pragma once
// connector_actor: runs one loaded connector on a detached actor (its own thread, since plugin
// calls block: a source's poll waits for input, a sink's flush fsyncs).
//
// The actor works in steps, one self-addressed message each, so exit messages are seen between
// plugin calls: a source step delivers the acks that became ready and polls once; a sink step
// polls its consumer once and, if records came, writes, flushes and commits them. A failed call
// (or an exception out of the plugin) tears the instance down and schedules a new one after an
// exponential backoff (short self-addressed ticks, so a pending timer never keeps the actor
// alive for long); LKS_ERR_CONFIG/LKS_ERR_FATAL end it in state failed, LKS_END of a source in
// state finished once every emitted record is stored and acked.
//
// Delivery (at-least-once): sources hand records to an embedded producer; each record's
// delivery report (after the append is durable per the topic's fsync policy) settles it in an
// ack_tracker, which releases the plugin's ack tokens in emit order. Sinks read through an
// embedded consumer in group "connector.<name>" with auto-commit off and commit the offsets
// past a batch only after the plugin's write and flush of that batch returned LKS_OK.
//
// Lifetime: the actor holds the plugin library until its state is destroyed, after the
// instance. It quits by itself once finished or failed; the host sends user_shutdown to stop it
// and waits for it before dropping its handle.

#include <caf/all.hpp>

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "connector/connector_api.hpp"
#include "connector/connector_status_cell.hpp"
#include "lkstream/connector_host.hpp"
#include "lkstream/plugin_host/connector_settings.hpp"
#include "lkstream/plugin_host/plugin_library.hpp"

namespace lkstream::actors {

struct connector_actor_config {
  engine* eng = nullptr;                 // outlives the actor
  std::string name;
  std::vector<std::string> topics;
  std::string topic_prefix;              // sinks: also topics starting with it ("": none)
  std::string topic_regex;               // sinks: also topics matching it ("": none; valid)
  std::shared_ptr<const plugin_host::plugin_library> library;
  plugin_host::connector_settings settings;  // validated against the library's schema
  lks_kind kind = LKS_KIND_SOURCE;       // library->kind_for(settings): source or sink
  std::string state_dir;                 // exists
  std::shared_ptr<connector_status_cell> cell;
  connector_host_options opts;           // backoff, poll timeout, sink batch size, log
};

/// Spawns the actor; it starts its first instance at once.
connector_actor spawn_connector(caf::actor_system& sys, connector_actor_config cfg);

}  // namespace lkstream::actors

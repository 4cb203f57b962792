#pragma once
// `lkstream connector list|status|describe`.
//
//   connector list [--json] [--bootstrap HOST:PORT]
//       one line per connector of a running server: name, plugin, kind, state, records, lag
//   connector status [NAME] [--json] [--bootstrap HOST:PORT]
//       everything the server knows of each connector (or one): state, degraded condition,
//       records, lag, per-partition positions, restarts, last error
//   connector describe PLUGIN [--plugin-dir DIR[,DIR...]] [--config FILE]
//       loads liblkstream_PLUGIN.so here (no server needed) and prints its kind and config
//       schema; the same search path as `serve` (--plugin-dir, then broker.plugin_dirs of
//       --config, then the build's own connector directory)
//
// How status reaches the CLI: the server's connector host publishes each connector's status
// as a JSON record keyed by the connector name to the internal topic __lkstream_connectors (on
// every change and at least every 5 s; format: to_json in lkstream/connector_host.hpp). list
// and status read that topic over the Kafka protocol with librdkafka (no group, nothing
// committed) and keep the latest record per key. A record older than 15 s is shown as stale
// (the server stopped, or runs no connectors any more).
//
// Exit codes as in cli.hpp: 1 unreachable server, no status published, unknown connector or
// plugin, a plugin that fails to load; 2 bad flags.

#include "cli.hpp"

namespace lkstream::app {

/// The command table entry for `connector` (a group of subcommands).
command_spec connector_command();

}  // namespace lkstream::app

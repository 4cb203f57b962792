#pragma once
// `lkstream serve`: loads the configuration (--config, then flag overrides), opens the engine on
// the data directory, reports what it loaded (topics, offsets, sizes, recovery notes), starts
// the Kafka wire-protocol listener and the configured connectors (one that fails to load is
// reported and the rest run), prints one ready line and runs until SIGINT or SIGTERM. Then it
// stops the listener (in-flight requests finish), the connectors, and closes the engine (every
// log synced and closed, the data directory lock released) and exits 0.
//
// Output contract (tests and scripts rely on it): progress and the report go to stdout, one
// line each, flushed; the ready line starts with "lkstream: ready" and names the bound Kafka
// address ("Kafka on HOST:PORT", the real port when --listen asked for port 0). Errors and
// engine log lines go to stderr.
// Exit codes as in cli.hpp: 1 for configuration errors (with file:line:col from the loader),
// a locked data directory (naming the directory and the holder's pid), an address that cannot
// be bound, and other open/close failures; 2 for malformed flag values.

#include "cli.hpp"

namespace lkstream::app {

/// The command table entry for `serve`.
command_spec serve_command();

}  // namespace lkstream::app

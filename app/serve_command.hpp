#pragma once
// `lkstream serve`: loads the configuration (--config, then flag overrides), opens the engine on
// the data directory, reports what it loaded (topics, offsets, sizes, recovery notes), starts
// the configured connectors (one that fails to load is reported and the rest run), prints one
// ready line and runs until SIGINT or SIGTERM, then stops the connectors, closes the engine
// (every log synced and closed, the data directory lock released) and exits 0.
//
// Output contract (tests and scripts rely on it): progress and the report go to stdout, one
// line each, flushed; the ready line starts with "lkstream: ready". Errors go to stderr.
// Exit codes as in cli.hpp: 1 for configuration errors (with file:line:col from the loader),
// a locked data directory (naming the directory and the holder's pid) and other open/close
// failures; 2 for malformed flag values.
//
// The Kafka listener is a later issue: --listen/--advertised are validated and stored in the
// configuration, and the ready line says the listener is not available yet.

#include "cli.hpp"

namespace lkstream::app {

/// The command table entry for `serve`.
command_spec serve_command();

}  // namespace lkstream::app

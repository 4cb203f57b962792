#pragma once
// `lkstream produce TOPIC`: one record per line of stdin to a running `lkstream serve`, like
// `rpk topic produce` / `kcat -P`. A line "KEY<TAB>VALUE" becomes a keyed record (split at the
// first TAB; --no-keys keeps the whole line as the value); other lines are values with a null
// key. Lines are taken byte for byte without their '\n'; a line longer than 1 MiB is an error
// (nothing unbounded is buffered). Keyed records go to the partition Kafka's default
// partitioner picks unless --partition is given. acks=all and idempotence are on, so a record
// is written at most once even when librdkafka retries.
//
// Output: "produced N records to TOPIC" on stdout when stdin ends. Exit 1 (with the first
// error) when the server is unreachable, the topic does not exist (nothing is auto-created),
// or any record was not acknowledged within --timeout; 2 for bad flags.

#include "cli.hpp"

namespace lkstream::app {

/// The command table entry for `produce`.
command_spec produce_command();

}  // namespace lkstream::app

#pragma once
// `lkstream consume TOPIC [--group G] [--from-beginning] [--count N]`: prints records of a
// topic from a running `lkstream serve`, like `kafka-console-consumer` / `rpk topic consume`.
//
// Position: without --group every partition is read from its end (only new records), or from
// its start with --from-beginning; nothing is committed. With --group G the consumer joins the
// group (partitions shared with the group's other members) and continues from the group's
// committed offsets; --from-beginning then only applies to partitions without a commit (Kafka's
// auto.offset.reset=earliest). Offsets of printed records are committed (every second and on
// exit), never of records not printed, so a second run with --count continues exactly after
// the first.
//
// Output: one line per record, the inverse of `produce`: "KEY<TAB>VALUE" for a keyed record,
// "VALUE" otherwise (--value-only: always VALUE), bytes as stored; --json prints one object per
// line (topic, partition, offset, timestamp, key, value; invalid UTF-8 replaced).
// Runs until --count records were printed, or SIGINT/SIGTERM (exit 0 after committing). Exit 1
// when the server is unreachable, or lost while consuming (librdkafka reports all brokers
// down: we exit at once rather than wait for a restart), or the topic does not exist; 2 for
// bad flags.

#include "cli.hpp"

namespace lkstream::app {

/// The command table entry for `consume`.
command_spec consume_command();

}  // namespace lkstream::app

#pragma once
// `lkstream migrate groups --to BOOTSTRAP [--group G]... [--map-topic T] [--every DURATION]
// [--dry-run] [--json]`: carries consumer-group positions from a running `lkstream serve`
// (--bootstrap) to the Kafka/Redpanda cluster an out-direction kafka_bridge mirrors to (--to),
// so that consumers switched to the cluster resume where they were (docs/migration.md).
//
// For every chosen group (default: every group with committed offsets) and every partition it
// has a commit for, the LKSTREAM offset x is translated through the bridge's offset map (the
// topic --map-topic on the cluster, default lkstream.offset-map; connectors/kafka_bridge/
// bridge_out.hpp writes it): with (s, t) the latest pair of that partition with s <= x, the
// Kafka offset is t + (x - s), clamped to the Kafka partition's end offset (a group ahead of
// the mirror resumes at the mirror's end and sees the rest once it arrives: duplicates, never
// a gap). Before the first mirrored record (x < every s) it is the first pair's t. A partition
// with no pair (not mirrored) is skipped and reported. The translated offsets are committed on
// the cluster as a simple (generation -1) commit, which Kafka accepts only while the group has
// no members there: a group already active on the cluster is left alone and reported (its
// consumers moved already; overwriting their positions would move them backwards).
//
// --every DURATION repeats the migration until interrupted (continuous mode, before the
// cut-over); without it one pass. Exit codes: 0 every chosen group migrated or left alone as
// reported; 1 a server unreachable, a group unknown, a commit refused; 2 bad flags.

#include "cli.hpp"

namespace lkstream::app {

/// The command table entry for `migrate` (subcommand `groups`).
command_spec migrate_command();

}  // namespace lkstream::app

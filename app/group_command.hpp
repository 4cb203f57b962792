#pragma once
// `lkstream group list|describe|reset`: consumer groups of a running `lkstream serve` over the
// Kafka protocol (ListGroups, DescribeGroups, OffsetFetch, ListOffsets, OffsetCommit), like
// `kafka-consumer-groups` / `rpk group`.
//
// `group reset GROUP --to-earliest|--to-latest|--to-offset N [--topic T] [--dry-run]` moves the
// committed offsets of every partition of T (default: every partition the group has a commit
// for). As in Kafka's tool the group must be inactive: with members it fails (exit 1) naming
// them, because the server refuses a generation -1 commit for a group with members and a
// running consumer would overwrite the reset anyway. --to-offset N is clamped to each
// partition's [start, end] like Kafka does, and the table says so.
// Exit codes as in cli.hpp: 1 unreachable server, unknown group/topic, active group; 2 flags.

#include "cli.hpp"

namespace lkstream::app {

/// The command table entry for `group` (a group of subcommands).
command_spec group_command();

}  // namespace lkstream::app

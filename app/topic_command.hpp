#pragma once
// `lkstream topic create|list|describe|delete`: topic administration against a running
// `lkstream serve` over the Kafka protocol (CreateTopics, Metadata, ListOffsets,
// DescribeConfigs, DeleteTopics), like `rpk topic`. Human-readable tables by default, --json
// for scripts on list and describe. Exit codes as in cli.hpp: 1 when the server is unreachable
// or refuses (unknown topic, topic exists, invalid config), 2 for bad flags.

#include "cli.hpp"

namespace lkstream::app {

/// The command table entry for `topic` (a group of subcommands).
command_spec topic_command();

}  // namespace lkstream::app

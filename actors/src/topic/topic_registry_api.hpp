#pragma once
// The topic registry's interface (topic_registry.hpp): topics -> partition actors.
//
//   request                                                reply
//   (create_atom, std::string name, topic_settings)        int32_t partitions | error
//   (delete_atom, std::string name)                        bool | error (unknown_topic); answered
//                                                          once every partition removed its files
//   (add_partitions_atom, std::string name, int32_t n)     int32_t | error (only grows)
//   (update_config_atom, std::string name, topic_settings) bool: new storage settings, same count
//   (list_atom)                                            std::vector<std::string>, sorted
//   (save_catalog_atom)                                    to itself: the creations since the
//                                                          last save are written to the
//                                                          catalog at once, then answered
//
// Creations share catalog writes (a group commit, issue 23 item 2): a create opens the
// partitions and queues a save_catalog_atom to the registry itself unless one is queued
// already, so every create already in the mailbox (a CreateTopics of 200 topics) is answered
// after one write and fsync of topics.meta, not one each.

#include <caf/all.hpp>

#include <cstdint>
#include <string>
#include <vector>

#include "message_types.hpp"
#include "messages.hpp"
#include "partition/partition_api.hpp"

namespace lkstream::actors {

using create_atom = caf::atom_constant<caf::atom("create")>;
using add_partitions_atom = caf::atom_constant<caf::atom("partitions")>;
using list_atom = caf::atom_constant<caf::atom("list")>;
using save_catalog_atom = caf::atom_constant<caf::atom("savecatalg")>;

using topic_registry_actor = caf::typed_actor<
    caf::replies_to<create_atom, std::string, config::topic_settings>::with<int32_t>,
    caf::replies_to<delete_atom, std::string>::with<bool>,
    caf::replies_to<add_partitions_atom, std::string, int32_t>::with<int32_t>,
    caf::replies_to<update_config_atom, std::string, config::topic_settings>::with<bool>,
    caf::replies_to<list_atom>::with<std::vector<std::string>>,
    caf::reacts_to<save_catalog_atom>>;

}  // namespace lkstream::actors

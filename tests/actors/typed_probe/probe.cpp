// Compiled (syntax only) by check.sh, once per PROBE_* macro: the typed actor interfaces
// (<actor>_api.hpp) must accept the messages they declare and reject, at compile time, one
// they do not. Not part of any test binary.
#include "group/group_api.hpp"
#include "partition/partition_api.hpp"
#include "topic/cleaner_api.hpp"
#include "topic/topic_registry_api.hpp"

using namespace lkstream;

void probe(actors::partition_actor part, actors::topic_registry_actor registry,
           group::group_manager_actor groups, actors::cleaner_actor cleaner) {
#if defined(PROBE_ACCEPTED)
  caf::anon_send(part, actors::apply_retention_atom::value, int64_t{0});
  caf::anon_send(part, actors::cleaning_snapshot_atom::value, int64_t{0});
  caf::anon_send(part, actors::swap_cleaned_atom::value, storage::cleaning_swap{});
  caf::anon_send(cleaner, actors::run_cleaning_atom::value);
  caf::anon_send(registry, actors::add_partitions_atom::value, std::string("t"), int32_t{2});
  caf::anon_send(groups, group::list_groups_atom::value);
#elif defined(PROBE_PARTITION)
  // A partition takes (describe_atom) without arguments.
  caf::anon_send(part, actors::describe_atom::value, std::string("not in the interface"));
#elif defined(PROBE_REGISTRY)
  // The partition count is an int32_t, not a string.
  caf::anon_send(registry, actors::add_partitions_atom::value, std::string("t"), std::string("2"));
#elif defined(PROBE_GROUPS)
  // group_tick is a coordinator's own timer, not part of the manager's interface.
  caf::anon_send(groups, group::group_tick_atom::value, int64_t{0});
#elif defined(PROBE_CLEANER)
  // The cleaner is asked for a round, not for one partition's cleaning.
  caf::anon_send(cleaner, actors::run_cleaning_atom::value, std::string("prices-0"));
#endif
}

#pragma once
// Consumer-group queries for Engine.groups(), describe_group() and lag(), over the engine's
// public group-admin API (engine::list_groups, describe_group, group_offsets), shaped as the
// group protocol structs py_engine.cpp converts to Python objects. Blocking; call with the GIL
// released.

#include <string>
#include <vector>

#include "lkstream/base/result.hpp"
#include "lkstream/group/group_requests.hpp"

namespace lkstream {
class engine;
}

namespace lkstream::python {

result<std::vector<group::group_listing>> list_groups(engine& eng);
/// Members carry their assignment as consumer-protocol bytes (empty when none).
result<group::group_description> describe_group(engine& eng, const std::string& group_id);
/// Every committed offset of the group.
result<group::offset_fetch_response> group_offsets(engine& eng, const std::string& group_id);

}  // namespace lkstream::python

#pragma once
// Consumer-group queries for Engine.groups(), describe_group() and lag(). The public engine API
// has no group listing yet, so these go through engine::internals() to the group manager, the
// same way the Kafka listener's ListGroups/DescribeGroups/OffsetFetch handlers do. When
// engine.hpp grows list_groups()/describe_group()/group_offsets(), this file shrinks to calls
// of those. Blocking; call with the GIL released.

#include <string>
#include <vector>

#include "lkstream/base/result.hpp"
#include "lkstream/group/group_requests.hpp"

namespace lkstream {
class engine;
}

namespace lkstream::python {

result<std::vector<group::group_listing>> list_groups(engine& eng);
result<group::group_description> describe_group(engine& eng, const std::string& group_id);
/// Every committed offset of the group.
result<group::offset_fetch_response> group_offsets(engine& eng, const std::string& group_id);

}  // namespace lkstream::python

#include "group_admin.hpp"

#include "lkstream/engine.hpp"
#include "lkstream/group/consumer_protocol.hpp"

namespace lkstream::python {

result<std::vector<group::group_listing>> list_groups(engine& eng) {
  LK_ASSIGN_OR_RETURN(auto groups, eng.list_groups());
  std::vector<group::group_listing> out;
  for (auto& g : groups) out.push_back({g.group_id, g.protocol_type, g.state});
  return out;
}

result<group::group_description> describe_group(engine& eng, const std::string& group_id) {
  LK_ASSIGN_OR_RETURN(auto g, eng.describe_group(group_id));
  group::group_description d;
  d.group_id = g.group_id;
  d.state = g.state;
  d.protocol_type = g.protocol_type;
  d.protocol_name = g.protocol;
  for (auto& m : g.members) {
    group::member_description md{m.member_id, m.group_instance_id, m.client_id, m.client_host,
                                 {}, {}};
    if (!m.assignment.empty()) {
      group::consumer_assignment a;
      a.version = 0;
      a.assigned_partitions = group::group_by_topic(m.assignment);
      md.assignment = group::encode_assignment(a);
    }
    d.members.push_back(std::move(md));
  }
  return d;
}

result<group::offset_fetch_response> group_offsets(engine& eng, const std::string& group_id) {
  LK_ASSIGN_OR_RETURN(auto offsets, eng.group_offsets(group_id));
  group::offset_fetch_response out;
  for (auto& o : offsets)
    if (o.committed >= 0) out.partitions.push_back({o.tp, o.committed, -1, {}, {}});
  return out;
}

}  // namespace lkstream::python

#include "lkstream/group/assignor.hpp"

#include <algorithm>
#include <set>

namespace lkstream::group {

namespace {

// Kafka's MemberInfo.compareTo: static members (instance id) first, by instance id; then member id.
bool member_less(const assignor_member* a, const assignor_member* b) {
  if (a->group_instance_id && b->group_instance_id) {
    if (*a->group_instance_id != *b->group_instance_id)
      return *a->group_instance_id < *b->group_instance_id;
    return a->member_id < b->member_id;
  }
  if (a->group_instance_id || b->group_instance_id) return a->group_instance_id.has_value();
  return a->member_id < b->member_id;
}

std::vector<const assignor_member*> sorted_members(const std::vector<assignor_member>& members) {
  std::vector<const assignor_member*> out;
  for (const auto& m : members) out.push_back(&m);
  std::sort(out.begin(), out.end(), member_less);
  return out;
}

bool subscribes(const assignor_member& m, const std::string& topic) {
  return std::find(m.topics.begin(), m.topics.end(), topic) != m.topics.end();
}

assignment_map empty_assignment(const std::vector<assignor_member>& members) {
  assignment_map out;
  for (const auto& m : members) out[m.member_id];
  return out;
}

void sort_lists(assignment_map& out) {
  for (auto& [id, tps] : out) std::sort(tps.begin(), tps.end());
}

}  // namespace

assignment_map range_assign(const std::vector<assignor_member>& members,
                            const partition_counts& counts) {
  auto out = empty_assignment(members);
  auto sorted = sorted_members(members);
  std::set<std::string> topics;
  for (const auto& m : members) topics.insert(m.topics.begin(), m.topics.end());
  for (const auto& topic : topics) {
    auto count = counts.find(topic);
    if (count == counts.end() || count->second <= 0) continue;
    std::vector<const assignor_member*> consumers;
    for (auto* m : sorted)
      if (subscribes(*m, topic)) consumers.push_back(m);
    auto n = static_cast<size_t>(count->second);
    auto per_consumer = n / consumers.size();
    auto with_extra = n % consumers.size();
    for (size_t i = 0; i < consumers.size(); ++i) {
      auto start = per_consumer * i + std::min(i, with_extra);
      auto length = per_consumer + (i < with_extra ? 1 : 0);
      auto& list = out[consumers[i]->member_id];
      for (auto p = start; p < start + length; ++p)
        list.push_back({topic, partition_id{static_cast<int32_t>(p)}});
    }
  }
  sort_lists(out);
  return out;
}

assignment_map round_robin_assign(const std::vector<assignor_member>& members,
                                  const partition_counts& counts) {
  auto out = empty_assignment(members);
  auto sorted = sorted_members(members);
  if (sorted.empty()) return out;
  std::set<std::string> topics;
  for (const auto& m : members) topics.insert(m.topics.begin(), m.topics.end());
  size_t next = 0;  // Kafka's CircularIterator position over the sorted members
  for (const auto& topic : topics) {
    auto count = counts.find(topic);
    if (count == counts.end()) continue;
    for (int32_t p = 0; p < count->second; ++p) {
      // Some member subscribes to `topic` (it came from a subscription), so this terminates.
      while (!subscribes(*sorted[next], topic)) next = (next + 1) % sorted.size();
      out[sorted[next]->member_id].push_back({topic, partition_id{p}});
      next = (next + 1) % sorted.size();
    }
  }
  sort_lists(out);
  return out;
}

assignor_fn find_assignor(std::string_view protocol_name) {
  if (protocol_name == "range") return range_assign;
  if (protocol_name == "roundrobin") return round_robin_assign;
  return nullptr;
}

}  // namespace lkstream::group

#pragma once
// Client-side partition assignors, as the group leader runs them: Kafka's RangeAssignor
// ("range") and RoundRobinAssignor ("roundrobin"), without rack awareness. The coordinator never
// assigns (the classic protocol lets the leader do it); embedded consumers and tests use these
// when they lead a group, so the result must equal what a Java/librdkafka leader computes.
//
// Determinism: members are ordered like Kafka's AbstractPartitionAssignor.MemberInfo: members
// with a group_instance_id first, by instance id; then the rest by member id (byte-wise, which
// equals Java's String order for ASCII ids). Topics missing from `partition_counts` (unknown
// to the cluster) are skipped, as Kafka does. Every member appears in the result, possibly with
// an empty list; each member's list is sorted by (topic, partition).
//
// Pure functions: no state, thread-safe.

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "lkstream/base/types.hpp"

namespace lkstream::group {

struct assignor_member {
  std::string member_id;
  std::optional<std::string> group_instance_id;
  std::vector<std::string> topics;  // subscription (duplicates are harmless)
};

/// topic -> number of partitions (partitions are 0..n-1).
using partition_counts = std::map<std::string, int32_t>;

/// member id -> assigned partitions.
using assignment_map = std::map<std::string, std::vector<topic_partition>>;

/// RangeAssignor: per topic, the members subscribed to it (sorted) get contiguous ranges of
/// n / m partitions, and the first n % m of them one extra.
/// Kafka's example: C0, C1 both on t0, t1 with 3 partitions each ->
///   C0: [t0p0, t0p1, t1p0, t1p1], C1: [t0p2, t1p2].
assignment_map range_assign(const std::vector<assignor_member>& members,
                            const partition_counts& counts);

/// RoundRobinAssignor: all subscribed topic-partitions sorted by (topic, partition) are dealt
/// to the sorted members in a circle, skipping members not subscribed to the partition's topic
/// (the circle is not reset between topics).
/// Kafka's example: C0 on t0; C1 on t0, t1; C2 on t0, t1, t2 with 1, 2, 3 partitions ->
///   C0: [t0p0], C1: [t1p0], C2: [t1p1, t2p0, t2p1, t2p2].
assignment_map round_robin_assign(const std::vector<assignor_member>& members,
                                  const partition_counts& counts);

using assignor_fn =
    std::function<assignment_map(const std::vector<assignor_member>&, const partition_counts&)>;

/// The assignor for a JoinGroup protocol name: "range" or "roundrobin"; nullptr otherwise.
assignor_fn find_assignor(std::string_view protocol_name);

}  // namespace lkstream::group

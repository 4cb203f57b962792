#pragma once
// Kafka's internal topic `__consumer_offsets`, as the Kafka listener shows it.
//
// Kafka keeps committed group offsets in this compacted topic, and tools and clients expect to
// see it: Metadata lists it with is_internal = true (regex subscriptions skip it unless asked,
// AdminClient's listTopics hides it unless listInternal). LKSTREAM keeps group offsets in its
// own per-group logs (DATA_DIR/__consumer_offsets/<group>.log, group/offset_store.hpp), so the
// topic here is a view with no records: it always exists, with Kafka's default partition count
// (offsets.topic.num.partitions = 50), and is read-only.
//   Produce          INVALID_TOPIC_EXCEPTION (what Kafka 4.4 answers)
//   CreateTopics     TOPIC_ALREADY_EXISTS (Kafka 4.4, once its topic exists)
//   DeleteTopics     INVALID_TOPIC_EXCEPTION (Kafka 4.4 deletes it, and every group's offsets
//                    with it; LKSTREAM refuses)
//   CreatePartitions INVALID_PARTITIONS (Kafka 4.4 grows it; the count is fixed here)
//   ListOffsets      0 for every partition (no records); Fetch: empty partitions
// The engine's own API refuses to create a topic of that name (actors::validate_topic_name).
// docs/compatibility.md lists the differences.

#include <cstdint>
#include <string_view>

namespace lkstream::net {

inline constexpr std::string_view consumer_offsets_topic = "__consumer_offsets";
inline constexpr int32_t consumer_offsets_partitions = 50;

inline bool is_consumer_offsets(std::string_view topic) noexcept {
  return topic == consumer_offsets_topic;
}

inline bool is_consumer_offsets_partition(std::string_view topic, int32_t partition) noexcept {
  return is_consumer_offsets(topic) && partition >= 0 && partition < consumer_offsets_partitions;
}

}  // namespace lkstream::net

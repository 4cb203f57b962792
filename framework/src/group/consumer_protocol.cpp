#include "lkstream/group/consumer_protocol.hpp"

#include <algorithm>

#include "be_reader.hpp"

namespace lkstream::group {

namespace {

using detail::be_reader;

void append_topic_partitions(bytes& out, const std::vector<topic_partitions>& tps) {
  model::append_be<int32_t>(out, static_cast<int32_t>(tps.size()));
  for (const auto& tp : tps) {
    detail::append_string(out, tp.topic);
    model::append_be<int32_t>(out, static_cast<int32_t>(tp.partitions.size()));
    for (auto p : tp.partitions) model::append_be<int32_t>(out, p);
  }
}

std::vector<topic_partitions> read_topic_partitions(be_reader& in, const char* field) {
  std::vector<topic_partitions> result;
  // Smallest element: empty topic string (2) + partition count (4).
  auto n = in.read_array_count(field, 6);
  result.reserve(n);
  for (size_t i = 0; i < n && in.ok(); ++i) {
    topic_partitions tp;
    tp.topic = in.read_string(field, false).value_or("");
    auto m = in.read_array_count(field, 4);
    tp.partitions.reserve(m);
    for (size_t j = 0; j < m && in.ok(); ++j) tp.partitions.push_back(in.read<int32_t>(field));
    result.push_back(std::move(tp));
  }
  return result;
}

int16_t clamp_version(int16_t v, int16_t max) { return std::clamp<int16_t>(v, 0, max); }

}  // namespace

bytes encode_subscription(const consumer_subscription& s) {
  auto version = clamp_version(s.version, consumer_subscription::max_version);
  bytes out;
  model::append_be<int16_t>(out, version);
  model::append_be<int32_t>(out, static_cast<int32_t>(s.topics.size()));
  for (const auto& t : s.topics) detail::append_string(out, t);
  detail::append_nullable_bytes(out, s.user_data);
  if (version >= 1) append_topic_partitions(out, s.owned_partitions);
  if (version >= 2) model::append_be<int32_t>(out, s.generation_id);
  if (version >= 3) detail::append_nullable_string(out, s.rack_id);
  return out;
}

bytes encode_assignment(const consumer_assignment& a) {
  bytes out;
  model::append_be<int16_t>(out, clamp_version(a.version, consumer_assignment::max_version));
  append_topic_partitions(out, a.assigned_partitions);
  detail::append_nullable_bytes(out, a.user_data);
  return out;
}

result<consumer_subscription> decode_subscription(bytes_view data) {
  be_reader in(data);
  consumer_subscription s;
  s.version = in.read<int16_t>("subscription version");
  if (in.ok() && s.version < 0)
    in.fail("subscription version", "unsupported version " + std::to_string(s.version));
  auto layout = std::min(s.version, consumer_subscription::max_version);
  auto n = in.read_array_count("subscription topics", 2);
  s.topics.reserve(n);
  for (size_t i = 0; i < n && in.ok(); ++i)
    s.topics.push_back(in.read_string("subscription topics", false).value_or(""));
  s.user_data = in.read_bytes("subscription user_data", true);
  if (layout >= 1)
    s.owned_partitions = read_topic_partitions(in, "subscription owned_partitions");
  if (layout >= 2) s.generation_id = in.read<int32_t>("subscription generation_id");
  if (layout >= 3) s.rack_id = in.read_string("subscription rack_id", true);
  if (!in.ok())
    return error{errc::invalid_argument, "consumer protocol subscription: " + in.problem()};
  return s;
}

result<consumer_assignment> decode_assignment(bytes_view data) {
  consumer_assignment a;
  if (data.empty()) {
    a.version = 0;
    return a;
  }
  be_reader in(data);
  a.version = in.read<int16_t>("assignment version");
  if (in.ok() && a.version < 0)
    in.fail("assignment version", "unsupported version " + std::to_string(a.version));
  a.assigned_partitions = read_topic_partitions(in, "assignment assigned_partitions");
  a.user_data = in.read_bytes("assignment user_data", true);
  if (!in.ok())
    return error{errc::invalid_argument, "consumer protocol assignment: " + in.problem()};
  return a;
}

std::vector<topic_partitions> group_by_topic(const std::vector<topic_partition>& tps) {
  std::vector<topic_partitions> out;
  for (const auto& tp : tps) {
    auto i = std::find_if(out.begin(), out.end(),
                          [&](const auto& e) { return e.topic == tp.topic; });
    if (i == out.end()) {
      out.push_back({tp.topic, {}});
      i = std::prev(out.end());
    }
    i->partitions.push_back(tp.partition.value());
  }
  return out;
}

std::vector<topic_partition> flatten(const std::vector<topic_partitions>& tps) {
  std::vector<topic_partition> out;
  for (const auto& t : tps)
    for (auto p : t.partitions) out.push_back({t.topic, partition_id{p}});
  return out;
}

}  // namespace lkstream::group

#pragma once
// OffsetFetch (key 9), versions 1-7 (flexible from 6; v8 batches several groups, not served).
//
//   request  group_id, topics [name, partition_indexes] (null = all committed, v2+ only),
//            require_stable (v7+, KIP-447)
//   response throttle_time_ms (v3+),
//            topics [name, partitions [index, committed_offset, committed_leader_epoch (v5+),
//                                     metadata (nullable), error]],
//            error_code (v2+, group level)
//
// A partition without a commit is answered with offset -1, metadata "" and NONE (notes §4).
// With require_stable, a partition whose offset waits in an open transaction (TxnOffsetCommit
// not yet committed or aborted) is answered UNSTABLE_OFFSET_COMMIT, offset -1, metadata "": the
// client retries (Kafka Streams' exactly_once_v2 asks so before it resumes a task).

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "lkstream/base/result.hpp"
#include "lkstream/base/types.hpp"
#include "lkstream/kafka/api_key.hpp"
#include "lkstream/kafka/error_code.hpp"
#include "lkstream/kafka/wire_reader.hpp"
#include "lkstream/kafka/wire_writer.hpp"

namespace lkstream::kafka {

struct offset_fetch_topic {
  std::string name;
  std::vector<int32_t> partition_indexes;

  friend bool operator==(const offset_fetch_topic&, const offset_fetch_topic&) = default;
};

struct offset_fetch_request {
  static constexpr api_key key = api_key::offset_fetch;
  static constexpr bool is_request = true;

  std::string group_id;
  // nullopt = every committed offset of the group (v2+); v1 cannot encode null.
  std::optional<std::vector<offset_fetch_topic>> topics{std::in_place};
  bool require_stable = false;  // v7+

  friend bool operator==(const offset_fetch_request&, const offset_fetch_request&) = default;
};

struct offset_fetch_partition_response {
  int32_t partition_index = 0;
  int64_t committed_offset = -1;
  int32_t committed_leader_epoch = -1;  // v5+
  std::optional<std::string> metadata;
  error_code error = error_code::none;

  friend bool operator==(const offset_fetch_partition_response&,
                         const offset_fetch_partition_response&) = default;
};

struct offset_fetch_topic_response {
  std::string name;
  std::vector<offset_fetch_partition_response> partitions;

  friend bool operator==(const offset_fetch_topic_response&,
                         const offset_fetch_topic_response&) = default;
};

struct offset_fetch_response {
  static constexpr api_key key = api_key::offset_fetch;
  static constexpr bool is_request = false;

  int32_t throttle_time_ms = 0;  // v3+
  std::vector<offset_fetch_topic_response> topics;
  error_code error = error_code::none;  // v2+

  friend bool operator==(const offset_fetch_response&, const offset_fetch_response&) = default;
};

result<offset_fetch_request> decode_offset_fetch_request(wire_reader& r, int16_t version);
status encode_offset_fetch_request(wire_writer& w, int16_t version, const offset_fetch_request& m);
result<offset_fetch_response> decode_offset_fetch_response(wire_reader& r, int16_t version);
status encode_offset_fetch_response(wire_writer& w, int16_t version,
                                    const offset_fetch_response& m);

}  // namespace lkstream::kafka

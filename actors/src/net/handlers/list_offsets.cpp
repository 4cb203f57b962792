#include "net/handlers/list_offsets.hpp"

#include <algorithm>
#include <vector>

#include "net/internal_topics.hpp"
#include "net/kafka_errors.hpp"
#include "topic/topic_registry.hpp"

namespace lkstream::net {

void handle_list_offsets(const request_context& ctx, kafka::list_offsets_request rq,
                         reply_slot reply) {
  struct gather {
    kafka::list_offsets_response resp;
    size_t waiting = 0;
  };
  auto g = std::make_shared<gather>();
  auto& board = ctx.core.eng.board();
  struct job {
    actors::partition_actor partition;
    size_t t, p;
    int64_t timestamp;
  };
  std::vector<job> jobs;
  // read_committed: "latest" is the Last Stable Offset, and a time lookup answers only below it.
  const bool read_committed = rq.isolation_level == kafka::isolation_read_committed;
  for (size_t t = 0; t < rq.topics.size(); ++t) {
    auto& rt = rq.topics[t];
    auto& tr = g->resp.topics.emplace_back();
    tr.name = rt.name;
    auto topic = board.find(rt.name);
    // Kafka answers a partition asked for twice once, with INVALID_REQUEST.
    std::vector<int32_t> asked, answered;
    for (auto& rp : rt.partitions) asked.push_back(rp.partition_index);
    for (auto& rp : rt.partitions) {
      if (std::ranges::count(answered, rp.partition_index)) continue;
      answered.push_back(rp.partition_index);
      if (std::ranges::count(asked, rp.partition_index) > 1) {
        auto& pr = tr.partitions.emplace_back();
        pr.partition_index = rp.partition_index;
        pr.error = kafka::error_code::invalid_request;
        continue;
      }
      size_t p = tr.partitions.size();
      auto& pr = tr.partitions.emplace_back();
      pr.partition_index = rp.partition_index;
      if (!topic && is_consumer_offsets_partition(rt.name, rp.partition_index)) {
        // No records behind the internal topic (internal_topics.hpp): an empty log.
        if (rp.timestamp < kafka::list_offsets_earliest)
          pr.error = kafka::error_code::unsupported_version;
        else if (rp.timestamp < 0)
          pr.offset = 0;
        pr.leader_epoch = pr.offset < 0 ? -1 : kafka::partition_leader_epoch;
      } else if (!topic || rp.partition_index < 0 ||
          rp.partition_index >= static_cast<int32_t>(topic->partitions.size())) {
        pr.error = kafka::error_code::unknown_topic_or_partition;
      } else if (rp.timestamp < kafka::list_offsets_earliest) {
        // -3 (max timestamp) and later special values need versions not served here; Kafka
        // answers them, and any other negative time, UNSUPPORTED_VERSION.
        pr.error = kafka::error_code::unsupported_version;
      } else if (rp.current_leader_epoch > kafka::partition_leader_epoch) {
        // A single node never changes leader: its epoch stays 0, so a client that knows a
        // later one is ahead of this broker (KIP-320).
        pr.error = kafka::error_code::unknown_leader_epoch;
      } else {
        jobs.push_back({topic->partitions[rp.partition_index], t, p, rp.timestamp});
      }
    }
  }
  g->waiting = jobs.size();
  if (jobs.empty()) {
    reply.send(std::move(g->resp));
    return;
  }
  for (auto& j : jobs) {
    ctx.core.ask<int64_t, int64_t>(
        j.partition,
        [g, reply, t = j.t, p = j.p](result<std::tuple<int64_t, int64_t>> r) {
          auto& pr = g->resp.topics[t].partitions[p];
          if (r) {
            pr.offset = std::get<0>(*r);
            pr.timestamp = std::get<1>(*r);
            // No record at or after the time: Kafka answers offset, timestamp and epoch -1.
            pr.leader_epoch = pr.offset < 0 ? -1 : kafka::partition_leader_epoch;
          } else {
            pr.error = to_kafka_error(r.code());
          }
          if (--g->waiting == 0) reply.send(std::move(g->resp));
        },
        actors::list_offsets_atom::value, j.timestamp, read_committed);
  }
}

}  // namespace lkstream::net

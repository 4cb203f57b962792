#include "net/handlers/list_offsets.hpp"

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
  for (size_t t = 0; t < rq.topics.size(); ++t) {
    auto& rt = rq.topics[t];
    auto& tr = g->resp.topics.emplace_back();
    tr.name = rt.name;
    auto topic = board.find(rt.name);
    for (size_t p = 0; p < rt.partitions.size(); ++p) {
      auto& rp = rt.partitions[p];
      auto& pr = tr.partitions.emplace_back();
      pr.partition_index = rp.partition_index;
      if (!topic || rp.partition_index < 0 ||
          rp.partition_index >= static_cast<int32_t>(topic->partitions.size())) {
        pr.error = kafka::error_code::unknown_topic_or_partition;
      } else if (rp.timestamp < kafka::list_offsets_earliest) {
        pr.error = kafka::error_code::invalid_request;  // -3.. need versions not served here
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
            pr.leader_epoch = 0;
          } else {
            pr.error = to_kafka_error(r.code());
          }
          if (--g->waiting == 0) reply.send(std::move(g->resp));
        },
        actors::list_offsets_atom::value, j.timestamp);
  }
}

}  // namespace lkstream::net

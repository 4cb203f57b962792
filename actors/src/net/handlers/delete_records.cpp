#include "net/handlers/delete_records.hpp"

#include <algorithm>
#include <vector>

#include "net/kafka_errors.hpp"
#include "topic/topic_registry.hpp"

namespace lkstream::net {

void handle_delete_records(const request_context& ctx, kafka::delete_records_request rq,
                           reply_slot reply) {
  struct gather {
    kafka::delete_records_response resp;
    size_t waiting = 0;
  };
  auto g = std::make_shared<gather>();
  struct job {
    actors::partition_actor partition;
    size_t t, p;
    int64_t before;
  };
  std::vector<job> jobs;
  for (size_t t = 0; t < rq.topics.size(); ++t) {
    const auto& rt = rq.topics[t];
    auto& tr = g->resp.topics.emplace_back();
    tr.name = rt.name;
    auto topic = ctx.core.eng.board().find(rt.name);
    for (const auto& rp : rt.partitions) {
      size_t p = tr.partitions.size();
      auto& pr = tr.partitions.emplace_back();
      pr.partition_index = rp.partition_index;
      if (!topic || rp.partition_index < 0 ||
          rp.partition_index >= static_cast<int32_t>(topic->partitions.size()))
        pr.error = kafka::error_code::unknown_topic_or_partition;
      else
        jobs.push_back({topic->partitions[rp.partition_index], t, p, rp.offset});
    }
  }
  g->waiting = jobs.size();
  if (jobs.empty()) {
    reply.send(std::move(g->resp));
    return;
  }
  for (auto& j : jobs) {
    ctx.core.ask<int64_t>(
        j.partition,
        [g, reply, t = j.t, p = j.p](result<int64_t> r) {
          auto& pr = g->resp.topics[t].partitions[p];
          if (r)
            pr.low_watermark = *r;
          else
            pr.error = to_kafka_error(r.code());
          if (--g->waiting == 0) reply.send(std::move(g->resp));
        },
        actors::delete_records_atom::value, j.before);
  }
}

}  // namespace lkstream::net

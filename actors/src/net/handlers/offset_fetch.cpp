#include "net/handlers/offset_fetch.hpp"

#include "group/group_api.hpp"
#include "net/kafka_errors.hpp"

namespace lkstream::net {

void handle_offset_fetch(const request_context& ctx, kafka::offset_fetch_request rq,
                         reply_slot reply) {
  group::offset_fetch_request fr;
  fr.group_id = std::move(rq.group_id);
  if (rq.topics) {
    fr.partitions.emplace();
    for (auto& t : *rq.topics)
      for (auto p : t.partition_indexes) fr.partitions->push_back({t.name, partition_id{p}});
  }
  const int16_t version = ctx.version();
  ctx.core.ask<group::offset_fetch_response>(
      ctx.core.eng.groups(),
      [reply, version](result<group::offset_fetch_response> r) {
        kafka::offset_fetch_response resp;
        const auto group_error = r ? to_kafka_error(r->error)
                                   : kafka::error_code::coordinator_not_available;
        if (version >= 2) resp.error = group_error;
        if (r) {
          // Partitions arrive in request order (or sorted for "all"): group consecutive runs of
          // one topic, as the response nests them.
          for (auto& p : r->partitions) {
            if (resp.topics.empty() || resp.topics.back().name != p.tp.topic)
              resp.topics.emplace_back().name = p.tp.topic;
            kafka::offset_fetch_partition_response pr;
            pr.partition_index = p.tp.partition.value();
            pr.committed_offset = p.offset;
            pr.committed_leader_epoch = p.leader_epoch;
            pr.metadata = std::move(p.metadata);
            // v1 has no group-level error: it goes on every partition, as Kafka does.
            pr.error = p.error != group::group_error::none || version >= 2
                           ? to_kafka_error(p.error)
                           : group_error;
            resp.topics.back().partitions.push_back(std::move(pr));
          }
        }
        reply.send(std::move(resp));
      },
      group::fetch_offsets_atom::value, std::move(fr));
}

}  // namespace lkstream::net

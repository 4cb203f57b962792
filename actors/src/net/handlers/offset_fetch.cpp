#include "net/handlers/offset_fetch.hpp"

#include <algorithm>

#include "group/group_api.hpp"
#include "net/kafka_errors.hpp"
#include "txn/txn_coordinator_api.hpp"

namespace lkstream::net {
namespace {

// Asks the group for its offsets and answers; partitions in `unstable` (sorted) are answered
// UNSTABLE_OFFSET_COMMIT with no offset, as Kafka does for require_stable.
void fetch_from_group(listener_core& core, group::offset_fetch_request fr, int16_t version,
                      std::vector<topic_partition> unstable, reply_slot reply) {
  core.ask<group::offset_fetch_response>(
      core.eng.groups(),
      [reply, version, unstable = std::move(unstable)](result<group::offset_fetch_response> r) {
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
            if (std::binary_search(unstable.begin(), unstable.end(), p.tp)) {
              pr.metadata = "";
              pr.error = kafka::error_code::unstable_offset_commit;
              resp.topics.back().partitions.push_back(std::move(pr));
              continue;
            }
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

}  // namespace

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
  if (!rq.require_stable) {
    fetch_from_group(ctx.core, std::move(fr), version, {}, std::move(reply));
    return;
  }
  // KIP-447: first the partitions whose offsets wait in an unfinished transaction. A
  // transaction writes its offsets into the group before it counts as complete, so a partition
  // not pending here has its final offset in the group by the time the group answers.
  auto weak = ctx.weak_core();
  std::string group_id = fr.group_id;
  ctx.core.ask<txn::txn_partition_list>(
      ctx.core.eng.transactions(),
      [weak, fr = std::move(fr), version, reply](result<txn::txn_partition_list> t) mutable {
        auto core = weak.lock();
        if (!core || !t) {
          kafka::offset_fetch_response resp;
          resp.error = kafka::error_code::coordinator_not_available;
          reply.send(std::move(resp));
          return;
        }
        fetch_from_group(*core, std::move(fr), version, std::move(t->partitions),
                         std::move(reply));
      },
      actors::txn_pending_offsets_atom::value, std::move(group_id));
}

}  // namespace lkstream::net

#include "net/handlers/transactions.hpp"

#include <algorithm>
#include <map>
#include <memory>
#include <vector>

#include "group/group_api.hpp"
#include "lkstream/txn/txn_coordinator_core.hpp"
#include "net/kafka_errors.hpp"
#include "partition/partition_api.hpp"
#include "topic/topic_registry.hpp"
#include "txn/txn_coordinator_api.hpp"

namespace lkstream::net {
namespace {

using kafka::error_code;

// Versions before PRODUCER_FENCED existed (AddPartitionsToTxn, AddOffsetsToTxn, EndTxn < 2)
// get INVALID_PRODUCER_EPOCH instead, as Kafka answers them.
error_code for_version(error_code e, int16_t version) {
  return e == error_code::producer_fenced && version < 2 ? error_code::invalid_producer_epoch : e;
}

error_code from_wire(int16_t e) { return static_cast<error_code>(e); }

bool partition_exists(const actors::topic_handle* t, int32_t p) {
  return t && p >= 0 && p < static_cast<int32_t>(t->partitions.size());
}

}  // namespace

void handle_add_partitions_to_txn(const request_context& ctx,
                                  kafka::add_partitions_to_txn_request rq, reply_slot reply) {
  kafka::add_partitions_to_txn_response resp;
  txn::txn_partition_list tps;
  bool unknown = false;
  auto& board = ctx.core.eng.board();
  for (auto& t : rq.topics) {
    auto& tr = resp.results.emplace_back();
    tr.name = t.name;
    auto topic = board.find(t.name);
    for (int32_t p : t.partitions) {
      const bool exists = partition_exists(topic.get(), p);
      unknown = unknown || !exists;
      tr.results.push_back({p, exists ? error_code::none : error_code::unknown_topic_or_partition});
      if (exists) tps.partitions.push_back({t.name, partition_id{p}});
    }
  }
  if (unknown) {  // Kafka adds none of them: the others are OPERATION_NOT_ATTEMPTED
    for (auto& tr : resp.results)
      for (auto& r : tr.results)
        if (r.error == error_code::none) r.error = error_code::operation_not_attempted;
    reply.send(std::move(resp));
    return;
  }
  const int16_t version = ctx.version();
  ctx.core.ask<int16_t>(
      ctx.core.eng.transactions(),
      [reply, resp = std::move(resp), version](result<int16_t> r) mutable {
        const error_code e =
            r ? for_version(from_wire(*r), version) : error_code::coordinator_not_available;
        for (auto& tr : resp.results)
          for (auto& p : tr.results) p.error = e;
        reply.send(std::move(resp));
      },
      actors::txn_add_partitions_atom::value, std::move(rq.transactional_id), rq.producer_id,
      rq.producer_epoch, std::move(tps));
}

void handle_add_offsets_to_txn(const request_context& ctx, kafka::add_offsets_to_txn_request rq,
                               reply_slot reply) {
  const int16_t version = ctx.version();
  ctx.core.ask<int16_t>(
      ctx.core.eng.transactions(),
      [reply, version](result<int16_t> r) {
        kafka::add_offsets_to_txn_response resp;
        resp.error = r ? for_version(from_wire(*r), version) : error_code::coordinator_not_available;
        reply.send(std::move(resp));
      },
      actors::txn_add_offsets_atom::value, std::move(rq.transactional_id), rq.producer_id,
      rq.producer_epoch, std::move(rq.group_id));
}

void handle_end_txn(const request_context& ctx, kafka::end_txn_request rq, reply_slot reply) {
  const int16_t version = ctx.version();
  ctx.core.ask<int16_t>(
      ctx.core.eng.transactions(),
      [reply, version](result<int16_t> r) {
        kafka::end_txn_response resp;
        resp.error = r ? for_version(from_wire(*r), version) : error_code::coordinator_not_available;
        reply.send(std::move(resp));
      },
      actors::txn_end_atom::value, std::move(rq.transactional_id), rq.producer_id,
      rq.producer_epoch, rq.committed);
}

// The group checks the committer (KIP-447: generation, member, instance), then the
// transaction coordinator takes the offsets, which reach the group when the transaction
// commits. Unknown partitions are answered UNKNOWN_TOPIC_OR_PARTITION and go nowhere.
void handle_txn_offset_commit(const request_context& ctx, kafka::txn_offset_commit_request rq,
                              reply_slot reply) {
  kafka::txn_offset_commit_response shape;
  group::offset_commit_request check;
  check.mode = group::commit_mode::validate_only;
  check.group_id = rq.group_id;
  check.generation_id = rq.generation_id;
  check.member_id = rq.member_id;
  check.group_instance_id = rq.group_instance_id;
  txn::txn_offset_commit_args args;
  args.transactional_id = std::move(rq.transactional_id);
  args.producer_id = rq.producer_id;
  args.producer_epoch = rq.producer_epoch;
  args.group_id = rq.group_id;
  auto& board = ctx.core.eng.board();
  for (auto& t : rq.topics) {
    auto& tr = shape.topics.emplace_back();
    tr.name = t.name;
    auto topic = board.find(t.name);
    for (auto& p : t.partitions) {
      const bool exists = partition_exists(topic.get(), p.partition_index);
      tr.results.push_back(
          {p.partition_index, exists ? error_code::none : error_code::unknown_topic_or_partition});
      if (!exists) continue;
      topic_partition tp{t.name, partition_id{p.partition_index}};
      check.partitions.push_back({tp, p.committed_offset, p.committed_leader_epoch, ""});
      args.offsets.push_back({rq.group_id, tp, p.committed_offset, p.committed_leader_epoch,
                              p.committed_metadata.value_or("")});
    }
  }
  if (args.offsets.empty()) {
    reply.send(std::move(shape));
    return;
  }
  // Sets every partition that went on (not unknown) to `e`.
  auto answer = [](kafka::txn_offset_commit_response resp, error_code e, const reply_slot& out) {
    for (auto& t : resp.topics)
      for (auto& p : t.results)
        if (p.error != error_code::unknown_topic_or_partition) p.error = e;
    out.send(std::move(resp));
  };
  auto weak = ctx.weak_core();
  ctx.core.ask<group::offset_commit_response>(
      ctx.core.eng.groups(),
      [weak, reply, shape = std::move(shape), args = std::move(args), answer](
          result<group::offset_commit_response> r) mutable {
        error_code e = error_code::none;
        if (!r) e = error_code::coordinator_not_available;
        else if (!r->partitions.empty()) e = to_kafka_error(r->partitions.front().error);
        auto core = weak.lock();
        if (e != error_code::none || !core) {
          answer(std::move(shape), core ? e : error_code::coordinator_not_available, reply);
          return;
        }
        core->ask<int16_t>(
            core->eng.transactions(),
            [reply, shape = std::move(shape), answer](result<int16_t> t) mutable {
              answer(std::move(shape), t ? from_wire(*t) : error_code::coordinator_not_available,
                     reply);
            },
            actors::txn_offset_commit_atom::value, std::move(args));
      },
      group::commit_offsets_atom::value, std::move(check));
}

void handle_describe_producers(const request_context& ctx, kafka::describe_producers_request rq,
                               reply_slot reply) {
  struct gather {
    kafka::describe_producers_response resp;
    size_t waiting = 0;
    std::optional<reply_slot> reply;
  };
  auto g = std::make_shared<gather>();
  g->reply.emplace(std::move(reply));
  struct job {
    actors::partition_actor partition;
    size_t t, p;
  };
  std::vector<job> jobs;
  auto& board = ctx.core.eng.board();
  for (size_t t = 0; t < rq.topics.size(); ++t) {
    auto& tr = g->resp.topics.emplace_back();
    tr.name = rq.topics[t].name;
    auto topic = board.find(tr.name);
    for (int32_t p : rq.topics[t].partition_indexes) {
      auto& pr = tr.partitions.emplace_back();
      pr.partition_index = p;
      if (!partition_exists(topic.get(), p)) {
        pr.error = error_code::unknown_topic_or_partition;
        // Kafka explains an unknown topic, not an unknown partition of a known one.
        if (!topic) pr.error_message = "This server does not host this topic-partition.";
        continue;
      }
      jobs.push_back({topic->partitions[static_cast<size_t>(p)], t, tr.partitions.size() - 1});
    }
  }
  g->waiting = jobs.size();
  if (jobs.empty()) {
    g->reply->send(std::move(g->resp));
    return;
  }
  for (auto& j : jobs) {
    ctx.core.ask<partition::producer_description_list>(
        j.partition,
        [g, t = j.t, p = j.p](result<partition::producer_description_list> r) {
          auto& pr = g->resp.topics[t].partitions[p];
          if (!r || r->code != errc::ok) {
            pr.error = to_kafka_error(r ? r->code : r.err().code);
          } else {
            for (const auto& d : r->producers)
              pr.active_producers.push_back({d.producer_id, d.producer_epoch, d.last_sequence,
                                             d.last_timestamp, d.coordinator_epoch,
                                             d.current_txn_start_offset});
          }
          if (--g->waiting == 0) g->reply->send(std::move(g->resp));
        },
        actors::describe_producers_atom::value);
  }
}

void handle_describe_transactions(const request_context& ctx,
                                  kafka::describe_transactions_request rq, reply_slot reply) {
  ctx.core.ask<txn::txn_metadata_list>(
      ctx.core.eng.transactions(),
      [reply, ids = rq.transactional_ids](result<txn::txn_metadata_list> r) {
        kafka::describe_transactions_response resp;
        for (size_t i = 0; i < ids.size(); ++i) {
          auto& d = resp.transaction_states.emplace_back();
          d.transactional_id = ids[i];
          if (!r) {
            d.error = error_code::coordinator_not_available;
            continue;
          }
          const auto& m = r->txns[i];
          if (m.producer_id < 0) {  // the other fields at their schema defaults, as Kafka
            d.error = txn::transactional_id_not_found;
            d.producer_id = 0;
            d.producer_epoch = 0;
            d.transaction_start_time_ms = 0;
            continue;
          }
          d.transaction_state = std::string(txn::to_string(m.status));
          d.transaction_timeout_ms = m.timeout_ms;
          d.transaction_start_time_ms = m.start_ms;
          d.producer_id = m.producer_id;
          d.producer_epoch = m.producer_epoch;
          for (const auto& tp : m.partitions) {
            if (d.topics.empty() || d.topics.back().name != tp.topic)
              d.topics.push_back({tp.topic, {}});
            d.topics.back().partitions.push_back(tp.partition.value());
          }
        }
        reply.send(std::move(resp));
      },
      actors::txn_describe_atom::value, std::move(rq.transactional_ids));
}

void handle_list_transactions(const request_context& ctx, kafka::list_transactions_request rq,
                              reply_slot reply) {
  kafka::list_transactions_response resp;
  std::vector<txn::txn_status> states;
  for (const auto& s : rq.state_filters) {
    if (auto st = txn::parse_txn_status(s))
      states.push_back(*st);
    else
      resp.unknown_state_filters.push_back(s);
  }
  // Kafka lists nothing when only unknown states were asked for.
  const bool nothing = !rq.state_filters.empty() && states.empty();
  const int64_t now = ctx.core.eng.now_ms();
  ctx.core.ask<txn::txn_metadata_list>(
      ctx.core.eng.transactions(),
      [reply, resp = std::move(resp), states = std::move(states), nothing, now,
       pids = std::move(rq.producer_id_filters),
       duration = rq.duration_filter](result<txn::txn_metadata_list> r) mutable {
        if (!r) {
          resp.error = error_code::coordinator_not_available;
          reply.send(std::move(resp));
          return;
        }
        for (const auto& m : r->txns) {
          if (nothing) break;
          if (!states.empty() && std::ranges::find(states, m.status) == states.end()) continue;
          if (!pids.empty() && std::ranges::find(pids, m.producer_id) == pids.end()) continue;
          if (duration >= 0 && (m.start_ms < 0 || now - m.start_ms < duration)) continue;
          resp.transaction_states.push_back(
              {m.transactional_id, m.producer_id, std::string(txn::to_string(m.status))});
        }
        reply.send(std::move(resp));
      },
      actors::txn_list_atom::value);
}

}  // namespace lkstream::net

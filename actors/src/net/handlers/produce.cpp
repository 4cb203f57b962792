#include "net/handlers/produce.hpp"

#include <cstdint>

#include "lkstream/model/record_batch.hpp"
#include "net/internal_topics.hpp"
#include "net/kafka_errors.hpp"
#include "topic/topic_registry.hpp"

namespace lkstream::net {
namespace {

using kafka::error_code;

// Magic byte position in every message format (v0/v1 MessageSet and v2 RecordBatch alike).
constexpr size_t magic_offset = 16;

struct partition_error {
  error_code code;
  std::string message;
};

// The checks that need no partition state, so a bad batch costs no copy and no actor hop
// (Kafka's ProduceRequest.validateRecords + LogValidator's client-side checks).
std::optional<partition_error> precheck(const std::optional<bytes_view>& records,
                                        const actors::topic_handle& topic) {
  if (records && records->empty())  // Kafka: INVALID_RECORD for a partition without a batch
    return partition_error{error_code::invalid_record, "no record batch"};
  if (!records || records->size() <= magic_offset)
    return partition_error{error_code::corrupt_message, "no record batch"};
  const auto magic = static_cast<int8_t>((*records)[magic_offset]);
  if (magic != model::current_magic)
    return partition_error{error_code::invalid_record,
                           "Produce v3+ takes record batches of magic 2 only, got magic " +
                               std::to_string(magic)};
  if (records->size() > topic.settings.log.max_batch_bytes)
    return partition_error{error_code::message_too_large,
                           "batch of " + std::to_string(records->size()) +
                               " bytes exceeds max.message.bytes " +
                               std::to_string(topic.settings.log.max_batch_bytes)};
  auto size = model::peek_batch_size(*records);
  if (!size || !*size)
    return partition_error{error_code::corrupt_message, "record batch length is inconsistent"};
  if (**size != records->size())
    return partition_error{error_code::invalid_record,
                           "a partition's records must be exactly one batch"};
  auto h = model::read_header(*records);
  if (!h) return partition_error{error_code::corrupt_message, h.err().message};
  if (h->is_control())
    return partition_error{error_code::invalid_record, "clients may not send control batches"};
  return std::nullopt;
}

error_code outcome_error(const actors::append_outcome& out) {
  switch (out.sequence) {
    case actors::sequence_check::out_of_order: return error_code::out_of_order_sequence_number;
    case actors::sequence_check::stale_epoch: return error_code::invalid_producer_epoch;
    case actors::sequence_check::missing_sequence: return error_code::invalid_record;
    default: return to_kafka_error(out.code);
  }
}

struct produce_gather {
  kafka::produce_response resp;
  size_t waiting = 0;
  bool acks_zero = false;
  int16_t version = 0;
};

}  // namespace

void handle_produce(const request_context& ctx, kafka::produce_request rq, reply_slot reply) {
  auto g = std::make_shared<produce_gather>();
  g->acks_zero = rq.acks == 0;
  g->version = ctx.version();
  const bool acks_valid = rq.acks == 0 || rq.acks == 1 || rq.acks == -1;
  auto& board = ctx.core.eng.board();

  struct append_job {
    actors::partition_actor partition;
    size_t t, p;
    bytes_view records;
  };
  std::vector<append_job> jobs;
  g->resp.responses.reserve(rq.topics.size());
  for (size_t t = 0; t < rq.topics.size(); ++t) {
    auto& td = rq.topics[t];
    auto& tr = g->resp.responses.emplace_back();
    tr.name = td.name;
    auto topic = board.find(td.name);
    for (size_t p = 0; p < td.partitions.size(); ++p) {
      auto& pd = td.partitions[p];
      auto& pr = tr.partitions.emplace_back();
      pr.partition_index = pd.partition_index;
      std::optional<partition_error> err;
      if (!acks_valid) {
        err = partition_error{error_code::invalid_required_acks,
                              "acks must be 0, 1 or -1, got " + std::to_string(rq.acks)};
      } else if (!topic && is_consumer_offsets_partition(td.name, pd.partition_index)) {
        err = partition_error{error_code::invalid_topic_exception,
                              "cannot produce to the internal topic " + td.name};
      } else if (!topic || pd.partition_index < 0 ||
                 pd.partition_index >= static_cast<int32_t>(topic->partitions.size())) {
        err = partition_error{error_code::unknown_topic_or_partition,
                              "unknown partition " + td.name + "-" +
                                  std::to_string(pd.partition_index)};
      } else {
        err = precheck(pd.records, *topic);
      }
      if (err) {
        pr.error = err->code;
        if (g->version >= 8) pr.error_message = std::move(err->message);
        continue;
      }
      jobs.push_back({topic->partitions[pd.partition_index], t, p, *pd.records});
    }
  }

  g->waiting = jobs.size();
  if (g->acks_zero) {
    reply.no_response();  // Kafka sends nothing for acks=0, not even errors (P3)
    bool failed = false;
    for (auto& tr : g->resp.responses)
      for (auto& pr : tr.partitions) failed = failed || pr.error != error_code::none;
    if (failed)  // as Kafka does: the only way to tell an acks=0 client something went wrong
      ctx.conn->close("connection from " + ctx.conn->peer() +
                      ": acks=0 produce rejected; closing");
  } else if (jobs.empty()) {
    reply.send(std::move(g->resp));
    return;
  }

  // Each batch goes to its partition actor as a slice of the request frame, which it stamps in
  // place and keeps in its hot tail (Fetch serves it from there), so the frame is not copied.
  // A batch smaller than half of the frame's buffer is copied into a buffer of its own instead
  // (append_batch::slice_or_copy), so that it does not pin the whole frame: the hot tail counts
  // what a batch pins, and 1 of 8 partitions' batches would otherwise hold all 8. Once a slice
  // is handed over, the connection must not reuse the frame for its next request.
  auto frame = std::const_pointer_cast<std::byte[]>(ctx.frame);  // allocated mutable
  std::vector<actors::append_batch> batches;
  batches.reserve(jobs.size());
  bool handed_over = false;
  for (auto& job : jobs) {
    const auto begin = reinterpret_cast<std::uintptr_t>(frame.get());
    const auto at = reinterpret_cast<std::uintptr_t>(job.records.data());
    if (frame && at >= begin && at - begin + job.records.size() <= ctx.frame_capacity) {
      mutable_bytes_view in_frame(frame.get() + (at - begin), job.records.size());
      batches.push_back(actors::append_batch::slice_or_copy(frame, in_frame, ctx.frame_capacity));
      handed_over = handed_over || batches.back().owner == frame;
    } else {  // not a view of the frame (the codec does not do this today): copy
      batches.push_back(actors::append_batch::copy_of(job.records));
    }
  }
  if (handed_over) ctx.conn->frame_handed_over(frame.get());

  auto conn = ctx.conn;
  for (size_t i = 0; i < jobs.size(); ++i) {
    auto& job = jobs[i];
    auto sink = std::make_shared<net_append_sink>(
        ctx.weak_core(), [g, reply, conn, t = job.t, p = job.p](const actors::append_outcome& out) {
          auto& pr = g->resp.responses[t].partitions[p];
          if (out.code == errc::ok) {
            pr.base_offset = out.info.base_offset.value();
            pr.log_append_time_ms = out.info.log_append_time;
            pr.log_start_offset = out.log_start.value();
          } else {
            pr.error = outcome_error(out);
            pr.log_start_offset = out.log_start.value();
            if (g->version >= 8) pr.error_message = out.message;
          }
          if (--g->waiting != 0) return;
          if (!g->acks_zero) {
            reply.send(std::move(g->resp));
            return;
          }
          for (auto& tr : g->resp.responses)
            for (auto& r : tr.partitions)
              if (r.error != error_code::none) {
                conn->close("connection from " + conn->peer() + ": acks=0 produce to " +
                            tr.name + "-" + std::to_string(r.partition_index) + " failed (" +
                            std::string(kafka::to_string(r.error)) + "); closing");
                return;
              }
        });
    caf::anon_send(job.partition, actors::append_atom::value, std::move(batches[i]),
                   actors::append_sink_ptr(std::move(sink)), true);
  }
}

}  // namespace lkstream::net

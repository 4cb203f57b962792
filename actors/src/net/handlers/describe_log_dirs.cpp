#include "net/handlers/describe_log_dirs.hpp"

#include <algorithm>
#include <filesystem>
#include <system_error>
#include <vector>

#include "partition/partition_api.hpp"
#include "topic/topic_registry.hpp"

namespace lkstream::net {

void handle_describe_log_dirs(const request_context& ctx, kafka::describe_log_dirs_request rq,
                              reply_slot reply) {
  struct gather {
    kafka::describe_log_dirs_response resp;
    size_t waiting = 0;
  };
  auto g = std::make_shared<gather>();
  auto& dir = g->resp.results.emplace_back();
  std::error_code ec;
  const auto& data_dir = ctx.core.eng.configuration().broker.data_dir;
  auto absolute = std::filesystem::absolute(data_dir, ec);
  dir.log_dir = ec ? data_dir : absolute.lexically_normal().string();
  if (auto space = std::filesystem::space(data_dir, ec); !ec) {
    dir.total_bytes = static_cast<int64_t>(space.capacity);
    dir.usable_bytes = static_cast<int64_t>(space.available);
  }

  struct job {
    actors::partition_actor partition;
    size_t t, p;
  };
  std::vector<job> jobs;
  auto snapshot = ctx.core.eng.board().snapshot();
  auto add_topic = [&](const actors::topic_handle& topic, const std::vector<int32_t>* wanted) {
    const size_t t = dir.topics.size();
    auto& out = dir.topics.emplace_back();
    out.name = topic.name;
    for (int32_t p = 0; p < static_cast<int32_t>(topic.partitions.size()); ++p) {
      if (wanted && std::find(wanted->begin(), wanted->end(), p) == wanted->end()) continue;
      jobs.push_back({topic.partitions[p], t, out.partitions.size()});
      out.partitions.push_back({p, 0, 0, false});
    }
    if (out.partitions.empty()) dir.topics.pop_back();  // Kafka lists only partitions it has
  };
  if (!rq.topics) {
    for (const auto& [name, topic] : *snapshot) add_topic(*topic, nullptr);
  } else {
    for (const auto& want : *rq.topics)
      if (auto i = snapshot->find(want.topic); i != snapshot->end())
        add_topic(*i->second, &want.partitions);
  }
  g->waiting = jobs.size();
  if (jobs.empty()) {
    reply.send(std::move(g->resp));
    return;
  }
  for (auto& j : jobs) {
    ctx.core.ask<partition::partition_description>(
        j.partition,
        [g, reply, t = j.t, p = j.p](result<partition::partition_description> r) {
          // A partition deleted meanwhile keeps size 0.
          if (r) g->resp.results[0].topics[t].partitions[p].partition_size =
              static_cast<int64_t>(r->size_bytes);
          if (--g->waiting == 0) reply.send(std::move(g->resp));
        },
        actors::describe_atom::value);
  }
}

}  // namespace lkstream::net

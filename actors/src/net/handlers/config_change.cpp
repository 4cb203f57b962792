#include "net/handlers/config_change.hpp"

#include "lkstream/kafka/describe_configs.hpp"
#include "net/kafka_errors.hpp"
#include "net/topic_configs.hpp"
#include "topic/topic_registry.hpp"

namespace lkstream::net {

config_change begin_config_change(const request_context& ctx, int8_t resource_type,
                                  const std::string& resource_name) {
  config_change c;
  c.response.resource_type = resource_type;
  c.response.resource_name = resource_name;
  if (resource_type == kafka::config_resource_topic) {
    auto topic = ctx.core.eng.board().find(resource_name);
    if (!topic && !actors::validate_topic_name(resource_name))
      c.refuse(kafka::error_code::invalid_topic_exception, "invalid topic name " + resource_name);
    else if (!topic)
      c.refuse(kafka::error_code::unknown_topic_or_partition, "unknown topic " + resource_name);
    else {
      c.settings = topic->settings;
      c.partitions = static_cast<int32_t>(topic->partitions.size());
    }
  } else if (resource_type == kafka::config_resource_broker ||
             resource_type == kafka::config_resource_broker_logger) {
    c.refuse(kafka::error_code::invalid_request,
             "LKSTREAM's broker settings are static: change them in lkstream.toml and restart");
  } else {
    c.refuse(kafka::error_code::invalid_request,
             "unsupported resource type " + std::to_string(resource_type));
  }
  return c;
}

void finish_config_changes(
    const request_context& ctx, std::vector<config_change> changes, bool validate_only,
    std::function<void(std::vector<kafka::alter_configs_resource_response>)> done) {
  struct gather {
    std::vector<kafka::alter_configs_resource_response> out;
    size_t waiting = 0;
    std::function<void(std::vector<kafka::alter_configs_resource_response>)> done;
  };
  auto g = std::make_shared<gather>();
  g->done = std::move(done);
  std::vector<std::pair<size_t, config::topic_settings>> jobs;
  for (auto& c : changes) {
    if (!c.refused())
      if (auto st = check_topic_configs(c.settings); !st)
        c.refuse(kafka::error_code::invalid_config, st.err().message);
    if (!c.refused() && !validate_only) jobs.emplace_back(g->out.size(), c.settings);
    g->out.push_back(std::move(c.response));
  }
  g->waiting = jobs.size();
  if (jobs.empty()) {
    g->done(std::move(g->out));
    return;
  }
  for (auto& [i, s] : jobs) {
    ctx.core.ask<bool>(
        ctx.core.eng.registry(),
        [g, i = i](result<bool> r) {
          if (!r) {
            g->out[i].error = to_kafka_error(r.code());
            g->out[i].error_message = r.err().message;
          }
          if (--g->waiting == 0) g->done(std::move(g->out));
        },
        actors::update_config_atom::value, g->out[i].resource_name, s);
  }
}

}  // namespace lkstream::net

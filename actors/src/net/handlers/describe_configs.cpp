#include "net/handlers/describe_configs.hpp"

#include <algorithm>

#include "lkstream/config/units.hpp"
#include "net/broker_configs.hpp"
#include "net/topic_configs.hpp"
#include "topic/topic_registry.hpp"

namespace lkstream::net {
namespace {

bool wanted(const kafka::describe_configs_resource& r, const std::string& name) {
  return !r.configuration_keys ||
         std::find(r.configuration_keys->begin(), r.configuration_keys->end(), name) !=
             r.configuration_keys->end();
}

kafka::describe_configs_entry entry(std::string name, std::string value, int8_t source,
                                    bool is_default, bool read_only) {
  kafka::describe_configs_entry e;
  e.name = std::move(name);
  e.value = std::move(value);
  e.read_only = read_only;
  e.is_default = is_default;
  e.config_source = is_default ? kafka::config_source_default : source;
  return e;
}

}  // namespace

void handle_describe_configs(const request_context& ctx, kafka::describe_configs_request rq,
                             reply_slot reply) {
  kafka::describe_configs_response resp;
  const auto& cfg = ctx.core.eng.configuration();
  for (const auto& r : rq.resources) {
    auto& out = resp.results.emplace_back();
    out.resource_type = r.resource_type;
    out.resource_name = r.resource_name;
    out.error_message = "";  // Kafka sends an empty message, not null, for a resource it answers
    if (r.resource_type == kafka::config_resource_topic) {
      auto topic = ctx.core.eng.board().find(r.resource_name);
      if (!topic && !actors::validate_topic_name(r.resource_name)) {
        out.error = kafka::error_code::invalid_topic_exception;
        out.error_message = "invalid topic name " + r.resource_name;
        continue;
      }
      if (!topic) {
        out.error = kafka::error_code::unknown_topic_or_partition;
        out.error_message = "unknown topic " + r.resource_name;
        continue;
      }
      for (auto& c : describe_topic_configs(topic->settings, cfg.topic_defaults)) {
        if (!wanted(r, c.name)) continue;
        auto broker = broker_synonyms_of(cfg, c.name);
        // A default topic value is the broker's: its source is the broker setting's.
        const int8_t source = !c.is_default    ? kafka::config_source_topic
                              : broker.empty() ? kafka::config_source_default
                                               : broker.front().source;
        auto& e = out.configs.emplace_back(entry(c.name, c.value, source, c.is_default, false));
        e.config_source = source;
        if (!rq.include_synonyms) continue;
        // As Kafka 4.4 answers: a topic's own value is its only synonym; an inherited one
        // lists the broker setting it comes from.
        if (!c.is_default)
          e.synonyms.push_back({c.name, c.value, kafka::config_source_topic});
        else
          for (auto& b : broker) e.synonyms.push_back({b.name, b.value, b.source});
      }
    } else if (r.resource_type == kafka::config_resource_broker) {
      if (r.resource_name != std::to_string(ctx.core.node_id()) && !r.resource_name.empty()) {
        out.error = kafka::error_code::invalid_request;
        out.error_message = "unknown broker " + r.resource_name;
        continue;
      }
      const broker_endpoints ep{ctx.core.advertised_host + ":" +
                                    std::to_string(ctx.core.advertised_port),
                                cfg.broker.listen};
      for (auto& c : describe_broker_configs(cfg, ep)) {
        if (!wanted(r, c.name)) continue;
        auto& e = out.configs.emplace_back(entry(c.name, c.value, c.source,
                                                 c.source == kafka::config_source_default, true));
        e.config_source = c.source;
        e.is_sensitive = c.sensitive;
        if (rq.include_synonyms)
          for (auto& syn : c.synonyms) e.synonyms.push_back({syn.name, syn.value, syn.source});
      }
    } else {
      out.error = kafka::error_code::invalid_request;
      out.error_message = "unsupported resource type " + std::to_string(r.resource_type);
    }
  }
  reply.send(std::move(resp));
}

}  // namespace lkstream::net

#include "net/handlers/alter_configs.hpp"

#include "net/handlers/config_change.hpp"
#include "net/topic_configs.hpp"

namespace lkstream::net {

void handle_alter_configs(const request_context& ctx, kafka::alter_configs_request rq,
                          reply_slot reply) {
  std::vector<config_change> changes;
  for (auto& r : rq.resources) {
    auto& c = changes.emplace_back(begin_config_change(ctx, r.resource_type, r.resource_name));
    if (c.refused()) continue;
    // The legacy form replaces the whole configuration: what is not listed is reset.
    c.settings = ctx.core.eng.configuration().topic_defaults;
    c.settings.partitions = c.partitions;
    for (const auto& e : r.configs) {
      if (auto st = apply_topic_config(c.settings, e.name, e.value); !st) {
        c.refuse(kafka::error_code::invalid_config, st.err().message);
        break;
      }
    }
  }
  finish_config_changes(ctx, std::move(changes), rq.validate_only,
                        [reply](std::vector<kafka::alter_configs_resource_response> out) {
                          kafka::alter_configs_response resp;
                          resp.responses = std::move(out);
                          reply.send(std::move(resp));
                        });
}

}  // namespace lkstream::net

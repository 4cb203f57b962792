#include "net/handlers/incremental_alter_configs.hpp"

#include <set>

#include "net/handlers/config_change.hpp"
#include "net/topic_configs.hpp"

namespace lkstream::net {

void handle_incremental_alter_configs(const request_context& ctx,
                                      kafka::incremental_alter_configs_request rq,
                                      reply_slot reply) {
  const auto& defaults = ctx.core.eng.configuration().topic_defaults;
  std::vector<config_change> changes;
  for (auto& r : rq.resources) {
    auto& c = changes.emplace_back(begin_config_change(ctx, r.resource_type, r.resource_name));
    if (c.refused()) continue;
    std::set<std::string> seen;
    for (const auto& e : r.configs) {
      if (!seen.insert(e.name).second) {
        // Kafka refuses a config named twice in one resource.
        c.refuse(kafka::error_code::invalid_request,
                 "config " + e.name + " appears more than once");
        break;
      }
      if (e.config_operation < kafka::config_op_set ||
          e.config_operation > kafka::config_op_subtract) {
        c.refuse(kafka::error_code::invalid_request,
                 "config " + e.name + ": unknown operation " +
                     std::to_string(e.config_operation) +
                     " (0 set, 1 delete, 2 append, 3 subtract)");
        break;
      }
      if (auto st = alter_topic_config(c.settings, e.name, e.config_operation, e.value, defaults);
          !st) {
        c.refuse(kafka::error_code::invalid_config, st.err().message);
        break;
      }
    }
  }
  finish_config_changes(
      ctx, std::move(changes), rq.validate_only,
      [reply](std::vector<kafka::alter_configs_resource_response> out) {
        kafka::incremental_alter_configs_response resp;
        resp.responses = std::move(out);
        reply.send(std::move(resp));
      });
}

}  // namespace lkstream::net

#pragma once
// What both directions of the kafka_bridge share: the connector's own keys, the librdkafka
// configuration built from every other [connector.config] key (passed through verbatim), the
// topic renaming map, and small librdkafka helpers.
//
// Threading: used on the connector's thread only (built in start()).

#include <librdkafka/rdkafka.h>

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "lkstream/plugin/sdk.hpp"

namespace lkstream::connectors::kafka_bridge {

// The bridge's own keys; every other key is a librdkafka property.
inline constexpr const char* direction_key = "direction";
inline constexpr const char* topic_map_key = "topic_map";
inline constexpr const char* partitioning_key = "partitioning";
inline constexpr const char* flush_timeout_key = "flush_timeout";
inline constexpr const char* batch_records_key = "batch_records";
inline constexpr const char* commit_interval_key = "commit_interval";
inline constexpr const char* topic_sync_key = "topic_sync";
inline constexpr const char* topic_sync_interval_key = "topic_sync_interval";
inline constexpr const char* replication_factor_key = "replication_factor";
inline constexpr const char* topic_name_key = "topic_name";
inline constexpr const char* offset_mode_key = "offset_mode";
inline constexpr const char* offset_map_topic_key = "offset_map_topic";

bool is_bridge_key(std::string_view key);

/// How records of LKSTREAM partition p are spread over the target's partitions (bridge_out.hpp);
/// the in-direction knows preserve and by_key.
enum class partitioning { preserve, by_key, hash };
/// partitioning's value: "preserve" (or its old name "same"), "by-key" (or "key"), "hash".
partitioning parse_partitioning(std::string_view text);

/// A librdkafka property the bridge sets itself because its guarantees depend on it, and the
/// values a user may give it anyway (the same meaning spelled differently).
struct pinned_property {
  const char* key;
  const char* value;                       // what the bridge sets
  std::vector<std::string_view> accepted;  // values a user may also write
};

/// Topic renaming in the direction records flow: topic_map "from:to,from:to" (whitespace
/// around names ignored) names single topics; every other topic is named by the template
/// (topic_name, default "{topic}": the same name; "mirror.{topic}" adds a prefix). A
/// config_error names a bad entry or template.
class topic_map {
 public:
  static plugin::status parse(std::string_view text, topic_map& out);
  /// The template, with exactly one "{topic}".
  plugin::status set_template(std::string_view name_template);
  /// The name `from` is renamed to (itself when unmapped).
  std::string to(std::string_view from) const;
  /// The name that is renamed to `to` (itself when no entry maps to it).
  std::string from(std::string_view to) const;

 private:
  std::map<std::string, std::string, std::less<>> forward_;
  std::string prefix_;  // the template's text before and after "{topic}"
  std::string suffix_;
};

struct conf_deleter {
  void operator()(rd_kafka_conf_t* c) const { rd_kafka_conf_destroy(c); }
};
using conf_ptr = std::unique_ptr<rd_kafka_conf_t, conf_deleter>;

/// A librdkafka configuration: `pinned` first, then every non-bridge key of the connector's
/// configuration as given (a user value of a pinned key must be one of its accepted values),
/// then `defaults` for what the user left out. A missing bootstrap.servers, an unknown
/// property or an invalid value is a config_error naming the key and librdkafka's reason.
plugin::status make_conf(const plugin::host& host, const std::vector<pinned_property>& pinned,
                         const std::vector<std::pair<const char*, std::string>>& defaults,
                         conf_ptr& out);

/// What a bridge client hands librdkafka: itself as opaque and its error and log callbacks.
struct client_callbacks {
  void* opaque;
  void (*error)(rd_kafka_t*, int err, const char* reason, void* opaque);
  void (*log)(const rd_kafka_t*, int level, const char* facility, const char* text);
};

/// rd_kafka_new of `type` from `conf` (consumed) with the callbacks set; a config_error with
/// librdkafka's reason when it refuses.
plugin::status new_client(rd_kafka_type_t type, conf_ptr conf, const client_callbacks& callbacks,
                          rd_kafka_t*& out);

/// One librdkafka log line (syslog level) to the host log, prefixed "librdkafka FAC: ".
void log_to_host(const plugin::host& host, int level, const char* facility, const char* text);

/// librdkafka's name and text of `err`.
std::string describe(rd_kafka_resp_err_t err);

}  // namespace lkstream::connectors::kafka_bridge

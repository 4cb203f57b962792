#pragma once
// The broker configuration: one TOML file (design.md section 6, every key in
// docs/configuration.md). Sections: [broker], [topic_defaults], [[topic]], [[connector]].
//
// Loading never throws and never half-succeeds: either every key was understood and valid, or
// the result is errc::config_error whose message lists every problem found, one per line, sorted
// by position, each as
//   lkstream.toml:12:9: topic[1].fsync: expected one of "always", "interval", "never",
//     got "sometimes"   (on one line)
// i.e. `source:line:column: key path: expected vs found`. Array indexes in key paths count from
// 0 (topic[1] is the second [[topic]]). Unknown keys are errors (with a "did you mean" hint for
// a known key within edit distance 2), as are wrong types, out-of-range values and TOML syntax.
//
// Paths (data_dir, plugin_dirs) are kept as written; relative paths are relative to the working
// directory of the process, not to the config file.
//
// Thread-safety: all functions are pure; results are plain values.

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "lkstream/base/result.hpp"
#include "lkstream/config/units.hpp"
#include "lkstream/storage/log_config.hpp"

namespace lkstream::config {

/// broker.max_connections = "auto": derived from the open-files limit when the listener starts
/// (process::auto_max_connections). Written in TOML as "auto".
inline constexpr int64_t connections_auto = 0;
/// No limit on connections: -1 / "unlimited" in TOML.
inline constexpr int64_t connections_unlimited = -1;
/// The largest count broker.max_connections and max_connections_per_ip accept.
inline constexpr int64_t max_connection_limit = 1'000'000;
/// broker.max_open_files = "auto": derived from the open-files limit when the engine opens
/// (process::auto_max_open_files). Written in TOML as "auto".
inline constexpr int64_t open_files_auto = 0;
/// The range of a counted broker.max_open_files.
inline constexpr int64_t min_open_files = 16;
inline constexpr int64_t max_open_files_limit = 10'000'000;

/// broker.security_protocol: Kafka's names. SSL and SASL_SSL are not implemented yet (issue 17
/// step c): the parser refuses them with a message saying so.
enum class security_protocol : uint8_t { plaintext, sasl_plaintext };

struct broker_settings {
  std::string data_dir = "./data";
  std::string listen = "127.0.0.1:9092";   // HOST:PORT of the Kafka listener
  std::string advertised;                  // HOST:PORT given to clients; empty = listen
  bool auto_create_topics = true;          // produce/metadata for an unknown topic creates it
  int32_t node_id = 0;                     // >= 0; the broker id in Metadata responses
  uint64_t max_request_bytes = 100ull << 20;   // Kafka's socket.request.max.bytes (<= INT32_MAX)
  uint64_t max_buffered_bytes = 128ull << 20;  // all connections' buffered request bytes
                                               //   together; >= max_request_bytes
  int64_t max_connections = connections_auto;  // Kafka client connections at once: a count,
                                               //   connections_auto or connections_unlimited
  int64_t max_connections_per_ip = connections_unlimited;  // the same per client address;
                                               //   <= max_connections when both are counts
  int64_t max_open_files = open_files_auto;    // segment and index files open at once (the
                                               //   storage layer's descriptor budget), a count
                                               //   or open_files_auto
  int64_t group_session_timeout_min_ms = 6000;     // allowed session.timeout.ms range of
  int64_t group_session_timeout_max_ms = 1800000;  //   joining consumers; min <= max
  int64_t group_initial_rebalance_delay_ms = 0;    // Kafka's group.initial.rebalance.delay.ms
  int64_t offsets_retention_ms = 7LL * 24 * 3600 * 1000;   // -1 = committed offsets never expire
  int64_t retention_check_interval_ms = 5LL * 60 * 1000;  // log.retention.check.interval.ms
  uint64_t cleaner_dedupe_buffer_bytes = 128ull << 20;  // log.cleaner.dedupe.buffer.size
  int64_t cleaner_io_max_bytes_per_second = -1;  // log.cleaner.io.max.bytes.per.second; -1: none
  int64_t cleaner_backoff_ms = 15000;            // log.cleaner.backoff.ms: between checks
  std::vector<std::string> plugin_dirs;    // searched in order for liblkstream_<plugin>.so
  uint32_t worker_threads = 0;             // CAF scheduler threads, 0 = number of cores
  // Security (issue 17). With sasl_plaintext, a connection must authenticate (SaslHandshake +
  // SaslAuthenticate) before any request but ApiVersions is served.
  security_protocol protocol = security_protocol::plaintext;
  std::vector<std::string> sasl_mechanisms{"SCRAM-SHA-256", "SCRAM-SHA-512"};  // enabled, in
                                           //   the order SaslHandshake lists them
  int64_t sasl_session_lifetime_ms = 0;    // Kafka's connections.max.reauth.ms: an
                                           //   authenticated session lasts this long, then the
                                           //   client must re-authenticate (KIP-368); 0 = forever
  int64_t failed_authentication_delay_ms = 100;  // Kafka's
                                           //   connection.failed.authentication.delay.ms
};

/// The address clients are told to connect to: `advertised`, or `listen` when it is empty.
inline const std::string& advertised_address(const broker_settings& b) {
  return b.advertised.empty() ? b.listen : b.advertised;
}

/// A topic's settings; topic_defaults holds the same keys and each [[topic]] inherits them.
/// Durations may be as large as INT64_MAX: compare ages by subtraction, never `start + limit`.
struct topic_settings {
  int32_t partitions = 1;         // 1..10000
  storage::log_config log;        // retention_ms / retention_bytes use -1 for "no limit"
  bool log_append_time = false;   // timestamp_type = "LogAppendTime"
};

struct topic_entry {
  std::string name;               // Kafka's topic name rules: [A-Za-z0-9._-]{1,249}, not . or ..
  topic_settings settings;        // topic_defaults overridden by this topic's own keys
};

struct connector_entry {
  std::string name;               // unique among connectors, [A-Za-z0-9._-]+
  std::string plugin;             // [A-Za-z0-9_-]+, loaded as liblkstream_<plugin>.so
  std::vector<std::string> topics;
  /// Sinks: every other topic whose name starts with topic_prefix or matches topic_regex
  /// (ECMAScript, the whole name) is read too, including topics created while the connector
  /// runs; names starting with "__" (internal topics) never match. Empty: not used.
  std::string topic_prefix;
  std::string topic_regex;
  /// [connector.config] in file order; values rendered as text: strings unquoted, integers in
  /// decimal, floats in shortest round-trip form, booleans as "true"/"false". Nested tables are
  /// flattened with dots, so `bootstrap.servers = "..."` (a dotted TOML key) and
  /// `"bootstrap.servers" = "..."` both give the key "bootstrap.servers" (both at once is an
  /// error). The connector's own schema validates the values when it is created.
  std::vector<std::pair<std::string, std::string>> config;
  std::string origin;             // "file:line:col" of the [[connector]] table, for later errors
};

struct config {
  broker_settings broker;
  topic_settings topic_defaults;
  std::vector<topic_entry> topics;       // in file order, names unique
  std::vector<connector_entry> connectors;  // in file order, names unique
  std::string source;                    // the file path, the source name, or "<defaults>"
};

/// Reads and parses a file. A file that cannot be read is errc::io_error naming the path and
/// the OS reason; everything else is as parse() with source_name = path.
result<config> load_file(const std::string& path);

/// Parses TOML text; `source_name` prefixes every error position. Empty text gives defaults().
result<config> parse(std::string_view toml_text, std::string_view source_name);

/// Every key at its default, no topics, no connectors, source "<defaults>".
config defaults();

/// A Markdown reference of every key: one table per section with key, type, default and
/// meaning, defaults rendered from defaults(). docs/configuration.md embeds this text.
std::string render_defaults_reference();

}  // namespace lkstream::config

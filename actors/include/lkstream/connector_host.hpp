#pragma once
// The connector host: runs every [[connector]] of a configuration against an open engine.
//
//   auto eng = lkstream::engine::open({.config_file = "lkstream.toml"});
//   auto host = lkstream::connector_host::start(**eng, (*eng)->configuration());
//   for (auto& s : (*host)->status()) std::cout << s.name << " " << to_string(s.state) << "\n";
//   (*host)->stop();            // before the engine closes
//
// Each connector's library (liblkstream_<plugin>.so from broker.plugin_dirs, then the build's
// own connector directory) is loaded and checked, and its [connector.config] validated against
// the plugin's schema, before anything of it runs. A connector that fails to load or validate
// is reported (state failed, last_error naming the file:line:col of its [[connector]] table,
// the library and the reason) and the others start anyway.
//
// A running connector has a dedicated thread. Sources hand records to an embedded producer and
// get acks once the records are durable per their topic's fsync policy; sinks read through an
// embedded consumer in group "connector.<name>" (no auto-commit) and the group offset is
// committed only after the sink's write and flush succeeded. A connector that fails (returns
// a retryable error, throws) is stopped and started again after an exponential backoff;
// configuration and fatal errors stop it for good. Topics a connector names are created with
// the topic defaults when missing (if broker.auto_create_topics).
//
// Threading: every member may be called from any thread. Lifetime: stop() (or destroy) the
// host before closing the engine; the engine must outlive the host.

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "lkstream/base/result.hpp"
#include "lkstream/config/config.hpp"
#include "lkstream/consumer.hpp"

namespace lkstream {

class engine;

enum class connector_state : uint8_t {
  starting,     // creating and starting an instance
  running,      // polling (source) or consuming (sink)
  backing_off,  // failed; a new instance starts after backoff_ms
  finished,     // a source reached the end of its input and everything it read is stored
  failed,       // not running and not restarted: load/validation, config or fatal error
  stopped,      // stopped by stop()
};

/// "starting", "running", "backing_off", "finished", "failed", "stopped".
std::string_view to_string(connector_state s);
/// A sink partition's records not committed yet: end - committed (end - position before the
/// first commit), never negative.
int64_t uncommitted(const partition_lag& p);
/// The inverse of to_string; nullopt for any other text.
std::optional<connector_state> connector_state_from_string(std::string_view s);

/// The internal topic the host publishes every connector's status to (see
/// connector_host_options::status_topic), read by `lkstream connector list|status` over the
/// Kafka protocol.
inline constexpr std::string_view connector_status_topic = "__lkstream_connectors";

struct connector_status {
  std::string name;
  std::string plugin;
  std::string kind;              // "source" or "sink" (empty if the library did not load)
  std::string library;           // path of the loaded .so (empty if not found)
  std::string origin;            // file:line:col of the [[connector]] table
  connector_state state = connector_state::starting;
  std::string last_error;        // most recent failure, kept after a successful restart
  std::string condition;         // a degraded condition the running instance reports and
                                 // rides out (e.g. "Kafka unreachable: ..."); empty if none
  uint32_t restarts = 0;         // instances started after a failure
  int64_t backoff_ms = 0;        // the current (or last) wait before a restart
  uint64_t records = 0;          // source: records acked (durable); sink: records committed
  uint64_t in_flight = 0;        // source: records emitted and not yet durable
  /// Sink: per assigned partition its position, committed offset and end offset (refreshed
  /// about once a second while running).
  std::vector<partition_lag> partitions;
  /// Sink: records not committed yet (end offset - committed offset, or - position before
  /// the first commit, summed over partitions); source: in_flight.
  int64_t lag() const;
  /// When the snapshot was published to the status topic (ms since the epoch; 0 = never).
  int64_t published_ms = 0;
};

/// One status record's value (a JSON object with every field above and "lag"; the record's
/// key is the connector name). The format is the status topic's contract: fields are only
/// ever added.
std::string to_json(const connector_status& s);
/// Parses to_json's output (unknown fields ignored, missing ones left at their defaults);
/// errc::invalid_argument naming the problem for anything else.
result<connector_status> connector_status_from_json(std::string_view json);

struct connector_host_options {
  /// Where connector state directories go (e.g. file_source positions); empty =
  /// DATA_DIR/__connectors. Each connector gets <state_root>/<name>/.
  std::string state_root;
  std::chrono::milliseconds initial_backoff{200};  // first restart delay, doubled per failure
  std::chrono::milliseconds max_backoff{30000};
  /// A connector that ran this long without failing starts over at initial_backoff.
  std::chrono::milliseconds backoff_reset_after{60000};
  /// Longest a source's poll (and a sink's wait for records) may block.
  std::chrono::milliseconds poll_timeout{100};
  size_t sink_batch_records = 500;  // most records per write+flush+commit of a sink
  /// How often a sink with topic_prefix / topic_regex looks for new matching topics.
  std::chrono::milliseconds topic_refresh{2000};
  /// Log lines ("connector NAME: ..."); default: the engine's log, where lines that differ
  /// only in numbers are rate-limited together (one per 10 s, with the count suppressed).
  std::function<void(std::string_view)> log;
  /// Where each connector's status is published, as a JSON record keyed by its name (on
  /// every change, checked every status_check, and at least every status_interval, plus a
  /// last record when the host stops). Created when missing (1 partition, 1 h retention, no
  /// fsync: it is a dashboard, not data) once at least one connector loaded and started.
  /// Empty: not published.
  std::string status_topic{connector_status_topic};
  std::chrono::milliseconds status_check{500};
  std::chrono::milliseconds status_interval{5000};
};

class connector_host {
 public:
  struct impl;

  /// Loads, validates and starts every [[connector]] of `cfg` (usually
  /// eng.configuration()). Per-connector problems end up in status(), not here; the
  /// result is an error only when the host itself cannot run (engine closed, the state
  /// directory cannot be created).
  static result<std::unique_ptr<connector_host>> start(engine& eng, const config::config& cfg,
                                                       connector_host_options opts = {});

  /// stop().
  ~connector_host();
  connector_host(const connector_host&) = delete;
  connector_host& operator=(const connector_host&) = delete;

  /// A snapshot of every connector, in configuration order.
  std::vector<connector_status> status() const;
  /// One connector's snapshot; errc::not_found for an unknown name.
  result<connector_status> status(std::string_view name) const;

  /// Waits until `done(status)` holds for connector `name` or `timeout` passed; returns the
  /// last snapshot either way (check it). For tests and `lkstream connector` tooling.
  result<connector_status> wait_for(std::string_view name,
                                    const std::function<bool(const connector_status&)>& done,
                                    std::chrono::milliseconds timeout) const;

  /// Stops every connector: sources stop polling and wait (bounded) for their in-flight
  /// records, sinks finish the batch in hand; then instances are destroyed and libraries
  /// unloaded. Idempotent.
  lkstream::status stop();

 private:
  explicit connector_host(std::unique_ptr<impl> i);
  std::unique_ptr<impl> impl_;
};

}  // namespace lkstream

#include "schema.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <limits>

namespace lkstream::config {

namespace {

constexpr uint64_t kib = 1024;
// Kafka sizes on the wire (frame length, message.max.bytes, segment.bytes) are int32.
constexpr uint64_t max_int32_bytes = std::numeric_limits<int32_t>::max();
constexpr int64_t max_int32 = std::numeric_limits<int32_t>::max();

constexpr std::array<std::string_view, 3> fsync_names{"always", "interval", "never"};
constexpr std::array<storage::fsync_policy, 3> fsync_values{
    storage::fsync_policy::always, storage::fsync_policy::interval, storage::fsync_policy::never};
constexpr std::array<std::string_view, 2> timestamp_type_names{"CreateTime", "LogAppendTime"};

std::string show_string(const std::string& s) { return quoted(s); }
std::string show_bool(bool b) { return b ? "true" : "false"; }
std::string show_size(uint64_t n) { return quoted(format_size(n)); }
std::string show_duration(int64_t ms) { return quoted(format_duration_ms(ms)); }
std::string show_ratio(double v) {
  char buf[32];
  auto end = std::to_chars(buf, buf + sizeof(buf), v).ptr;  // shortest round-trip form
  std::string out(buf, end);  // always a TOML float: "0.5", "1.0"
  if (out.find_first_of(".e") == std::string::npos) out += ".0";
  return out;
}
std::string show_strings(const std::vector<std::string>& v) {
  std::string out = "[";
  for (size_t i = 0; i < v.size(); ++i) out += (i > 0 ? ", " : "") + quoted(v[i]);
  return out + "]";
}

// A HOST:PORT string. For `advertised`, "" (same as listen) is allowed and wildcards are not.
std::optional<std::string> read_address(value_reader& r, bool advertised) {
  auto s = r.string();
  if (!s || (advertised && s->empty())) return s;
  auto hp = parse_host_port(*s);
  if (!hp) {
    r.fail(hp.err().message);
    return std::nullopt;
  }
  if (advertised && (hp->host == "0.0.0.0" || hp->host == "::")) {
    r.fail("expected an address clients can connect to, got " + describe(r.node()) +
           " (0.0.0.0 and [::] only make sense for listen)");
    return std::nullopt;
  }
  return s;
}

// A connection limit: 1..max_connection_limit, -1 / "unlimited", and "auto" where allowed.
std::optional<int64_t> read_connection_limit(value_reader& r, bool allow_auto) {
  const auto* i = r.node().as_integer();
  const auto* s = r.node().as_string();
  if ((i && i->get() == -1) || (s && s->get() == "unlimited")) return connections_unlimited;
  if (allow_auto && s && s->get() == "auto") return connections_auto;
  if (i && i->get() >= 1 && i->get() <= max_connection_limit) return i->get();
  r.fail("expected an integer in 1.." + std::to_string(max_connection_limit) +
         (allow_auto ? ", \"auto\"" : "") + " or -1 / \"unlimited\", got " + describe(r.node()));
  return std::nullopt;
}

std::string show_connection_limit(int64_t v) {
  if (v == connections_auto) return quoted("auto");
  if (v == connections_unlimited) return quoted("unlimited");
  return std::to_string(v);
}

std::optional<int64_t> read_open_files(value_reader& r) {
  const auto* i = r.node().as_integer();
  const auto* s = r.node().as_string();
  if (s && s->get() == "auto") return open_files_auto;
  if (i && i->get() >= min_open_files && i->get() <= max_open_files_limit) return i->get();
  r.fail("expected an integer in " + std::to_string(min_open_files) + ".." +
         std::to_string(max_open_files_limit) + " or \"auto\", got " + describe(r.node()));
  return std::nullopt;
}

const key_spec<broker_settings> broker_spec[] = {
    {"data_dir", "string",
     "Directory holding the partition logs and committed group offsets; created if missing. "
     "A relative path is relative to the working directory.",
     [](value_reader& r, broker_settings& b) {
       auto s = r.string();
       if (s && s->empty()) r.fail("expected a non-empty path, got \"\"");
       else if (s) b.data_dir = *s;
     },
     [](const broker_settings& b) { return show_string(b.data_dir); }},
    {"listen", "string",
     "HOST:PORT of the Kafka listener; port 1..65535, IPv6 in brackets (\"[::1]:9092\"). "
     "With a wildcard host (0.0.0.0, [::]) `advertised` is required.",
     [](value_reader& r, broker_settings& b) {
       if (auto s = read_address(r, false)) b.listen = *s;
     },
     [](const broker_settings& b) { return show_string(b.listen); }},
    {"advertised", "string",
     "HOST:PORT that Metadata responses give to clients; empty means `listen`. "
     "Must not be a wildcard address.",
     [](value_reader& r, broker_settings& b) {
       if (auto s = read_address(r, true)) b.advertised = *s;
     },
     [](const broker_settings& b) { return show_string(b.advertised); }},
    {"auto_create_topics", "boolean",
     "Create a topic (with topic_defaults) when a client produces to or asks Metadata for "
     "a topic that does not exist.",
     [](value_reader& r, broker_settings& b) {
       if (auto v = r.boolean()) b.auto_create_topics = *v;
     },
     [](const broker_settings& b) { return show_bool(b.auto_create_topics); }},
    {"node_id", "integer", "Broker id reported in Metadata; 0..2147483647.",
     [](value_reader& r, broker_settings& b) {
       if (auto v = r.integer(0, max_int32)) b.node_id = static_cast<int32_t>(*v);
     },
     [](const broker_settings& b) { return std::to_string(b.node_id); }},
    {"max_request_bytes", "size",
     "Largest request a client may send (Kafka's socket.request.max.bytes); larger ones close "
     "the connection. 1KiB..2147483647B, and at least every topic's max_message_bytes.",
     [](value_reader& r, broker_settings& b) {
       if (auto v = r.size(kib, max_int32_bytes)) b.max_request_bytes = *v;
     },
     [](const broker_settings& b) { return show_size(b.max_request_bytes); }},
    {"max_buffered_bytes", "size",
     "Limit on request bytes buffered over all connections; connections stop being read "
     "until it drops. At least max_request_bytes.",
     [](value_reader& r, broker_settings& b) {
       if (auto v = r.size(kib, std::numeric_limits<uint64_t>::max())) b.max_buffered_bytes = *v;
     },
     [](const broker_settings& b) { return show_size(b.max_buffered_bytes); }},
    {"max_connections", "integer",
     "Kafka client connections open at once (Kafka's max.connections); one more is accepted "
     "and closed at once, with a rate-limited log line. \"auto\": three quarters of the "
     "open-files limit at start (at least 32 descriptors kept for files), so connections "
     "cannot starve the logs of descriptors. 1..1000000, \"auto\" or -1 / \"unlimited\".",
     [](value_reader& r, broker_settings& b) {
       if (auto v = read_connection_limit(r, true)) b.max_connections = *v;
     },
     [](const broker_settings& b) { return show_connection_limit(b.max_connections); }},
    {"max_connections_per_ip", "integer",
     "Connections one client address may hold at once (Kafka's max.connections.per.ip); "
     "excess ones are closed at accept. 1..1000000 (at most max_connections) or -1 / "
     "\"unlimited\".",
     [](value_reader& r, broker_settings& b) {
       if (auto v = read_connection_limit(r, false)) b.max_connections_per_ip = *v;
     },
     [](const broker_settings& b) { return show_connection_limit(b.max_connections_per_ip); }},
    {"max_open_files", "integer",
     "Segment and index files the storage layer keeps open at once, over all partitions (like "
     "LevelDB's max_open_files): the files used least recently are closed and reopened on "
     "demand, a file unused for a minute is closed, and an index file is open only while it is "
     "written, so a partition not written or read in the last minute holds no descriptor. "
     "\"auto\": the quarter of the open-files limit that max_connections = \"auto\" leaves, "
     "less 32 for the runtime (1024 -> 224). 16..10000000 or \"auto\".",
     [](value_reader& r, broker_settings& b) {
       if (auto v = read_open_files(r)) b.max_open_files = *v;
     },
     [](const broker_settings& b) {
       return b.max_open_files == open_files_auto ? quoted("auto")
                                                  : std::to_string(b.max_open_files);
     }},
    {"group_session_timeout_min_ms", "duration",
     "Smallest session.timeout.ms a consumer may join a group with; at least 1ms.",
     [](value_reader& r, broker_settings& b) {
       if (auto v = r.duration(1, false)) b.group_session_timeout_min_ms = *v;
     },
     [](const broker_settings& b) { return show_duration(b.group_session_timeout_min_ms); }},
    {"group_session_timeout_max_ms", "duration",
     "Largest session.timeout.ms a consumer may join a group with; at least "
     "group_session_timeout_min_ms.",
     [](value_reader& r, broker_settings& b) {
       if (auto v = r.duration(1, false)) b.group_session_timeout_max_ms = *v;
     },
     [](const broker_settings& b) { return show_duration(b.group_session_timeout_max_ms); }},
    {"group_initial_rebalance_delay_ms", "duration",
     "How long a new group waits for more members before its first rebalance (Kafka's "
     "group.initial.rebalance.delay.ms, 3s there); 0 suits a single-node dev broker.",
     [](value_reader& r, broker_settings& b) {
       if (auto v = r.duration(0, false)) b.group_initial_rebalance_delay_ms = *v;
     },
     [](const broker_settings& b) { return show_duration(b.group_initial_rebalance_delay_ms); }},
    {"offsets_retention_ms", "duration",
     "How long committed offsets of a group without members are kept; at least 1ms, or "
     "-1 / \"forever\".",
     [](value_reader& r, broker_settings& b) {
       if (auto v = r.duration(1, true)) b.offsets_retention_ms = *v;
     },
     [](const broker_settings& b) { return show_duration(b.offsets_retention_ms); }},
    {"retention_check_interval_ms", "duration",
     "How often partitions apply retention_ms / retention_bytes (Kafka's "
     "log.retention.check.interval.ms); at least 1ms.",
     [](value_reader& r, broker_settings& b) {
       if (auto v = r.duration(1, false)) b.retention_check_interval_ms = *v;
     },
     [](const broker_settings& b) { return show_duration(b.retention_check_interval_ms); }},
    {"cleaner_dedupe_buffer_bytes", "size",
     "Memory of the log cleaner's key map (Kafka's log.cleaner.dedupe.buffer.size): 24 bytes "
     "per distinct key; when a cleaning finds more keys than fit it cleans a prefix of the "
     "dirty range and continues on the next pass. 1KiB..1TiB.",
     [](value_reader& r, broker_settings& b) {
       if (auto v = r.size(kib, kib * kib * kib * kib)) b.cleaner_dedupe_buffer_bytes = *v;
     },
     [](const broker_settings& b) { return show_size(b.cleaner_dedupe_buffer_bytes); }},
    {"cleaner_io_max_bytes_per_second", "size",
     "Limit on the bytes per second the log cleaner reads plus writes (Kafka's "
     "log.cleaner.io.max.bytes.per.second); at least 1KiB, or -1 / \"unlimited\".",
     [](value_reader& r, broker_settings& b) {
       auto max = static_cast<uint64_t>(std::numeric_limits<int64_t>::max());
       if (auto v = r.size_or_unlimited(kib, max)) b.cleaner_io_max_bytes_per_second = *v;
     },
     [](const broker_settings& b) {
       return b.cleaner_io_max_bytes_per_second < 0
                  ? std::string("\"unlimited\"")
                  : show_size(static_cast<uint64_t>(b.cleaner_io_max_bytes_per_second));
     }},
    {"cleaner_backoff_ms", "duration",
     "How often the log cleaner looks for compacted partitions worth cleaning (Kafka's "
     "log.cleaner.backoff.ms); at least 1ms.",
     [](value_reader& r, broker_settings& b) {
       if (auto v = r.duration(1, false)) b.cleaner_backoff_ms = *v;
     },
     [](const broker_settings& b) { return show_duration(b.cleaner_backoff_ms); }},
    {"plugin_dirs", "array of strings",
     "Directories searched, in order, for connector plugins (`liblkstream_<plugin>.so`).",
     [](value_reader& r, broker_settings& b) {
       auto v = r.string_array();
       if (!v) return;
       for (const auto& dir : *v) {
         if (dir.empty()) {
           r.fail("expected non-empty directory names, got \"\"");
           return;
         }
       }
       b.plugin_dirs = std::move(*v);
     },
     [](const broker_settings& b) { return show_strings(b.plugin_dirs); }},
    {"security_protocol", "string",
     "How clients connect and authenticate, with Kafka's names: \"PLAINTEXT\" (anyone, no "
     "authentication) or \"SASL_PLAINTEXT\" (SaslHandshake + SaslAuthenticate with one of "
     "sasl_mechanisms first; nothing but ApiVersions is served before). SSL and SASL_SSL are "
     "not implemented yet.",
     [](value_reader& r, broker_settings& b) {
       auto s = r.string();
       if (!s) return;
       if (*s == "PLAINTEXT") b.protocol = security_protocol::plaintext;
       else if (*s == "SASL_PLAINTEXT") b.protocol = security_protocol::sasl_plaintext;
       else if (*s == "SSL" || *s == "SASL_SSL")
         r.fail(quoted(*s) + " is not implemented yet (TLS is issue 17's next step); use "
                "\"PLAINTEXT\" or \"SASL_PLAINTEXT\"");
       else
         r.fail("expected \"PLAINTEXT\" or \"SASL_PLAINTEXT\", got " + describe(r.node()));
     },
     [](const broker_settings& b) {
       return quoted(b.protocol == security_protocol::sasl_plaintext ? "SASL_PLAINTEXT"
                                                                       : "PLAINTEXT");
     }},
    {"sasl_mechanisms", "array of strings",
     "SASL mechanisms a SASL_PLAINTEXT listener accepts: \"SCRAM-SHA-256\", "
     "\"SCRAM-SHA-512\", \"PLAIN\" (checked against the same SCRAM credentials; sends the "
     "password in clear text, so only where the network is trusted). Not empty.",
     [](value_reader& r, broker_settings& b) {
       auto v = r.string_array();
       if (!v) return;
       if (v->empty()) {
         r.fail("expected at least one mechanism");
         return;
       }
       for (const auto& m : *v) {
         if (m != "SCRAM-SHA-256" && m != "SCRAM-SHA-512" && m != "PLAIN") {
           r.fail("unknown SASL mechanism " + quoted(m) +
                  "; expected \"SCRAM-SHA-256\", \"SCRAM-SHA-512\" or \"PLAIN\"");
           return;
         }
       }
       b.sasl_mechanisms = std::move(*v);
     },
     [](const broker_settings& b) { return show_strings(b.sasl_mechanisms); }},
    {"sasl_session_lifetime_ms", "duration",
     "How long an authenticated SASL session lasts (Kafka's connections.max.reauth.ms): "
     "SaslAuthenticate tells the client, which re-authenticates on the same connection before "
     "it ends (KIP-368); a connection whose session ended is closed at its next request. "
     "0 = sessions never end.",
     [](value_reader& r, broker_settings& b) {
       if (auto v = r.duration(0, false)) b.sasl_session_lifetime_ms = *v;
     },
     [](const broker_settings& b) { return show_duration(b.sasl_session_lifetime_ms); }},
    {"failed_authentication_delay_ms", "duration",
     "How long a failed authentication waits before its answer is sent and the connection "
     "closed (Kafka's connection.failed.authentication.delay.ms), which slows password "
     "guessing.",
     [](value_reader& r, broker_settings& b) {
       if (auto v = r.duration(0, false)) b.failed_authentication_delay_ms = *v;
     },
     [](const broker_settings& b) { return show_duration(b.failed_authentication_delay_ms); }},
    {"worker_threads", "integer",
     "Threads of the actor scheduler; 0 = one per CPU core. 0..1024.",
     [](value_reader& r, broker_settings& b) {
       if (auto v = r.integer(0, 1024)) b.worker_threads = static_cast<uint32_t>(*v);
     },
     [](const broker_settings& b) { return std::to_string(b.worker_threads); }},
};

const key_spec<topic_settings> topic_spec[] = {
    {"partitions", "integer",
     "Number of partitions; 1..10000. A [[topic]] that exists with fewer grows to it when the "
     "engine opens (topics never shrink).",
     [](value_reader& r, topic_settings& t) {
       if (auto v = r.integer(1, 10000)) t.partitions = static_cast<int32_t>(*v);
     },
     [](const topic_settings& t) { return std::to_string(t.partitions); }},
    {"segment_bytes", "size",
     "Roll to a new segment file when the active one would grow past this; "
     "1KiB..2147483647B (index positions are 32-bit).",
     [](value_reader& r, topic_settings& t) {
       if (auto v = r.size(kib, max_int32_bytes)) t.log.segment_bytes = *v;
     },
     [](const topic_settings& t) { return show_size(t.log.segment_bytes); }},
    {"segment_ms", "duration",
     "Roll to a new segment when the active one is older than this (so time retention can "
     "delete it); at least 1ms.",
     [](value_reader& r, topic_settings& t) {
       if (auto v = r.duration(1, false)) t.log.segment_ms = *v;
     },
     [](const topic_settings& t) { return show_duration(t.log.segment_ms); }},
    {"retention_ms", "duration",
     "Delete closed segments whose newest record is older than this; -1 / \"forever\" keeps "
     "them. The active segment is never deleted.",
     [](value_reader& r, topic_settings& t) {
       if (auto v = r.duration(0, true)) t.log.retention_ms = *v;
     },
     [](const topic_settings& t) { return show_duration(t.log.retention_ms); }},
    {"retention_bytes", "size",
     "Delete the oldest closed segments while a partition is larger than this; -1 / "
     "\"unlimited\" / \"forever\" means no size limit.",
     [](value_reader& r, topic_settings& t) {
       auto max = static_cast<uint64_t>(std::numeric_limits<int64_t>::max());
       if (auto v = r.size_or_unlimited(0, max)) t.log.retention_bytes = *v;
     },
     [](const topic_settings& t) {
       return t.log.retention_bytes < 0 ? std::string("\"unlimited\"")
                                        : show_size(static_cast<uint64_t>(t.log.retention_bytes));
     }},
    {"fsync", "string",
     "What an acknowledgement promises: \"always\" (after fdatasync, concurrent appends share "
     "one), \"interval\" (fdatasync every fsync_interval_ms), \"never\" (OS page cache only).",
     [](value_reader& r, topic_settings& t) {
       if (auto i = r.one_of(fsync_names)) t.log.fsync = fsync_values[*i];
     },
     [](const topic_settings& t) {
       for (size_t i = 0; i < fsync_values.size(); ++i)
         if (fsync_values[i] == t.log.fsync) return quoted(fsync_names[i]);
       return std::string("?");
     }},
    {"fsync_interval_ms", "duration",
     "With fsync = \"interval\": the longest time written data stays unsynced; at least 1ms.",
     [](value_reader& r, topic_settings& t) {
       if (auto v = r.duration(1, false)) t.log.fsync_interval_ms = *v;
     },
     [](const topic_settings& t) { return show_duration(t.log.fsync_interval_ms); }},
    {"max_message_bytes", "size",
     "Largest record batch a producer may append (Kafka's max.message.bytes); larger ones "
     "get MESSAGE_TOO_LARGE. 1KiB..2147483647B and at most broker.max_request_bytes.",
     [](value_reader& r, topic_settings& t) {
       if (auto v = r.size(kib, max_int32_bytes)) t.log.max_batch_bytes = static_cast<uint32_t>(*v);
     },
     [](const topic_settings& t) { return show_size(t.log.max_batch_bytes); }},
    {"index_interval_bytes", "size",
     "Log bytes between two entries of the sparse offset index; smaller means faster seeks "
     "and bigger indexes. 1B..2147483647B.",
     [](value_reader& r, topic_settings& t) {
       if (auto v = r.size(1, max_int32_bytes))
         t.log.index_interval_bytes = static_cast<uint32_t>(*v);
     },
     [](const topic_settings& t) { return show_size(t.log.index_interval_bytes); }},
    {"hot_tail_bytes", "size",
     "Bytes of the newest batches each partition keeps in memory so consumers at the tail "
     "read without disk I/O; 0 disables it.",
     [](value_reader& r, topic_settings& t) {
       if (auto v = r.size(0, std::numeric_limits<uint64_t>::max())) t.log.hot_tail_bytes = *v;
     },
     [](const topic_settings& t) { return show_size(t.log.hot_tail_bytes); }},
    {"timestamp_type", "string",
     "\"CreateTime\" keeps the producer's record timestamps; \"LogAppendTime\" stamps batches "
     "with the broker's clock on append.",
     [](value_reader& r, topic_settings& t) {
       if (auto i = r.one_of(timestamp_type_names)) t.log_append_time = *i == 1;
     },
     [](const topic_settings& t) {
       return quoted(timestamp_type_names[t.log_append_time ? 1 : 0]);
     }},
    {"cleanup_policy", "string",
     "What happens to old records (Kafka's cleanup.policy): \"delete\" drops closed segments "
     "by retention_ms / retention_bytes; \"compact\" keeps the latest record per key (records "
     "need a key) and ignores retention; \"compact,delete\" does both.",
     [](value_reader& r, topic_settings& t) {
       auto v = r.string();
       if (!v) return;
       if (auto p = storage::parse_cleanup_policy(*v)) t.log.cleanup = *p;
       else r.fail("expected \"delete\", \"compact\" or \"compact,delete\", got " +
                   describe(r.node()));
     },
     [](const topic_settings& t) { return quoted(storage::to_string(t.log.cleanup)); }},
    {"min_cleanable_dirty_ratio", "float",
     "Compacted topics: clean a partition once the bytes written since its last cleaning are "
     "at least this share of its closed segments (Kafka's min.cleanable.dirty.ratio); 0..1.",
     [](value_reader& r, topic_settings& t) {
       if (auto v = r.ratio()) t.log.min_cleanable_dirty_ratio = *v;
     },
     [](const topic_settings& t) { return show_ratio(t.log.min_cleanable_dirty_ratio); }},
    {"min_compaction_lag_ms", "duration",
     "Compacted topics: a record stays uncompacted at least this long after it was written "
     "(Kafka's min.compaction.lag.ms); 0 or more, at most max_compaction_lag_ms.",
     [](value_reader& r, topic_settings& t) {
       if (auto v = r.duration(0, false)) t.log.min_compaction_lag_ms = *v;
     },
     [](const topic_settings& t) { return show_duration(t.log.min_compaction_lag_ms); }},
    {"max_compaction_lag_ms", "duration",
     "Compacted topics: a partition is cleaned, whatever its dirty ratio, once its oldest "
     "uncleaned record is older than this (Kafka's max.compaction.lag.ms); at least 1ms, or "
     "-1 / \"forever\" (the default: only the dirty ratio decides).",
     [](value_reader& r, topic_settings& t) {
       if (auto v = r.duration(1, true))
         t.log.max_compaction_lag_ms = *v < 0 ? std::numeric_limits<int64_t>::max() : *v;
     },
     [](const topic_settings& t) {
       return t.log.max_compaction_lag_ms == std::numeric_limits<int64_t>::max()
                  ? std::string("\"forever\"")
                  : show_duration(t.log.max_compaction_lag_ms);
     }},
    {"delete_retention_ms", "duration",
     "Compacted topics: how long a tombstone (a record with a null value) is kept after it was "
     "written, so consumers see the delete (Kafka's delete.retention.ms); 0 or more.",
     [](value_reader& r, topic_settings& t) {
       if (auto v = r.duration(0, false)) t.log.delete_retention_ms = *v;
     },
     [](const topic_settings& t) { return show_duration(t.log.delete_retention_ms); }},
};

const key_doc topic_identity_spec[] = {
    {"name", "string", "",
     "Topic name: 1..249 characters of [A-Za-z0-9._-], not \".\" or \"..\"; unique."},
};

const key_doc connector_spec[] = {
    {"name", "string", "",
     "Connector instance name: 1..249 characters of [A-Za-z0-9._-]; unique among connectors."},
    {"plugin", "string", "",
     "Plugin to load: `liblkstream_<plugin>.so` from `broker.plugin_dirs`; [A-Za-z0-9_-]."},
    {"topics", "array of strings", "[]",
     "Topics the connector reads (sink) or writes (source); valid topic names, no repeats."},
    {"topic_prefix", "string", "\"\"",
     "Sinks: also read every topic whose name starts with this, including topics created while "
     "the connector runs (internal `__` topics never)."},
    {"topic_regex", "string", "\"\"",
     "Sinks: also read every topic whose whole name matches this ECMAScript regular expression, "
     "including topics created while the connector runs (internal `__` topics never)."},
    {"config", "table", "{}",
     "Settings passed to the plugin as text: values are strings, integers, floats or booleans; "
     "dotted keys (`bootstrap.servers = ...`) need no quotes. The plugin checks them when the "
     "connector is created."},
};

// Where each key may appear, for "X is a key of [section]" hints.
struct section_keys {
  section id;
  std::string_view label;
};
constexpr section_keys section_labels[] = {
    {section::root, "the top level"},         {section::broker, "[broker]"},
    {section::topic_defaults, "[topic_defaults]"}, {section::topic, "[[topic]]"},
    {section::connector, "[[connector]]"},
};

bool name_chars_ok(std::string_view name, bool allow_dot) {
  for (char c : name) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '-' || (allow_dot && c == '.');
    if (!ok) return false;
  }
  return true;
}

}  // namespace

std::span<const key_spec<broker_settings>> broker_keys() { return broker_spec; }
std::span<const key_spec<topic_settings>> topic_keys() { return topic_spec; }
std::span<const key_doc> topic_identity_keys() { return topic_identity_spec; }
std::span<const key_doc> connector_keys() { return connector_spec; }

std::vector<std::string_view> known_keys(section s) {
  std::vector<std::string_view> out;
  switch (s) {
    case section::root: out = {"broker", "topic_defaults", "topic", "connector"}; break;
    case section::broker:
      for (const auto& k : broker_spec) out.push_back(k.name);
      break;
    case section::topic:
      for (const auto& k : topic_identity_spec) out.push_back(k.name);
      [[fallthrough]];
    case section::topic_defaults:
      for (const auto& k : topic_spec) out.push_back(k.name);
      break;
    case section::connector:
      for (const auto& k : connector_spec) out.push_back(k.name);
      break;
  }
  return out;
}

size_t edit_distance(std::string_view a, std::string_view b) {
  // d[i][j]: distance between the first i characters of a and the first j of b.
  std::vector<std::vector<size_t>> d(a.size() + 1, std::vector<size_t>(b.size() + 1));
  for (size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
  for (size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.size()][b.size()];
}

std::string unknown_key_message(section s, std::string_view key) {
  auto known = known_keys(s);
  std::string_view best;
  size_t best_distance = 3;  // hints only for distance <= 2
  for (auto candidate : known) {
    size_t d = edit_distance(key, candidate);
    if (d < best_distance) {
      best = candidate;
      best_distance = d;
    }
  }
  if (!best.empty()) return "unknown key (did you mean " + quoted(best) + "?)";

  std::string owners;
  for (const auto& other : section_labels) {
    if (other.id == s) continue;
    auto keys = known_keys(other.id);
    if (std::find(keys.begin(), keys.end(), key) == keys.end()) continue;
    owners += owners.empty() ? "" : " and ";
    owners += other.label;
  }
  if (!owners.empty()) return "unknown key here (" + quoted(key) + " belongs in " + owners + ")";

  std::string list;
  for (auto k : known) list += (list.empty() ? "" : ", ") + std::string(k);
  return "unknown key; expected one of: " + list;
}

bool is_valid_name(std::string_view name) {
  return !name.empty() && name.size() <= 249 && name != "." && name != ".." &&
         name_chars_ok(name, true);
}

bool is_valid_plugin_name(std::string_view name) {
  return !name.empty() && name.size() <= 128 && name_chars_ok(name, false);
}

}  // namespace lkstream::config

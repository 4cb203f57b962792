// GET /metrics. Values that engine state already holds (offsets, sizes, group commits, lag,
// connector status) are gathered here at scrape time through the public engine API, never
// duplicated in counters; the Kafka listener's per-API counters and the fsync histogram are
// relaxed atomics bumped where the work happens.
#include <string>
#include <vector>

#include "http/http_state.hpp"
#include "lkstream/metrics/exposition.hpp"
#include "lkstream/process/process_stats.hpp"

namespace lkstream::http {
namespace {

using metrics::exposition;

void process_metrics(exposition& out) {
  const auto p = process::read_process_stats();
  out.family("process_cpu_seconds_total", "counter", "User and system CPU time spent, seconds.");
  out.sample("process_cpu_seconds_total", {}, p.cpu_seconds);
  out.family("process_resident_memory_bytes", "gauge", "Resident memory size, bytes.");
  out.sample("process_resident_memory_bytes", {}, static_cast<double>(p.resident_bytes));
  out.family("process_virtual_memory_bytes", "gauge", "Virtual memory size, bytes.");
  out.sample("process_virtual_memory_bytes", {}, static_cast<double>(p.virtual_bytes));
  out.family("process_start_time_seconds", "gauge", "Start time since the epoch, seconds.");
  out.sample("process_start_time_seconds", {}, p.start_time_seconds);
  out.family("process_open_fds", "gauge", "Open file descriptors.");
  out.sample("process_open_fds", {}, static_cast<double>(p.open_files));
  if (p.max_files != UINT64_MAX) {
    out.family("process_max_fds", "gauge", "Open file descriptor limit (RLIMIT_NOFILE, soft).");
    out.sample("process_max_fds", {}, static_cast<double>(p.max_files));
  }
  out.family("process_threads", "gauge", "Threads of the process.");
  out.sample("process_threads", {}, static_cast<double>(p.threads));
}

void partition_metrics(exposition& out, engine& eng) {
  std::vector<topic_info> topics;
  for (auto& name : eng.list_topics())
    if (auto info = eng.describe_topic(name)) topics.push_back(std::move(*info));
  out.family("lkstream_topic_partitions", "gauge", "Partitions of a topic.");
  for (auto& t : topics)
    out.sample("lkstream_topic_partitions", {{"topic", t.name}},
               static_cast<double>(t.partitions.size()));
  struct gauge {
    const char* name;
    const char* help;
    double (*value)(const partition_info&);
  };
  static const gauge gauges[] = {
      {"lkstream_partition_log_start_offset", "First offset still in the log.",
       [](const partition_info& p) { return static_cast<double>(p.log_start); }},
      {"lkstream_partition_end_offset", "Next offset to be assigned (log end offset).",
       [](const partition_info& p) { return static_cast<double>(p.end_offset); }},
      {"lkstream_partition_high_watermark",
       "Consumers read below this offset (durable per the topic's fsync policy).",
       [](const partition_info& p) { return static_cast<double>(p.high_watermark); }},
      {"lkstream_partition_size_bytes", "Bytes of the partition's segments on disk.",
       [](const partition_info& p) { return static_cast<double>(p.size_bytes); }},
      {"lkstream_partition_segments", "Segments of the partition.",
       [](const partition_info& p) { return static_cast<double>(p.segments); }},
      {"lkstream_partition_recovery_truncated_bytes",
       "Bytes of a torn or corrupt tail cut when the log was opened.",
       [](const partition_info& p) { return static_cast<double>(p.truncated_bytes_at_open); }},
      {"lkstream_partition_corrupt_segments", "Damaged older segments found at open.",
       [](const partition_info& p) { return static_cast<double>(p.corrupt_segments.size()); }},
  };
  for (auto& g : gauges) {
    out.family(g.name, "gauge", g.help);
    for (auto& t : topics)
      for (auto& p : t.partitions) {
        const std::string part = std::to_string(p.partition);
        out.sample(g.name, {{"topic", t.name}, {"partition", part}}, g.value(p));
      }
  }
}

void group_metrics(exposition& out, engine& eng) {
  auto groups = eng.list_groups();
  if (!groups) return;
  struct group_offsets {
    const group_info* group;
    std::vector<group_partition_offset> offsets;
  };
  std::vector<group_offsets> all;
  for (auto& g : *groups) {
    auto offs = eng.group_offsets(g.group_id);
    all.push_back({&g, offs ? std::move(*offs) : std::vector<group_partition_offset>{}});
  }
  static const char* const states[] = {"Empty", "PreparingRebalance", "CompletingRebalance",
                                       "Stable", "Dead"};
  out.family("lkstream_group_state", "gauge",
             "1 for the consumer group's current state, 0 for the others.");
  for (auto& g : all)
    for (const char* s : states)
      out.sample("lkstream_group_state", {{"group", g.group->group_id}, {"state", s}},
                 g.group->state == s ? 1 : 0);
  out.family("lkstream_group_members", "gauge", "Members of the consumer group.");
  for (auto& g : all)
    out.sample("lkstream_group_members", {{"group", g.group->group_id}},
               static_cast<double>(g.group->members.size()));
  out.family("lkstream_group_committed_offset", "gauge",
             "The group's committed offset of a partition (-1: none).");
  for (auto& g : all)
    for (auto& o : g.offsets) {
      const std::string part = std::to_string(o.tp.partition.value());
      out.sample("lkstream_group_committed_offset",
                 {{"group", g.group->group_id}, {"topic", o.tp.topic}, {"partition", part}},
                 static_cast<double>(o.committed));
    }
  out.family("lkstream_group_lag", "gauge",
             "Records of a partition the group has not committed: high watermark - committed "
             "(everything retained without a commit).");
  for (auto& g : all)
    for (auto& o : g.offsets) {
      const std::string part = std::to_string(o.tp.partition.value());
      out.sample("lkstream_group_lag",
                 {{"group", g.group->group_id}, {"topic", o.tp.topic}, {"partition", part}},
                 static_cast<double>(o.lag()));
    }
}

void listener_metrics(exposition& out, const kafka_listener& l) {
  const auto st = l.stats();
  out.family("lkstream_kafka_connections", "gauge", "Kafka client connections open.");
  out.sample("lkstream_kafka_connections", {}, static_cast<double>(st.connections_open));
  out.family("lkstream_kafka_connections_accepted_total", "counter",
             "Kafka client connections accepted and served.");
  out.sample("lkstream_kafka_connections_accepted_total", {},
             static_cast<double>(st.connections_accepted));
  out.family("lkstream_kafka_connections_refused_total", "counter",
             "Connections closed at accept: max_connections, max_connections_per_ip, or out "
             "of descriptors.");
  out.sample("lkstream_kafka_connections_refused_total", {{"reason", "max_connections"}},
             static_cast<double>(st.connections_refused_limit));
  out.sample("lkstream_kafka_connections_refused_total", {{"reason", "max_connections_per_ip"}},
             static_cast<double>(st.connections_refused_per_ip));
  out.sample("lkstream_kafka_connections_refused_total", {{"reason", "no_descriptors"}},
             static_cast<double>(st.connections_refused_no_descriptors));
  out.family("lkstream_kafka_accept_errors_total", "counter", "Failed accept() calls.");
  out.sample("lkstream_kafka_accept_errors_total", {}, static_cast<double>(st.accept_errors));
  if (st.max_connections != UINT64_MAX) {
    out.family("lkstream_kafka_max_connections", "gauge", "The connection limit in force.");
    out.sample("lkstream_kafka_max_connections", {}, static_cast<double>(st.max_connections));
  }

  const auto apis = kafka_request_stats();
  out.family("lkstream_kafka_requests_total", "counter",
             "Kafka requests received and decoded, per API (every listener of the process).");
  for (auto& a : apis)
    out.sample("lkstream_kafka_requests_total", {{"api", a.name}}, static_cast<double>(a.requests));
  out.family("lkstream_kafka_responses_total", "counter",
             "Kafka responses sent, per API (acks=0 Produce requests get none).");
  for (auto& a : apis)
    out.sample("lkstream_kafka_responses_total", {{"api", a.name}},
               static_cast<double>(a.responses));
  out.family("lkstream_kafka_request_bytes_total", "counter",
             "Bytes of Kafka request frames received, per API.");
  for (auto& a : apis)
    out.sample("lkstream_kafka_request_bytes_total", {{"api", a.name}},
               static_cast<double>(a.bytes_in));
  out.family("lkstream_kafka_response_bytes_total", "counter",
             "Bytes of Kafka response frames sent, per API.");
  for (auto& a : apis)
    out.sample("lkstream_kafka_response_bytes_total", {{"api", a.name}},
               static_cast<double>(a.bytes_out));
  out.family("lkstream_kafka_request_duration_seconds", "histogram",
             "Time from a decoded Kafka request to its encoded response, per API (a Fetch "
             "parked for data counts its wait).");
  for (auto& a : apis)
    out.histogram("lkstream_kafka_request_duration_seconds", {{"api", a.name}}, a.latency);
}

void connector_metrics(exposition& out, const connector_host& host) {
  const auto all = host.status();
  static const connector_state states[] = {connector_state::starting, connector_state::running,
                                           connector_state::backing_off, connector_state::finished,
                                           connector_state::failed, connector_state::stopped};
  out.family("lkstream_connector_state", "gauge",
             "1 for the connector's current state, 0 for the others.");
  for (auto& c : all)
    for (auto s : states)
      out.sample("lkstream_connector_state", {{"connector", c.name}, {"state", to_string(s)}},
                 c.state == s ? 1 : 0);
  out.family("lkstream_connector_records_total", "counter",
             "Source: records acknowledged durable; sink: records committed.");
  for (auto& c : all)
    out.sample("lkstream_connector_records_total", {{"connector", c.name}},
               static_cast<double>(c.records));
  out.family("lkstream_connector_lag", "gauge",
             "Sink: records not committed yet; source: records in flight.");
  for (auto& c : all)
    out.sample("lkstream_connector_lag", {{"connector", c.name}}, static_cast<double>(c.lag()));
  out.family("lkstream_connector_restarts_total", "counter",
             "Instances started after a failure.");
  for (auto& c : all)
    out.sample("lkstream_connector_restarts_total", {{"connector", c.name}},
               static_cast<double>(c.restarts));
  out.family("lkstream_connector_failed", "gauge",
             "1 while the connector has a last error recorded, else 0.");
  for (auto& c : all)
    out.sample("lkstream_connector_failed", {{"connector", c.name}},
               c.last_error.empty() ? 0 : 1);
}

}  // namespace

std::string render_metrics(http_state& st) {
  exposition out;
  out.family("lkstream_build_info", "gauge", "Always 1; the version in a label.");
  out.sample("lkstream_build_info", {{"version", st.opts.version}}, 1);
  out.family("lkstream_ready", "gauge", "1 when /health/ready answers 200.");
  out.sample("lkstream_ready", {}, st.ready ? 1 : 0);
  process_metrics(out);

  const auto files = st.eng.storage_files();
  out.family("lkstream_storage_open_files", "gauge", "Segment and index files open now.");
  out.sample("lkstream_storage_open_files", {}, static_cast<double>(files.open_files));
  out.family("lkstream_storage_max_open_files", "gauge",
             "The storage layer's descriptor budget (broker.max_open_files).");
  out.sample("lkstream_storage_max_open_files", {}, static_cast<double>(files.max_open_files));
  out.family("lkstream_storage_file_reopens_total", "counter",
             "Segment or index files reopened after their descriptor had been closed.");
  out.sample("lkstream_storage_file_reopens_total", {}, static_cast<double>(files.reopens));
  out.family("lkstream_storage_file_evictions_total", "counter",
             "Descriptors closed to stay within max_open_files.");
  out.sample("lkstream_storage_file_evictions_total", {}, static_cast<double>(files.evictions));
  out.family("lkstream_storage_fsync_seconds", "histogram",
             "Duration of every fdatasync of the process (segments, indexes, offset stores).");
  out.histogram("lkstream_storage_fsync_seconds", {}, metrics::fsync_latency().read());

  partition_metrics(out, st.eng);
  group_metrics(out, st.eng);
  if (st.listener) listener_metrics(out, *st.listener);
  if (st.connectors) connector_metrics(out, *st.connectors);

  out.family("lkstream_http_responses_total", "counter",
             "Responses of this HTTP listener by status class (before this one).");
  static const char* const classes[] = {"1xx", "2xx", "3xx", "4xx", "5xx"};
  for (size_t i = 0; i < st.responses.size(); ++i)
    out.sample("lkstream_http_responses_total", {{"code", classes[i]}},
               static_cast<double>(st.responses[i].load(std::memory_order_relaxed)));
  return out.take();
}

}  // namespace lkstream::http

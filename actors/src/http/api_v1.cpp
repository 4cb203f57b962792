// The /api/v1 JSON endpoints over the engine's public API. Every answer is a JSON object;
// failures are {"error": "<text>", "code": "<errc>"} with a 4xx/5xx status.
#include "http/api_v1.hpp"

#include <nlohmann/json.hpp>

#include <charconv>
#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "lkstream/config/settings_view.hpp"
#include "lkstream/consumer.hpp"
#include "lkstream/process/process_stats.hpp"

namespace lkstream::http {
namespace {

using json = nlohmann::json;

int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

void send_json(httplib::Response& res, int status, const json& body) {
  res.status = status;
  // Names and record bytes may be any text: invalid UTF-8 is replaced, never thrown on.
  res.set_content(body.dump(-1, ' ', false, json::error_handler_t::replace),
                  "application/json");
}

void send_error(httplib::Response& res, int status, std::string_view code, std::string_view what) {
  send_json(res, status, json{{"error", what}, {"code", code}});
}

int status_of(errc code) {
  switch (code) {
    case errc::unknown_topic:
    case errc::not_found: return 404;
    case errc::invalid_argument:
    case errc::config_error:
    case errc::offset_out_of_range: return 400;
    case errc::topic_exists: return 409;
    case errc::closed: return 503;
    case errc::timeout: return 504;
    default: return 500;
  }
}

void send_error(httplib::Response& res, const error& e) {
  send_error(res, status_of(e.code), to_string(e.code), e.message);
}

/// A query parameter as a decimal integer in [lo, hi]; nullopt when absent. Sends a 400 and
/// sets `bad` when present but not such a number.
std::optional<int64_t> int_param(const httplib::Request& req, httplib::Response& res,
                                 const char* name, int64_t lo, int64_t hi, bool& bad) {
  if (!req.has_param(name)) return std::nullopt;
  const std::string v = req.get_param_value(name);
  int64_t n = 0;
  auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
  if (ec != std::errc{} || end != v.data() + v.size() || n < lo || n > hi) {
    send_error(res, 400, "invalid_argument",
               "query parameter " + std::string(name) + ": expected an integer in " +
                   std::to_string(lo) + ".." + std::to_string(hi) + ", got \"" +
                   v.substr(0, 64) + "\"");
    bad = true;
    return std::nullopt;
  }
  return n;
}

json settings_json(const std::vector<config::setting>& settings) {
  json out = json::object();
  for (auto& s : settings) out[s.key] = s.value;
  return out;
}

json partition_json(const partition_info& p) {
  return json{{"partition", p.partition},
              {"log_start", p.log_start},
              {"end_offset", p.end_offset},
              {"high_watermark", p.high_watermark},
              {"records", p.high_watermark - p.log_start},
              {"size_bytes", p.size_bytes},
              {"segments", p.segments},
              {"truncated_bytes_at_open", p.truncated_bytes_at_open},
              {"corrupt_segments", p.corrupt_segments}};
}

json topic_json(const topic_info& t, bool with_settings) {
  json parts = json::array();
  int64_t records = 0;
  for (auto& p : t.partitions) {
    parts.push_back(partition_json(p));
    records += p.high_watermark - p.log_start;
  }
  json j{{"name", t.name},
         {"partition_count", t.partitions.size()},
         {"size_bytes", t.size_bytes()},
         {"records", records},
         {"partitions", std::move(parts)}};
  if (with_settings) j["config"] = settings_json(config::render_topic_settings(t.settings));
  return j;
}

json group_summary_json(const group_info& g, const std::vector<group_partition_offset>& offs) {
  int64_t lag = 0;
  for (auto& o : offs) lag += o.lag();
  return json{{"group_id", g.group_id},         {"state", g.state},
              {"protocol_type", g.protocol_type}, {"protocol", g.protocol},
              {"members", g.members.size()},    {"lag", lag}};
}

std::string hex_of(bytes_view b) {
  static const char digits[] = "0123456789abcdef";
  std::string out;
  out.reserve(b.size() * 2);
  for (std::byte c : b) {
    out += digits[static_cast<uint8_t>(c) >> 4];
    out += digits[static_cast<uint8_t>(c) & 15];
  }
  return out;
}

/// Whether `s` is valid UTF-8 without control characters other than tab/newline/CR: shown
/// as text then, else only as hex.
bool is_text(std::string_view s) {
  for (size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    size_t n = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
    if (n == 0 || i + n > s.size()) return false;
    if (n == 1 && c < 0x20 && c != '\t' && c != '\n' && c != '\r') return false;
    for (size_t k = 1; k < n; ++k)
      if ((static_cast<unsigned char>(s[i + k]) >> 6) != 2) return false;
    i += n;
  }
  return true;
}

constexpr size_t max_shown_bytes = 64 * 1024;  // of one key or value in a record listing

json bytes_json(const std::optional<bytes_view>& b) {
  if (!b) return nullptr;
  const bool cut = b->size() > max_shown_bytes;
  bytes_view shown = cut ? b->subspan(0, max_shown_bytes) : *b;
  std::string_view text(reinterpret_cast<const char*>(shown.data()), shown.size());
  return json{{"size", b->size()},
              {"truncated", cut},
              {"text", is_text(text) ? json(std::string(text)) : json(nullptr)},
              {"hex", hex_of(shown)}};
}

/// GET /api/v1/topics/{t}/partitions/{p}/records?offset=N|timestamp=MS&limit=K
void browse_records(http_state& st, const httplib::Request& req, httplib::Response& res) {
  const std::string topic = req.matches[1];
  int32_t partition = 0;
  {
    const std::string p = req.matches[2];
    auto [end, ec] = std::from_chars(p.data(), p.data() + p.size(), partition);
    if (ec != std::errc{} || end != p.data() + p.size() || partition < 0)
      return send_error(res, 400, "invalid_argument", "partition: expected a number, got " + p);
  }
  bool bad = false;
  auto offset = int_param(req, res, "offset", 0, INT64_MAX, bad);
  if (bad) return;
  auto timestamp = int_param(req, res, "timestamp", 0, INT64_MAX, bad);
  if (bad) return;
  auto limit = int_param(req, res, "limit", 1, st.opts.max_records, bad);
  if (bad) return;
  if (offset && timestamp)
    return send_error(res, 400, "invalid_argument", "give offset or timestamp, not both");
  auto info = st.eng.describe_topic(topic);
  if (!info) return send_error(res, info.err());
  const partition_info* part = nullptr;
  for (auto& p : info->partitions)
    if (p.partition == partition) part = &p;
  if (!part)
    return send_error(res, 404, "unknown_topic",
                      "topic " + topic + " has no partition " + std::to_string(partition));
  const size_t want = static_cast<size_t>(limit.value_or(50));
  auto c = st.eng.make_consumer({.client_id = "lkstream-http", .enable_auto_commit = false,
                                 .max_poll_records = want});
  if (!c) return send_error(res, c.err());
  const topic_partition tp{topic, partition_id{partition}};
  if (auto s = (*c)->assign({tp}); !s) return send_error(res, s.err());
  const int64_t start = offset ? std::max(*offset, part->log_start) : part->log_start;
  auto sought = timestamp ? (*c)->seek_to_timestamp(tp, *timestamp) : (*c)->seek(tp, start);
  if (!sought) return send_error(res, sought.err());
  auto pos = (*c)->position(tp);
  if (!pos) return send_error(res, pos.err());
  json records = json::array();
  int64_t next = *pos;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(2);
  // Reads what is there now: stops at the high watermark seen at the start, at the limit, or
  // after 2 s (a partition whose reads are slow), never waits for new records.
  while (records.size() < want && next < part->high_watermark &&
         std::chrono::steady_clock::now() < deadline) {
    auto batch = (*c)->poll(std::chrono::milliseconds(200));
    if (!batch) return send_error(res, batch.err());
    for (auto& r : *batch) {
      if (records.size() >= want) break;
      json headers = json::array();
      for (auto& h : r.headers) headers.push_back({{"key", h.key}, {"value", bytes_json(h.value)}});
      records.push_back({{"offset", r.offset},
                         {"timestamp", r.timestamp},
                         {"key", bytes_json(r.key)},
                         {"value", bytes_json(r.value)},
                         {"headers", std::move(headers)}});
      next = r.offset + 1;
    }
  }
  send_json(res, 200,
            json{{"topic", topic},
                 {"partition", partition},
                 {"log_start", part->log_start},
                 {"high_watermark", part->high_watermark},
                 {"records", std::move(records)},
                 {"next_offset", next}});
}

bool require_json_body(const httplib::Request& req, httplib::Response& res) {
  const auto type = req.get_header_value("Content-Type");
  if (type.rfind("application/json", 0) != 0) {
    send_error(res, 415, "invalid_argument",
               "write requests need Content-Type: application/json");
    return false;
  }
  return true;
}

}  // namespace

void register_api_v1(httplib::Server& server, http_state& st) {
  server.Get("/api/v1/broker", [&st](const httplib::Request&, httplib::Response& res) {
    const auto& cfg = st.eng.configuration();
    const auto files = st.eng.storage_files();
    const auto proc = process::read_process_stats();
    json j{{"version", st.opts.version},
           {"node_id", cfg.broker.node_id},
           {"config_source", cfg.source},
           {"data_dir", cfg.broker.data_dir},
           {"http_listen", st.bound_address},
           {"started_ms", st.started_ms},
           {"uptime_ms", now_ms() - st.started_ms},
           {"ready", st.ready.load()},
           {"config", settings_json(config::render_broker_settings(cfg))},
           {"topic_defaults", settings_json(config::render_topic_settings(cfg.topic_defaults))},
           {"storage",
            {{"open_files", files.open_files},
             {"max_open_files", files.max_open_files},
             {"reopens", files.reopens},
             {"evictions", files.evictions}}},
           {"process",
            {{"resident_bytes", proc.resident_bytes},
             {"cpu_seconds", proc.cpu_seconds},
             {"open_files", proc.open_files},
             {"threads", proc.threads}}}};
    if (st.listener) {
      const auto ls = st.listener->stats();
      uint64_t in = 0, out = 0, requests = 0;
      for (auto& a : kafka_request_stats()) {
        in += a.bytes_in;
        out += a.bytes_out;
        requests += a.requests;
      }
      j["kafka"] = {{"listen", st.listener->bound_address()},
                    {"advertised", st.listener->advertised_address()},
                    {"connections", ls.connections_open},
                    {"connections_accepted", ls.connections_accepted},
                    {"requests", requests},
                    {"bytes_in", in},
                    {"bytes_out", out}};
    }
    send_json(res, 200, j);
  });

  server.Get("/api/v1/topics", [&st](const httplib::Request&, httplib::Response& res) {
    json out = json::array();
    for (auto& name : st.eng.list_topics())
      if (auto info = st.eng.describe_topic(name)) out.push_back(topic_json(*info, false));
    send_json(res, 200, json{{"topics", std::move(out)}});
  });
  server.Post("/api/v1/topics", [&st](const httplib::Request& req, httplib::Response& res) {
    if (!require_json_body(req, res)) return;
    auto body = json::parse(req.body, nullptr, false);
    if (body.is_discarded() || !body.is_object() || !body.contains("name") ||
        !body["name"].is_string())
      return send_error(res, 400, "invalid_argument",
                        "expected a JSON object {\"name\": \"...\", \"partitions\": N}");
    const std::string name = body["name"];
    int64_t partitions = st.eng.configuration().topic_defaults.partitions;
    if (body.contains("partitions")) {
      if (!body["partitions"].is_number_integer() || body["partitions"] < 1 ||
          body["partitions"] > 10000)
        return send_error(res, 400, "invalid_argument", "partitions: expected 1..10000");
      partitions = body["partitions"];
    }
    if (auto s = st.eng.create_topic(name, static_cast<int32_t>(partitions)); !s)
      return send_error(res, s.err());
    auto info = st.eng.describe_topic(name);
    if (!info) return send_error(res, info.err());
    send_json(res, 201, topic_json(*info, true));
  });
  server.Get(R"(/api/v1/topics/([^/]+))", [&st](const httplib::Request& req,
                                               httplib::Response& res) {
    auto info = st.eng.describe_topic(std::string(req.matches[1]));
    if (!info) return send_error(res, info.err());
    send_json(res, 200, topic_json(*info, true));
  });
  server.Delete(R"(/api/v1/topics/([^/]+))", [&st](const httplib::Request& req,
                                                  httplib::Response& res) {
    const std::string name = req.matches[1];
    if (auto s = st.eng.delete_topic(name); !s) return send_error(res, s.err());
    send_json(res, 200, json{{"deleted", name}});
  });
  server.Get(R"(/api/v1/topics/([^/]+)/partitions)", [&st](const httplib::Request& req,
                                                          httplib::Response& res) {
    auto info = st.eng.describe_topic(std::string(req.matches[1]));
    if (!info) return send_error(res, info.err());
    json parts = json::array();
    for (auto& p : info->partitions) parts.push_back(partition_json(p));
    send_json(res, 200, json{{"topic", info->name}, {"partitions", std::move(parts)}});
  });
  server.Get(R"(/api/v1/topics/([^/]+)/partitions/([^/]+)/records)",
             [&st](const httplib::Request& req, httplib::Response& res) {
               browse_records(st, req, res);
             });

  server.Get("/api/v1/groups", [&st](const httplib::Request&, httplib::Response& res) {
    auto groups = st.eng.list_groups();
    if (!groups) return send_error(res, groups.err());
    json out = json::array();
    for (auto& g : *groups) {
      auto offs = st.eng.group_offsets(g.group_id);
      out.push_back(group_summary_json(g, offs ? *offs : std::vector<group_partition_offset>{}));
    }
    send_json(res, 200, json{{"groups", std::move(out)}});
  });
  server.Get(R"(/api/v1/groups/([^/]+))", [&st](const httplib::Request& req,
                                               httplib::Response& res) {
    const std::string id = req.matches[1];
    auto g = st.eng.describe_group(id);
    if (!g) return send_error(res, g.err());
    auto offs = st.eng.group_offsets(id);
    if (!offs) return send_error(res, offs.err());
    if (g->state == "Dead" && offs->empty())
      return send_error(res, 404, "not_found", "no consumer group " + id);
    json j = group_summary_json(*g, *offs);
    json members = json::array();
    for (auto& m : g->members) {
      json assignment = json::array();
      for (auto& tp : m.assignment)
        assignment.push_back({{"topic", tp.topic}, {"partition", tp.partition.value()}});
      members.push_back({{"member_id", m.member_id},
                         {"group_instance_id", m.group_instance_id ? json(*m.group_instance_id)
                                                                   : json(nullptr)},
                         {"client_id", m.client_id},
                         {"client_host", m.client_host},
                         {"assignment", std::move(assignment)}});
    }
    json offsets = json::array();
    for (auto& o : *offs)
      offsets.push_back({{"topic", o.tp.topic},
                         {"partition", o.tp.partition.value()},
                         {"committed", o.committed},
                         {"log_start", o.log_start},
                         {"end_offset", o.end_offset},
                         {"lag", o.lag()}});
    j["members"] = std::move(members);
    j["member_count"] = g->members.size();
    j["offsets"] = std::move(offsets);
    send_json(res, 200, j);
  });
  server.Post(R"(/api/v1/groups/([^/]+)/reset-offsets)",
              [&st](const httplib::Request& req, httplib::Response& res) {
                if (!require_json_body(req, res)) return;
                const std::string id = req.matches[1];
                auto removed = st.eng.delete_group_offsets(id);
                if (!removed) {
                  // invalid_argument here means the group has members: refused while active.
                  if (removed.err().code == errc::invalid_argument)
                    return send_error(res, 409, "group_active", removed.err().message);
                  return send_error(res, removed.err());
                }
                send_json(res, 200, json{{"group_id", id}, {"offsets_removed", *removed}});
              });

  server.Get("/api/v1/connectors", [&st](const httplib::Request&, httplib::Response& res) {
    json out = json::array();
    if (st.connectors)
      for (auto& c : st.connectors->status())
        out.push_back(json::parse(to_json(c), nullptr, false));
    send_json(res, 200, json{{"connectors", std::move(out)}});
  });
  server.Get(R"(/api/v1/connectors/([^/]+))", [&st](const httplib::Request& req,
                                                   httplib::Response& res) {
    const std::string name = req.matches[1];
    if (!st.connectors) return send_error(res, 404, "not_found", "no connector " + name);
    auto c = st.connectors->status(name);
    if (!c) return send_error(res, c.err());
    send_json(res, 200, json::parse(to_json(*c), nullptr, false));
  });
}

}  // namespace lkstream::http

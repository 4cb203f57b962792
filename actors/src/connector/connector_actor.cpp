#include "connector/connector_actor.hpp"

#include <algorithm>
#include <chrono>
#include <map>
#include <optional>
#include <regex>

#include "engine_services.hpp"
#include "lkstream/consumer.hpp"
#include "lkstream/plugin_host/ack_tracker.hpp"
#include "lkstream/plugin_host/plugin_instance.hpp"
#include "lkstream/producer.hpp"

namespace lkstream::actors {
namespace {

using steady = std::chrono::steady_clock;
using plugin_host::call_result;

// How long stopping a source waits for its in-flight records before giving up on their acks.
constexpr auto drain_timeout = std::chrono::seconds(10);
// Longest single wait of the backoff timer (a pending timer keeps the actor alive).
constexpr auto max_tick = std::chrono::milliseconds(100);
constexpr auto lag_refresh_interval = std::chrono::seconds(1);

std::string_view level_prefix(lks_log_level level) {
  switch (level) {
    case LKS_LOG_ERROR: return "error: ";
    case LKS_LOG_WARN: return "warning: ";
    case LKS_LOG_DEBUG: return "debug: ";
    default: return "";
  }
}

// The host table's services for a source: records go to the producer, their delivery reports
// to the ack tracker.
class connector_services final : public plugin_host::instance_services {
 public:
  explicit connector_services(const connector_actor_config& cfg) : cfg_(cfg) {}

  void log(lks_log_level level, std::string_view message) override {
    cfg_.opts.log("connector " + cfg_.name + ": " + std::string(level_prefix(level)) +
                  std::string(message));
  }

  int64_t now_ms() override {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
  }

  void set_condition(std::string_view condition) override {
    std::string text(condition);
    bool changed = false;
    cfg_.cell->update([&](connector_status& st) {
      changed = st.condition != text;
      st.condition = text;
    });
    if (changed) log(LKS_LOG_WARN, text.empty() ? "condition cleared" : "condition: " + text);
  }

  result<plugin_host::topic_description> describe_topic(std::string_view topic) override {
    auto t = cfg_.eng->describe_topic(topic);
    if (!t) return t.err();
    const storage::log_config& log = t->settings.log;
    plugin_host::topic_description d;
    d.partitions = static_cast<int32_t>(t->partitions.size());
    d.retention_ms = log.retention_ms;
    d.retention_bytes = log.retention_bytes;
    d.max_message_bytes = log.max_batch_bytes;
    d.cleanup_policy = std::string(storage::to_string(log.cleanup));
    return d;
  }

  status emit(std::span<const lks_record> records, uint64_t token) override {
    if (!prod || !acks) return {errc::invalid_argument, "emit outside of poll"};
    const uint64_t seq = acks->add(token, records.size());
    std::vector<record_header> headers;
    for (size_t i = 0; i < records.size(); ++i) {
      auto st = send_one(records[i], seq, headers);
      if (!st) {
        for (size_t j = i; j < records.size(); ++j) acks->settle(seq, false, st.err().message);
        return st;
      }
    }
    return {};
  }

  producer* prod = nullptr;
  std::shared_ptr<plugin_host::ack_tracker> acks;

 private:
  static std::optional<bytes_view> view(const void* p, int64_t len) {
    if (len < 0) return std::nullopt;
    return bytes_view(static_cast<const std::byte*>(p), static_cast<size_t>(len));
  }

  status send_one(const lks_record& r, uint64_t seq, std::vector<record_header>& headers) {
    std::string_view topic(r.topic ? r.topic : "", r.topic ? r.topic_len : 0);
    if (topic.empty()) topic = cfg_.topics.front();
    if (std::find(cfg_.topics.begin(), cfg_.topics.end(), topic) == cfg_.topics.end())
      return {errc::invalid_argument, "emit to topic \"" + std::string(topic) +
                                          "\", which is not one of the connector's topics"};
    headers.clear();
    for (size_t h = 0; h < r.header_count; ++h)
      headers.push_back({std::string_view(r.headers[h].key, r.headers[h].key_len),
                         view(r.headers[h].value, r.headers[h].value_len)});
    producer_record pr;
    pr.topic = topic;
    pr.key = view(r.key, r.key_len);
    pr.value = view(r.value, r.value_len);
    pr.headers = headers;
    pr.timestamp = r.timestamp;
    pr.partition = r.partition;
    auto acks_ref = acks;
    return prod->send(pr, [acks_ref, seq](const delivery_report& d) {
      if (d.code == errc::ok) {
        acks_ref->settle(seq, true);
        return;
      }
      acks_ref->settle(seq, false,
                       "append to " + std::string(d.topic) + "-" + std::to_string(d.partition) +
                           " failed: " + std::string(to_string(d.code)) + ": " +
                           std::string(d.message));
    });
  }

  const connector_actor_config& cfg_;
};

struct connector_actor_state {
  connector_actor_config cfg;
  std::unique_ptr<connector_services> services;
  std::unique_ptr<producer> prod;                        // sources
  std::shared_ptr<plugin_host::ack_tracker> acks;        // sources
  std::unique_ptr<consumer> cons;                        // sinks
  std::unique_ptr<plugin_host::plugin_instance> inst;    // destroyed first
  uint32_t failures_in_row = 0;
  steady::time_point running_since;
  steady::time_point restart_at;
  steady::time_point lag_refreshed;
  uint64_t committed_records = 0;  // sinks
  uint64_t acked_before = 0;       // sources: records acked by earlier instances
  std::optional<std::regex> topic_regex;  // cfg.topic_regex, compiled once
  std::vector<std::string> reading;       // sinks: the topics subscribed to (sorted)
  steady::time_point topics_refreshed;
  static inline const char* name = "connector";

  bool is_source() const { return cfg.kind == LKS_KIND_SOURCE; }
  bool selects() const { return !cfg.topic_prefix.empty() || topic_regex.has_value(); }
  void log(const std::string& line) const { cfg.opts.log("connector " + cfg.name + ": " + line); }
  template <class F>
  void update(F&& f) {
    cfg.cell->update(std::forward<F>(f));
  }
};

using self_ptr = connector_actor::stateful_pointer<connector_actor_state>;

// Topics must exist before a producer or consumer can use them.
status ensure_topics(connector_actor_state& s) {
  const engine_services eng(*s.cfg.eng);
  for (auto& t : s.cfg.topics) {
    if (eng.board().find(t)) continue;
    if (!eng.configuration().broker.auto_create_topics)
      return {errc::unknown_topic, "topic \"" + t + "\" does not exist (declare it as a [[topic]] "
                                   "or set broker.auto_create_topics = true)"};
    LK_TRY_STATUS(eng.ensure_topic(t));
  }
  return {};
}

// A sink's topics: the listed ones and every engine topic topic_prefix / topic_regex select
// (internal "__" topics never), sorted.
std::vector<std::string> selected_topics(const connector_actor_state& s) {
  std::vector<std::string> out = s.cfg.topics;
  if (s.selects()) {
    for (auto& t : s.cfg.eng->list_topics()) {
      if (t.rfind("__", 0) == 0) continue;
      const bool by_prefix = !s.cfg.topic_prefix.empty() && t.rfind(s.cfg.topic_prefix, 0) == 0;
      if (by_prefix || (s.topic_regex && std::regex_match(t, *s.topic_regex)))
        out.push_back(t);
    }
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

std::string joined(const std::vector<std::string>& names) {
  std::string out;
  for (auto& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

// Sinks with a selection: subscribes to what it selects now (a topic created meanwhile is
// read from its beginning, as auto_offset_reset earliest gives a new partition).
status refresh_selection(connector_actor_state& s) {
  s.topics_refreshed = steady::now();
  auto topics = selected_topics(s);
  if (topics == s.reading) return {};
  if (topics.empty()) return {};  // a selected topic was deleted: keep the old subscription
  LK_TRY_STATUS(s.cons->subscribe(topics));
  s.log("reading topics: " + joined(topics));
  if (s.reading.empty())  // the "no topic matches yet" condition, if it was set
    s.update([](connector_status& st) { st.condition.clear(); });
  s.reading = std::move(topics);
  return {};
}

void deliver_acks(connector_actor_state& s) {
  if (!s.acks || !s.inst) return;
  for (uint64_t token : s.acks->take_acks()) s.inst->ack(token);
  s.update([&](connector_status& st) {
    st.records = s.acked_before + s.acks->acked_records();
    st.in_flight = s.acks->in_flight();
  });
}

// Stops and destroys the instance and its producer/consumer. A source first waits (bounded)
// for its in-flight records, so the acks of what was stored still reach it.
void teardown(connector_actor_state& s) {
  if (s.prod) {
    if (auto st = s.prod->flush(drain_timeout); !st)
      s.log("warning: in-flight records not confirmed on stop: " + st.err().to_string());
    deliver_acks(s);
  }
  if (s.inst) {
    if (auto r = s.inst->stop(); !r.ok()) s.log("warning: stop failed: " + r.message);
    s.inst.reset();
  }
  if (s.services) s.services->prod = nullptr;
  s.prod.reset();
  if (s.acks) s.update([](connector_status& st) { st.in_flight = 0; });
  s.cons.reset();  // no auto-commit: uncommitted records are read again by the next instance
  s.update([](connector_status& st) { st.condition.clear(); });  // it was the instance's
}

void fail(self_ptr self, const call_result& r);

void begin_attempt(self_ptr self) {
  auto& s = self->state;
  s.update([](connector_status& st) { st.state = connector_state::starting; });
  if (auto st = ensure_topics(s); !st)
    return fail(self, {st.code() == errc::unknown_topic ? LKS_ERR_CONFIG : LKS_ERR_RETRY,
                       st.err().message});
  s.running_since = steady::now();
  if (s.is_source()) {
    if (s.acks) s.acked_before += s.acks->acked_records();
    producer_options po;
    s.prod = s.cfg.eng->make_producer(po);
    s.acks = std::make_shared<plugin_host::ack_tracker>();
    s.services->prod = s.prod.get();
    s.services->acks = s.acks;
  } else {
    consumer_options co;
    co.group_id = "connector." + s.cfg.name;
    co.client_id = co.group_id;
    co.enable_auto_commit = false;
    co.auto_offset_reset = offset_reset::earliest;
    co.max_poll_records = std::max<size_t>(1, s.cfg.opts.sink_batch_records);
    auto c = s.cfg.eng->make_consumer(co);
    if (!c) return fail(self, {LKS_ERR_RETRY, "consumer: " + c.err().to_string()});
    s.cons = std::move(*c);
    s.reading.clear();
    if (auto st = refresh_selection(s); !st)
      return fail(self, {LKS_ERR_RETRY, "subscribe: " + st.err().to_string()});
    if (s.reading.empty())
      s.update([&](connector_status& st) {
        st.condition = "no topic matches yet (topic_prefix \"" + s.cfg.topic_prefix +
                       "\", topic_regex \"" + s.cfg.topic_regex + "\"); waiting for one";
      });
  }
  plugin_host::instance_identity id{s.cfg.name, s.is_source() ? s.cfg.topics : s.reading,
                                    s.cfg.state_dir};
  s.inst = std::make_unique<plugin_host::plugin_instance>(s.cfg.library, s.cfg.settings,
                                                          std::move(id), *s.services);
  if (auto r = s.inst->create(); !r.ok()) {
    s.inst.reset();
    return fail(self, r);
  }
  if (auto r = s.inst->start(); !r.ok()) return fail(self, r);
  s.update([](connector_status& st) { st.state = connector_state::running; });
  s.log("running");
  self->send(self, connector_step_atom::value);
}

void fail(self_ptr self, const call_result& r) {
  auto& s = self->state;
  s.log("error: " + r.message);
  teardown(s);
  if (r.permanent()) {
    s.update([&](connector_status& st) {
      st.state = connector_state::failed;
      st.last_error = r.message;
    });
    s.log("not restarted (" + plugin_host::status_name(r.code) + ")");
    self->quit();
    return;
  }
  const auto now = steady::now();
  if (s.failures_in_row > 0 && now - s.running_since >= s.cfg.opts.backoff_reset_after)
    s.failures_in_row = 0;
  ++s.failures_in_row;
  auto backoff = s.cfg.opts.initial_backoff;
  for (uint32_t i = 1; i < s.failures_in_row && backoff < s.cfg.opts.max_backoff; ++i) backoff *= 2;
  backoff = std::min(backoff, s.cfg.opts.max_backoff);
  s.restart_at = now + backoff;
  s.update([&](connector_status& st) {
    st.state = connector_state::backing_off;
    st.last_error = r.message;
    st.backoff_ms = backoff.count();
  });
  s.log("restarting in " + std::to_string(backoff.count()) + " ms");
  self->send(self, connector_tick_atom::value);
}

void finish_source(self_ptr self) {
  auto& s = self->state;
  if (auto st = s.prod->flush(drain_timeout); !st)
    return fail(self, {LKS_ERR_RETRY, "end of input, but storing the last records failed: " +
                                          st.err().to_string()});
  deliver_acks(s);
  if (auto f = s.acks->failure()) return fail(self, {LKS_ERR_RETRY, *f});
  teardown(s);
  s.update([](connector_status& st) { st.state = connector_state::finished; });
  s.log("finished: end of input, every record stored");
  self->quit();
}

void source_step(self_ptr self) {
  auto& s = self->state;
  deliver_acks(s);
  if (auto f = s.acks->failure()) return fail(self, {LKS_ERR_RETRY, *f});
  auto r = s.inst->poll(s.cfg.opts.poll_timeout);
  if (r.end()) return finish_source(self);
  if (!r.ok()) return fail(self, r);
  deliver_acks(s);
  self->send(self, connector_step_atom::value);
}

void refresh_lag(connector_actor_state& s) {
  const auto now = steady::now();
  if (now - s.lag_refreshed < lag_refresh_interval) return;
  s.lag_refreshed = now;
  auto lag = s.cons->lag();
  s.update([&](connector_status& st) { st.partitions = std::move(lag); });
}

// While a sink waits for its restart (its instance may not even start, e.g. the remote side
// is down), its lag comes from its group's committed offsets, so the status keeps showing how
// far behind it is.
void refresh_lag_from_group(connector_actor_state& s) {
  if (s.is_source()) return;
  const auto now = steady::now();
  if (now - s.lag_refreshed < lag_refresh_interval) return;
  s.lag_refreshed = now;
  auto offsets = s.cfg.eng->group_offsets("connector." + s.cfg.name);
  if (!offsets) return;
  std::vector<partition_lag> lag;
  lag.reserve(offsets->size());
  for (auto& o : *offsets)
    lag.push_back({o.tp, o.committed >= 0 ? o.committed : o.log_start, o.committed, o.end_offset});
  s.update([&](connector_status& st) { st.partitions = std::move(lag); });
}

void sink_step(self_ptr self) {
  auto& s = self->state;
  if (s.selects() && steady::now() - s.topics_refreshed >= s.cfg.opts.topic_refresh) {
    if (auto st = refresh_selection(s); !st)
      return fail(self, {LKS_ERR_RETRY, "subscribe: " + st.err().to_string()});
  }
  if (s.reading.empty()) {  // nothing selected yet
    self->delayed_send(self, s.cfg.opts.poll_timeout, connector_step_atom::value);
    return;
  }
  auto polled = s.cons->poll(s.cfg.opts.poll_timeout);
  if (!polled) return fail(self, {LKS_ERR_RETRY, "consumer: " + polled.err().to_string()});
  // Before the batch's write/flush, which may block (a remote sink waiting for its peer):
  // meanwhile the status shows the new end offsets against the old commit.
  refresh_lag(s);
  const record_set& rs = *polled;
  if (!rs.empty()) {
    size_t header_count = 0;
    for (auto& r : rs) header_count += r.headers.size();
    std::vector<lks_header> headers;
    headers.reserve(header_count);  // stable addresses for the records below
    std::vector<lks_record> records;
    records.reserve(rs.size());
    std::map<topic_partition, int64_t> next_offsets;
    for (auto& r : rs) {
      lks_record out{};
      out.topic = r.topic->data();
      out.topic_len = r.topic->size();
      out.partition = r.partition;
      out.offset = r.offset;
      out.timestamp = r.timestamp;
      out.key = r.key ? r.key->data() : nullptr;
      out.key_len = r.key ? static_cast<int64_t>(r.key->size()) : -1;
      out.value = r.value ? r.value->data() : nullptr;
      out.value_len = r.value ? static_cast<int64_t>(r.value->size()) : -1;
      out.headers = headers.data() + headers.size();
      out.header_count = r.headers.size();
      for (auto& h : r.headers)
        headers.push_back({h.key.data(), h.key.size(), h.value ? h.value->data() : nullptr,
                           h.value ? static_cast<int64_t>(h.value->size()) : -1});
      records.push_back(out);
      next_offsets[{*r.topic, partition_id{r.partition}}] = r.offset + 1;
    }
    if (auto w = s.inst->write(records); !w.ok()) return fail(self, w);
    if (auto f = s.inst->flush(); !f.ok()) return fail(self, f);
    if (auto c = s.cons->commit_sync(next_offsets); !c)
      return fail(self, {LKS_ERR_RETRY, "commit after a successful flush failed (the batch "
                                        "will be written again): " + c.err().to_string()});
    s.committed_records += rs.size();
    s.update([&](connector_status& st) { st.records = s.committed_records; });
  }
  self->send(self, connector_step_atom::value);
}

// Runs `f`; an exception from our side of the code is a retryable failure, not a dead actor.
template <class F>
void guarded(self_ptr self, F&& f) {
  try {
    f();
  } catch (const std::exception& e) {
    fail(self, {LKS_ERR_RETRY, std::string("connector host: ") + e.what()});
  }
}

connector_actor::behavior_type connector_behavior(self_ptr self, connector_actor_config cfg) {
  self->set_default_handler(log_unexpected_message);
  self->state.cfg = std::move(cfg);
  if (!self->state.cfg.topic_regex.empty())  // validated by the configuration parser
    self->state.topic_regex.emplace(self->state.cfg.topic_regex, std::regex::ECMAScript);
  self->state.services = std::make_unique<connector_services>(self->state.cfg);
  self->set_exit_handler([self](caf::exit_msg& m) {
    auto& s = self->state;
    teardown(s);
    s.update([](connector_status& st) {
      if (st.state != connector_state::failed && st.state != connector_state::finished)
        st.state = connector_state::stopped;
    });
    self->quit(m.reason);
  });
  self->send(self, connector_start_atom::value);
  return {
      [self](connector_start_atom) { guarded(self, [&] { begin_attempt(self); }); },
      [self](connector_step_atom) {
        guarded(self, [&] {
          if (!self->state.inst) return;  // a stale step after a failure
          if (self->state.is_source()) source_step(self);
          else sink_step(self);
        });
      },
      [self](connector_tick_atom) {
        auto& s = self->state;
        const auto now = steady::now();
        if (now < s.restart_at) {
          refresh_lag_from_group(s);
          auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(s.restart_at - now);
          auto next = std::min<std::chrono::milliseconds>(wait + std::chrono::milliseconds(1), max_tick);
          self->delayed_send(self, next, connector_tick_atom::value);
          return;
        }
        s.update([](connector_status& st) { ++st.restarts; });
        s.log("restart " + std::to_string(s.cfg.cell->snapshot().restarts));
        guarded(self, [&] { begin_attempt(self); });
      },
  };
}

}  // namespace

connector_actor spawn_connector(caf::actor_system& sys, connector_actor_config cfg) {
  return sys.spawn<caf::detached>([cfg = std::move(cfg)](self_ptr self) mutable {
    return connector_behavior(self, std::move(cfg));
  });
}

}  // namespace lkstream::actors

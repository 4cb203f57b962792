#include "lkstream/connector_host.hpp"

#include <algorithm>
#include <filesystem>

#include "connector/connector_actor.hpp"
#include "connector/connector_status_publisher.hpp"
#include "engine_services.hpp"
#include "lkstream/process/log_throttle.hpp"

namespace lkstream {

std::string_view to_string(connector_state s) {
  switch (s) {
    case connector_state::starting: return "starting";
    case connector_state::running: return "running";
    case connector_state::backing_off: return "backing_off";
    case connector_state::finished: return "finished";
    case connector_state::failed: return "failed";
    case connector_state::stopped: return "stopped";
  }
  return "unknown";
}

int64_t uncommitted(const partition_lag& p) {
  const int64_t from = p.committed >= 0 ? p.committed : p.position;
  return p.end_offset >= 0 && from >= 0 && p.end_offset > from ? p.end_offset - from : 0;
}

int64_t connector_status::lag() const {
  if (kind == "source") return static_cast<int64_t>(in_flight);
  int64_t total = 0;
  for (auto& p : partitions) total += uncommitted(p);
  return total;
}

struct connector_host::impl {
  struct entry {
    std::shared_ptr<actors::connector_status_cell> cell;
    std::shared_ptr<const plugin_host::plugin_library> library;
    actors::connector_actor actor;
  };

  explicit impl(engine& e) : eng(&e), services(e) {}

  engine* eng;
  engine_services services;
  // Held from start to stop: the connectors' actors run in the engine's actor system. close()
  // stops the host first, through the stop hook, so it never waits on it.
  std::optional<engine_call> call;
  std::vector<entry> entries;  // configuration order; fixed after start()
  // Stopped after the connectors, so it publishes their final states.
  actors::connector_status_publisher_actor publisher;
  std::mutex stop_mutex;
  bool stopped = false;
  uint64_t stop_hook = 0;  // the engine's stop hook: a host the app forgot is stopped at close

  const entry* find(std::string_view name) const {
    for (auto& e : entries)
      if (e.cell->status.name == name) return &e;  // name is set once, before sharing
    return nullptr;
  }
};

namespace {

std::string in_quotes(std::string_view s) { return "\"" + std::string(s) + "\""; }

// The status topic is a dashboard: one partition, an hour of history, no fsync.
status ensure_status_topic(engine& eng, const std::string& topic) {
  config::topic_settings ts = eng.configuration().topic_defaults;
  ts.partitions = 1;
  ts.log.retention_ms = 3600 * 1000;
  ts.log.retention_bytes = -1;
  ts.log.segment_ms = 600 * 1000;
  ts.log.segment_bytes = 1 << 20;
  ts.log.fsync = storage::fsync_policy::never;
  ts.log_append_time = false;
  auto st = eng.create_topic(topic, ts);
  if (!st && st.code() != errc::topic_exists) return st;
  return {};
}

status make_dir(const std::string& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return {errc::io_error, "cannot create directory " + dir + ": " + ec.message()};
  return {};
}

}  // namespace

result<std::unique_ptr<connector_host>> connector_host::start(engine& eng,
                                                              const config::config& cfg,
                                                              connector_host_options opts) {
  actors::caf_thread_scope caf_scope;  // the connectors are spawned here
  engine_services services(eng);
  auto call = services.enter();
  if (!call) return error{errc::closed, "engine closed"};
  // Plugins' lines repeat with changing numbers (librdkafka's reconnect attempts, "after 12ms"):
  // rate-limited as one kind when only their numbers differ.
  if (!opts.log)
    opts.log = [logger = services.logger()](std::string_view line) {
      logger->write(process::similar_key(line), line);
    };
  const std::string state_root = opts.state_root.empty()
                                     ? services.configuration().broker.data_dir + "/__connectors"
                                     : opts.state_root;
  if (!cfg.connectors.empty()) LK_TRY_STATUS(make_dir(state_root));
  const auto dirs = plugin_host::plugin_search_path(cfg.broker);

  auto im = std::make_unique<impl>(eng);
  for (const auto& c : cfg.connectors) {
    impl::entry e;
    e.cell = std::make_shared<actors::connector_status_cell>();
    auto& st = e.cell->status;
    st.name = c.name;
    st.plugin = c.plugin;
    st.origin = c.origin;
    const std::string where = "connector " + in_quotes(c.name) + " (" + c.origin + ")";
    auto reject = [&](const std::string& why) {
      st.state = connector_state::failed;
      st.last_error = where + ": " + why;
      opts.log(st.last_error);
      im->entries.push_back(std::move(e));
    };
    auto lib = plugin_host::plugin_library::load(c.plugin, dirs);
    if (!lib) {
      reject(lib.err().message);
      continue;
    }
    st.library = (*lib)->path();
    st.kind = std::string(plugin_host::to_string((*lib)->kind()));
    auto settings = (*lib)->schema().validate(c.config);
    if (!settings) {
      reject("plugin " + in_quotes(c.plugin) + " (" + (*lib)->path() +
             "): invalid [connector.config]: " + settings.err().message);
      continue;
    }
    const lks_kind kind = (*lib)->kind_for(*settings);
    st.kind = std::string(plugin_host::to_string(kind));
    const bool selects = !c.topic_prefix.empty() || !c.topic_regex.empty();
    if (selects && kind != LKS_KIND_SINK) {
      reject("topic_prefix and topic_regex select topics to read: a " + st.kind +
             " writes to the topics it lists (topics = [\"...\"])");
      continue;
    }
    if (c.topics.empty() && !selects) {
      reject("a " + st.kind + " needs at least one topic (topics = [\"...\"]" +
             (kind == LKS_KIND_SINK ? std::string(", topic_prefix or topic_regex)") : ")"));
      continue;
    }
    const std::string state_dir = state_root + "/" + c.name;
    if (auto made = make_dir(state_dir); !made) {
      reject(made.err().message);
      continue;
    }
    e.library = *lib;
    actors::connector_actor_config ac;
    ac.eng = &eng;
    ac.name = c.name;
    ac.topics = c.topics;
    ac.topic_prefix = c.topic_prefix;
    ac.topic_regex = c.topic_regex;
    ac.library = *lib;
    ac.settings = std::move(*settings);
    ac.kind = kind;
    ac.state_dir = state_dir;
    ac.cell = e.cell;
    ac.opts = opts;
    e.actor = actors::spawn_connector(call->system(), std::move(ac));
    im->entries.push_back(std::move(e));
  }
  // Published once something runs (a configuration whose connectors all failed to load makes
  // no topic: serve reports those failures itself).
  const bool any_running = std::any_of(im->entries.begin(), im->entries.end(),
                                       [](const impl::entry& e) { return bool(e.actor); });
  if (any_running && !opts.status_topic.empty()) {
    if (auto made = ensure_status_topic(eng, opts.status_topic); !made) {
      opts.log("connector status: cannot create topic " + opts.status_topic + " (status is "
               "not published): " + made.err().to_string());
    } else {
      actors::connector_status_publisher_config pc;
      pc.eng = &eng;
      pc.topic = opts.status_topic;
      for (auto& e : im->entries) pc.cells.push_back(e.cell);
      pc.check = opts.status_check;
      pc.interval = opts.status_interval;
      pc.log = opts.log;
      im->publisher = actors::spawn_connector_status_publisher(call->system(), std::move(pc));
    }
  }
  im->call.emplace(std::move(*call));
  std::unique_ptr<connector_host> host(new connector_host(std::move(im)));
  // The host outlives this hook: stop() (also run by the destructor) removes it first.
  const uint64_t hook = services.add_stop_hook([h = host.get()] { (void)h->stop(); });
  if (hook == 0) {  // close() began meanwhile: it must not wait for this host
    (void)host->stop();
    return error{errc::closed, "engine closed"};
  }
  host->impl_->stop_hook = hook;
  return host;
}

connector_host::connector_host(std::unique_ptr<impl> i) : impl_(std::move(i)) {}

connector_host::~connector_host() { (void)stop(); }

std::vector<connector_status> connector_host::status() const {
  std::vector<connector_status> out;
  for (auto& e : impl_->entries) out.push_back(e.cell->snapshot());
  return out;
}

result<connector_status> connector_host::status(std::string_view name) const {
  auto* e = impl_->find(name);
  if (!e) return error{errc::not_found, "no connector named " + in_quotes(name)};
  return e->cell->snapshot();
}

result<connector_status> connector_host::wait_for(
    std::string_view name, const std::function<bool(const connector_status&)>& done,
    std::chrono::milliseconds timeout) const {
  auto* e = impl_->find(name);
  if (!e) return error{errc::not_found, "no connector named " + in_quotes(name)};
  std::unique_lock<std::mutex> lk(e->cell->m);
  e->cell->cv.wait_for(lk, timeout, [&] { return done(e->cell->status); });
  return e->cell->status;
}

lkstream::status connector_host::stop() {
  if (!impl_) return {};
  std::lock_guard<std::mutex> g(impl_->stop_mutex);
  if (impl_->stopped) return {};
  impl_->stopped = true;
  if (impl_->stop_hook) impl_->services.remove_stop_hook(impl_->stop_hook);
  if (impl_->call) {
    actors::blocking_caller self{impl_->call->system()};
    for (auto& e : impl_->entries)
      if (e.actor) self->send_exit(e.actor, caf::exit_reason::user_shutdown);
    for (auto& e : impl_->entries)
      if (e.actor) self->wait_for(e.actor);
    if (impl_->publisher) {
      self->send_exit(impl_->publisher, caf::exit_reason::user_shutdown);
      self->wait_for(impl_->publisher);
    }
  }
  impl_->publisher = actors::connector_status_publisher_actor{};
  // Handles first, libraries last (caf-0.17-notes.md section 8).
  for (auto& e : impl_->entries) e.actor = actors::connector_actor{};
  for (auto& e : impl_->entries) e.library.reset();
  impl_->call.reset();  // the engine may close now
  return {};
}

}  // namespace lkstream

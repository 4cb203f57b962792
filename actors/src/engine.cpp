#include "lkstream/engine.hpp"

#include <iostream>
#include <thread>

#include "engine_impl.hpp"
#include "lkstream/process/open_files.hpp"
#include "lkstream/producer.hpp"
#include "topic/cleaner_actor.hpp"
#include "topic/retention_actor.hpp"
#include "txn/txn_coordinator_actor.hpp"

namespace lkstream {
namespace {

void default_log(std::string_view line) {
  std::cerr << "lkstream: " << line << '\n';
}

// The CAF scheduler knobs measured for small machines (caf-0.17-notes.md section 4).
void tune_scheduler(caf::actor_system_config& c, uint32_t workers) {
  size_t threads = workers ? workers : std::max(1u, std::thread::hardware_concurrency());
  c.set("scheduler.max-threads", threads);
  c.set("scheduler.max-throughput", 100);
  c.set("work-stealing.moderate-poll-attempts", 0);
}

// Storage and the Kafka listener open descriptors on demand: the soft RLIMIT_NOFILE (often
// 1024) goes up to the hard limit once per process. Logged only when it changed (or failed), so
// an application opening many engines gets one line; `lkstream serve` reports both values.
void raise_open_files_limit(const std::function<void(std::string_view)>& log) {
  auto r = process::raise_open_files_limit();
  if (!r) {
    log("open files limit not raised: " + r.err().message);
  } else if (r->before.soft != r->after.soft) {
    log("open files limit raised from " + process::format_limit(r->before.soft) +
        " to the hard limit " + process::format_limit(r->after.soft));
  }
}

// broker.max_open_files, with "auto" derived from the (raised) open-files limit.
uint64_t open_files_budget(const config::broker_settings& b) {
  if (b.max_open_files != config::open_files_auto) return static_cast<uint64_t>(b.max_open_files);
  auto limit = process::current_open_files_limit();
  return process::auto_max_open_files(limit ? limit->soft : 1024);
}

}  // namespace

engine::engine(std::unique_ptr<impl> i) : impl_(std::move(i)) {}

engine::~engine() { (void)close(); }

result<std::unique_ptr<engine>> engine::open(engine_options opts) {
  actors::caf_thread_scope caf_scope;  // the actor system is made and its actors spawned here
  auto im = std::make_unique<impl>();
  if (opts.config) {
    im->cfg = *opts.config;
  } else if (!opts.config_file.empty()) {
    LK_ASSIGN_OR_RETURN(im->cfg, config::load_file(opts.config_file));
  } else {
    im->cfg = config::defaults();
  }
  if (!opts.data_dir.empty()) im->cfg.broker.data_dir = opts.data_dir;
  im->clock = opts.clock ? opts.clock : actors::clock_fn(actors::system_clock_ms);
  im->logger = std::make_shared<process::throttled_log>(
      opts.log ? opts.log : std::function<void(std::string_view)>(default_log));
  im->log = [logger = im->logger](std::string_view line) { (*logger)(line); };
  raise_open_files_limit(im->log);
  {
    storage::file_cache_options fo;
    fo.max_open_files = open_files_budget(im->cfg.broker);
    LK_ASSIGN_OR_RETURN(im->files,
                        storage::file_cache::make(
                            opts.fs ? opts.fs : storage::make_posix_file_system(), fo));
    im->fs = im->files;
  }
  const auto& dir = im->cfg.broker.data_dir;
  LK_TRY_STATUS(im->fs->create_directories(dir));
  LK_ASSIGN_OR_RETURN(im->lock, im->fs->lock(storage::join_path(dir, ".lock")));

  tune_scheduler(im->sys_cfg, im->cfg.broker.worker_threads);
  im->sys = std::make_unique<caf::actor_system>(im->sys_cfg);

  actors::topic_registry_config rc;
  rc.data_dir = dir;
  rc.fs = im->fs;
  rc.board = im->board;
  rc.now = im->clock;
  rc.log_line = [log = im->log](const std::string& l) { log(l); };
  auto* raw = im.get();
  rc.on_topic_deleted = [raw](const std::string& topic) { raw->on_topic_deleted(topic); };
  auto reg = actors::spawn_topic_registry(*im->sys, std::move(rc));
  if (!reg) {
    im->sys.reset();
    return std::move(reg).take_error();
  }
  im->registry = *reg;
  im->groups = im->spawn_groups();
  {
    actors::txn_coordinator_config tc;
    tc.fs = im->fs;
    tc.data_dir = dir;
    tc.board = im->board;
    tc.groups = im->groups;
    tc.now = im->clock;
    auto* raw_impl = im.get();
    tc.allocate_producer_id = [raw_impl] { return raw_impl->allocate_producer_id(); };
    tc.log_line = [log = im->log](const std::string& l) { log(l); };
    auto txn = actors::spawn_txn_coordinator(*im->sys, std::move(tc));
    if (!txn) {
      auto err = txn.err();
      err.message = "opening the transaction coordinator's state in " + dir + ": " + err.message;
      (void)im->shutdown();
      return err;
    }
    im->transactions = *txn;
  }
  im->retention = actors::spawn_retention(
      *im->sys, {im->board, im->clock,
                 std::chrono::milliseconds(im->cfg.broker.retention_check_interval_ms),
                 im->files});
  {
    actors::cleaner_config cc;
    cc.board = im->board;
    cc.fs = im->fs;
    cc.now = im->clock;
    cc.backoff = std::chrono::milliseconds(im->cfg.broker.cleaner_backoff_ms);
    cc.dedupe_buffer_bytes = im->cfg.broker.cleaner_dedupe_buffer_bytes;
    cc.io_max_bytes_per_second = im->cfg.broker.cleaner_io_max_bytes_per_second;
    cc.stop = im->cleaner_stop;
    cc.log_line = [log = im->log](const std::string& l) { log(l); };
    im->cleaner = actors::spawn_cleaner(*im->sys, std::move(cc));
  }

  std::unique_ptr<engine> eng(new engine(std::move(im)));
  for (const auto& t : eng->impl_->cfg.topics) {
    if (auto existing = eng->impl_->board->find(t.name)) {
      // A [[topic]] that declares more partitions than the topic has grows it (as Kafka's
      // CreatePartitions would); topics never shrink, so fewer is ignored.
      const auto have = static_cast<int32_t>(existing->partitions.size());
      if (t.settings.partitions <= have) continue;
      if (auto st = eng->add_partitions(t.name, t.settings.partitions); !st) {
        auto err = st.err();
        err.message = "growing topic " + t.name + " to " + std::to_string(t.settings.partitions) +
                      " partitions as " + eng->impl_->cfg.source + " declares: " + err.message;
        (void)eng->close();
        return err;
      }
      eng->impl_->log("topic " + t.name + " grown from " + std::to_string(have) + " to " +
                      std::to_string(t.settings.partitions) + " partitions, as " +
                      eng->impl_->cfg.source + " declares");
      continue;
    }
    auto st = eng->create_topic(t.name, t.settings);
    if (!st) {
      auto err = st.err();
      err.message = "creating topic " + t.name + " from " + eng->impl_->cfg.source + ": " +
                    err.message;
      (void)eng->close();
      return err;
    }
  }
  return eng;
}

status engine::create_topic(std::string_view name, int32_t partitions) {
  auto s = impl_->cfg.topic_defaults;
  s.partitions = partitions;
  return create_topic(name, s);
}

status engine::create_topic(std::string_view name, const config::topic_settings& settings) {
  auto call = impl_->enter();
  if (!call) return {errc::closed, "engine closed"};
  auto r = impl_->ask<int32_t>(impl_->registry, actors::create_atom::value, std::string(name),
                               settings);
  if (!r) return std::move(r).take_error();
  return {};
}

status engine::delete_topic(std::string_view name) {
  auto call = impl_->enter();
  if (!call) return {errc::closed, "engine closed"};
  auto r = impl_->ask<bool>(impl_->registry, actors::delete_atom::value, std::string(name));
  if (!r) return std::move(r).take_error();
  return {};
}

status engine::add_partitions(std::string_view name, int32_t partitions) {
  auto call = impl_->enter();
  if (!call) return {errc::closed, "engine closed"};
  auto r = impl_->ask<int32_t>(impl_->registry, actors::add_partitions_atom::value, std::string(name),
                               partitions);
  if (!r) return std::move(r).take_error();
  return {};
}

status engine::alter_topic(std::string_view name, const config::topic_settings& settings) {
  auto call = impl_->enter();
  if (!call) return {errc::closed, "engine closed"};
  auto r = impl_->ask<bool>(impl_->registry, actors::update_config_atom::value, std::string(name),
                            settings);
  if (!r) return std::move(r).take_error();
  return {};
}

result<int64_t> engine::delete_records(std::string_view topic, int32_t partition,
                                       int64_t before) {
  auto call = impl_->enter();
  if (!call) return error{errc::closed, "engine closed"};
  auto t = impl_->board->find(std::string(topic));
  if (!t) return error{errc::unknown_topic, "unknown topic " + std::string(topic)};
  if (partition < 0 || partition >= static_cast<int32_t>(t->partitions.size()))
    return error{errc::unknown_topic, "topic " + std::string(topic) + " has no partition " +
                                          std::to_string(partition)};
  return impl_->ask<int64_t>(t->partitions[partition], actors::delete_records_atom::value, before);
}

std::vector<std::string> engine::list_topics() const {
  std::vector<std::string> names;
  for (auto& [name, t] : *impl_->board->snapshot()) names.push_back(name);
  std::sort(names.begin(), names.end());
  return names;
}

result<topic_info> engine::describe_topic(std::string_view name) const {
  auto call = impl_->enter();
  if (!call) return error{errc::closed, "engine closed"};
  auto t = impl_->board->find(std::string(name));
  if (!t) {
    if (impl_->closed) return impl_->closed_error();  // close() emptied the board
    return error{errc::unknown_topic, "unknown topic " + std::string(name)};
  }
  topic_info info{t->name, t->settings, {}};
  for (auto& p : t->partitions) {
    auto d = impl_->ask<actors::partition_description>(p, actors::describe_atom::value);
    if (!d) return std::move(d).take_error();
    partition_info pi;
    pi.partition = d->id.value();
    pi.log_start = d->log_start.value();
    pi.end_offset = d->end.value();
    pi.high_watermark = d->high_watermark.value();
    pi.size_bytes = d->size_bytes;
    pi.segments = d->segments;
    pi.truncated_bytes_at_open = d->recovery.truncated_bytes;
    pi.corrupt_segments = d->recovery.corrupt_segments;
    info.partitions.push_back(std::move(pi));
  }
  return info;
}

const config::config& engine::configuration() const { return impl_->cfg; }

engine::file_budget engine::storage_files() const {
  const auto s = impl_->files->stats();
  return {s.max_open_files, s.open_descriptors, s.reopens, s.evictions, s.idle_closes};
}

result<uint64_t> engine::apply_retention() {
  auto call = impl_->enter();
  if (!call) return error{errc::closed, "engine closed"};
  return impl_->ask<uint64_t>(impl_->retention, actors::run_retention_atom::value);
}

result<uint64_t> engine::run_cleaning() {
  auto call = impl_->enter();
  if (!call) return error{errc::closed, "engine closed"};
  return impl_->ask<uint64_t>(impl_->cleaner, actors::run_cleaning_atom::value);
}

status engine::close() {
  if (!impl_) return {};
  return impl_->shutdown();
}

uint64_t engine::add_close_hook(std::function<void()> stop) {
  return impl_ ? impl_->add_stop_hook(std::move(stop)) : 0;
}

void engine::remove_close_hook(uint64_t id) {
  if (impl_ && id != 0) impl_->remove_stop_hook(id);
}

status engine::impl::ensure_topic(std::string_view name) {
  if (board->find(std::string(name))) return {};
  auto r = ask<int32_t>(registry, actors::create_atom::value, std::string(name), cfg.topic_defaults);
  if (!r && r.code() != errc::topic_exists) return std::move(r).take_error();
  return {};
}

uint64_t engine::impl::add_stop_hook(std::function<void()> stop) {
  std::lock_guard<std::mutex> g(hooks_mutex);
  if (closed) return 0;
  stop_hooks.emplace_back(next_hook_id, std::move(stop));
  return next_hook_id++;
}

void engine::impl::remove_stop_hook(uint64_t id) {
  std::lock_guard<std::mutex> g(hooks_mutex);
  std::erase_if(stop_hooks, [id](const auto& h) { return h.first == id; });
}

std::optional<engine_call> engine::impl::enter() {
  std::lock_guard<std::mutex> g(life_mutex);
  if (closed) return std::nullopt;
  ++active_calls;
  return engine_call(*this);
}

// ---- engine_call, engine_services (engine_services.hpp) ----------------------------------

engine_call::~engine_call() {
  if (e_) e_->leave();
}

caf::actor_system& engine_call::system() const { return *e_->sys; }

engine_services::engine_services(engine& e) : e_(&engine_access::of(e)) {}

std::optional<engine_call> engine_services::enter() const { return e_->enter(); }

uint64_t engine_services::add_stop_hook(std::function<void()> stop) const {
  return e_->add_stop_hook(std::move(stop));
}

void engine_services::remove_stop_hook(uint64_t id) const { e_->remove_stop_hook(id); }

const config::config& engine_services::configuration() const { return e_->cfg; }

const actors::metadata_board& engine_services::board() const { return *e_->board; }

const actors::topic_registry_actor& engine_services::registry() const { return e_->registry; }

const group::group_manager_actor& engine_services::groups() const { return e_->groups; }

const actors::txn_coordinator_actor& engine_services::transactions() const {
  return e_->transactions;
}

int64_t engine_services::allocate_producer_id() const { return e_->allocate_producer_id(); }

int64_t engine::impl::allocate_producer_id() {
  const int64_t floor = clock() * 1024;
  int64_t last = last_producer_id.load();
  int64_t next;
  do {
    next = std::max(last + 1, floor);
  } while (!last_producer_id.compare_exchange_weak(last, next));
  return next;
}

timestamp_ms engine_services::now_ms() const { return e_->clock(); }

void engine_services::log(std::string_view line) const { e_->log(line); }

void engine_services::log_limited(std::string_view key, std::string_view line) const {
  e_->logger->write(key, line);
}

std::shared_ptr<process::throttled_log> engine_services::logger() const { return e_->logger; }

status engine_services::ensure_topic(std::string_view name) const {
  auto call = e_->enter();
  if (!call) return {errc::closed, "engine closed"};
  return e_->ensure_topic(name);
}

void engine::impl::leave() {
  std::lock_guard<std::mutex> g(life_mutex);
  if (--active_calls == 0) life_cv.notify_all();
}

status engine::impl::shutdown() {
  std::lock_guard<std::mutex> guard(close_mutex);
  if (closed) return {};
  // Components still running on the engine stop first, newest first, while it still works
  // (their stop may flush, commit, wait for acks). Taken out under the lock, run without it:
  // a hook's stop() removes its own hook.
  for (;;) {
    std::function<void()> hook;
    {
      std::lock_guard<std::mutex> g(hooks_mutex);
      if (stop_hooks.empty()) {
        // Under hooks_mutex: no hook can be added after this; under life_mutex: no call
        // enters after this.
        std::lock_guard<std::mutex> life(life_mutex);
        closed = true;
        break;
      }
      hook = std::move(stop_hooks.back().second);
      stop_hooks.pop_back();
    }
    if (hook) hook();
  }
  // Order (caf notes section 8): timers and coordinators first, then the registry, which
  // exits every partition (they sync and close their logs); wait for all before the system.
  cleaner_stop->store(true);  // a cleaning in progress stops at its next read or write
  std::vector<caf::actor> all{caf::actor_cast<caf::actor>(cleaner),
                             caf::actor_cast<caf::actor>(retention),
                             caf::actor_cast<caf::actor>(transactions),
                             caf::actor_cast<caf::actor>(groups),
                             caf::actor_cast<caf::actor>(registry)};
  for (auto& [name, t] : *board->snapshot())
    for (auto& p : t->partitions) all.push_back(caf::actor_cast<caf::actor>(p));
  board->publish(std::make_shared<const actors::topic_map>());
  {
    actors::blocking_caller self{*sys};
    for (auto& a : all)
      if (a) self->send_exit(a, caf::exit_reason::user_shutdown);
    for (auto& a : all)
      if (a) self->wait_for(a);
  }
  {  // Calls still inside got their errors from the stopped actors; let them leave.
    std::unique_lock<std::mutex> life(life_mutex);
    life_cv.wait(life, [this] { return active_calls == 0; });
  }
  retention = actors::retention_actor{};
  cleaner = actors::cleaner_actor{};
  transactions = actors::txn_coordinator_actor{};
  groups = group::group_manager_actor{};
  registry = actors::topic_registry_actor{};
  sys.reset();
  lock.reset();
  return {};
}

}  // namespace lkstream

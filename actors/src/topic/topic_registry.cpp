#include "topic/topic_registry.hpp"

#include <algorithm>

#include "lkstream/partition/topic_catalog.hpp"
#include "file_syncer.hpp"
#include "partition/partition_actor.hpp"
#include "net/internal_topics.hpp"

namespace lkstream::actors {
namespace {

// A creation whose partitions are open, waiting for the catalog write that covers it.
struct pending_create {
  std::string name;
  int32_t partitions = 0;
  shared_promise rp;
};

struct registry_state {
  topic_registry_config cfg;
  std::map<std::string, topic_handle> topics;  // ordered: list and catalog are sorted
  std::vector<pending_create> pending_creates;
  bool save_queued = false;  // a save_catalog_atom to ourselves is in the mailbox
  static inline const char* name = "topic_registry";

  // The registry's end (CAF destroys the state in on_exit) ends every partition actor; each
  // syncs and closes its log.
  registry_state() = default;
  registry_state(registry_state&&) = default;
  registry_state& operator=(registry_state&&) = default;
  ~registry_state() {
    for (auto& [name, t] : topics)
      for (auto& p : t.partitions) caf::anon_send_exit(p, caf::exit_reason::user_shutdown);
    // Partitions whose sync request finds the syncer gone sync inline (file_syncer.hpp).
    if (cfg.syncer) caf::anon_send_exit(cfg.syncer, caf::exit_reason::user_shutdown);
  }

  void publish() {
    auto m = std::make_shared<topic_map>();
    for (auto& [name, t] : topics) m->emplace(name, std::make_shared<const topic_handle>(t));
    cfg.board->publish(std::move(m));
  }

  status persist() {
    std::vector<config::topic_entry> entries;
    for (auto& [name, t] : topics) entries.push_back({name, t.settings});
    return partition::save_topic_catalog(*cfg.fs, cfg.data_dir, entries);
  }
};

using registry_self = topic_registry_actor::stateful_pointer<registry_state>;

// Where a partition reports storage errors: the registry's log. The engine's log rate-limits
// repeated lines (a failing roll repeats the same line: same path, same cause).
std::function<void(std::string_view, std::string_view)> storage_report(
    const topic_registry_config& cfg) {
  if (!cfg.log_line) return {};
  return [log = cfg.log_line](std::string_view, std::string_view line) { log(std::string(line)); };
}

// Opens (recovering) one partition's log and spawns its actor.
result<partition_actor> open_partition(caf::actor_system& sys, const topic_registry_config& cfg,
                                  const std::string& topic, const config::topic_settings& s,
                                  int32_t p) {
  auto dir = storage::join_path(cfg.data_dir, storage::partition_dir_name(topic, partition_id{p}));
  auto log = storage::log::open(cfg.fs, dir, s.log, cfg.now());
  if (!log) return error{log.err().code, "opening " + dir + ": " + log.err().message};
  const auto& rep = (*log)->recovery();
  if (cfg.log_line) {
    if (rep.truncated_bytes > 0)
      cfg.log_line("recovery: " + dir + ": truncated " + std::to_string(rep.truncated_bytes) +
                   " bytes: " + rep.truncation_reason);
    if (rep.rebuilt_indexes > 0)
      cfg.log_line("recovery: " + dir + ": rebuilt " + std::to_string(rep.rebuilt_indexes) +
                   " index files");
    for (auto& seg : rep.corrupt_segments)
      cfg.log_line("recovery: " + dir + ": corrupt older segment " + seg +
                   " (served up to the damage)");
    if (!rep.interrupted_cleaning.empty())
      cfg.log_line("recovery: " + dir + ": interrupted cleaning: " + rep.interrupted_cleaning);
  }
  auto txns = partition::transaction_state::open(cfg.fs, **log);
  if (!txns)
    return error{txns.err().code, "opening the transaction state of " + dir + ": " +
                                      txns.err().message};
  if (cfg.log_line && !(*txns)->recovery().note.empty())
    cfg.log_line("recovery: " + dir + ": transactions: " + (*txns)->recovery().note);
  return spawn_partition(sys, {topic, partition_id{p}, std::shared_ptr<storage::log>(std::move(*log)),
                               std::shared_ptr<partition::transaction_state>(std::move(*txns)),
                               cfg.now, s.log_append_time, cfg.syncer, storage_report(cfg)});
}

result<int32_t> create_topic(caf::actor_system& sys, registry_state& st, const std::string& name,
                             const config::topic_settings& s) {
  LK_TRY_STATUS(validate_topic_name(name));
  if (st.topics.count(name)) return error{errc::topic_exists, "topic " + name + " already exists"};
  if (s.partitions < 1 || s.partitions > 10000)
    return error{errc::invalid_argument, "partitions must be 1..10000, got " +
                                             std::to_string(s.partitions)};
  topic_handle t{name, s, {}};
  for (int32_t p = 0; p < s.partitions; ++p) {
    auto a = open_partition(sys, st.cfg, name, s, p);
    if (!a) {
      for (auto& made : t.partitions) caf::anon_send_exit(made, caf::exit_reason::user_shutdown);
      return std::move(a).take_error();
    }
    t.partitions.push_back(*a);
  }
  st.topics.emplace(name, std::move(t));
  return s.partitions;  // the catalog is written by save_catalog (below), for many at once
}

// Writes the catalog for every creation since the last save and answers them: the topics
// become visible (published) and their creations succeed together, or, if the write fails,
// they are stopped and forgotten and every creation fails with the write's error.
void save_catalog(registry_state& st) {
  st.save_queued = false;
  auto pending = std::move(st.pending_creates);
  st.pending_creates.clear();
  if (pending.empty()) return;
  auto persisted = st.persist();
  if (!persisted) {
    for (auto& p : pending) {
      auto i = st.topics.find(p.name);
      if (i == st.topics.end()) continue;  // deleted meanwhile
      for (auto& a : i->second.partitions) caf::anon_send_exit(a, caf::exit_reason::user_shutdown);
      st.topics.erase(i);
    }
  }
  st.publish();
  for (auto& p : pending) {
    if (persisted) p.rp.deliver(p.partitions);
    else p.rp.deliver(to_caf_error(persisted.err()));
  }
}

topic_registry_actor::behavior_type registry_behavior(registry_self self,
                                                      std::shared_ptr<registry_state> init) {
  self->state = std::move(*init);
  init->topics.clear();  // the actor owns the partitions now
  self->set_default_handler(log_unexpected_message);
  return {
    [=](create_atom, const std::string& name,
        const config::topic_settings& s) -> caf::result<int32_t> {
      auto& st = self->state;
      auto r = create_topic(self->system(), st, name, s);
      if (!r) return to_caf_error(r.err());
      st.pending_creates.push_back({name, *r, shared_promise{self->make_response_promise()}});
      if (!st.save_queued) {
        st.save_queued = true;
        self->send(self, save_catalog_atom::value);
      }
      return caf::delegated<int32_t>{};
    },
    [=](save_catalog_atom) { save_catalog(self->state); },
    [=](delete_atom, const std::string& name) -> caf::result<bool> {
      auto& st = self->state;
      auto i = st.topics.find(name);
      if (i == st.topics.end()) return to_caf_error(errc::unknown_topic, "unknown topic " + name);
      auto parts = std::move(i->second.partitions);
      st.topics.erase(i);
      auto persisted = st.persist();
      st.publish();
      if (st.cfg.on_topic_deleted) st.cfg.on_topic_deleted(name);
      // Every partition removes its directory; answer when all are gone.
      shared_promise rp{self->make_response_promise()};
      auto remaining = std::make_shared<size_t>(parts.size());
      auto failure = std::make_shared<caf::error>();
      if (!persisted) *failure = to_caf_error(persisted.err());
      for (auto& p : parts) {
        self->request(p, caf::infinite, delete_atom::value)
            .then(
                [=](bool) {
                  if (--*remaining == 0) *failure ? rp.deliver(*failure) : rp.deliver(true);
                },
                [=](caf::error& e) {
                  *failure = std::move(e);
                  if (--*remaining == 0) rp.deliver(*failure);
                });
      }
      if (parts.empty()) rp.deliver(true);
      return caf::delegated<bool>{};
    },
    [=](add_partitions_atom, const std::string& name, int32_t count) -> caf::result<int32_t> {
      auto& st = self->state;
      auto i = st.topics.find(name);
      if (i == st.topics.end()) return to_caf_error(errc::unknown_topic, "unknown topic " + name);
      auto& t = i->second;
      auto have = static_cast<int32_t>(t.partitions.size());
      if (count < have)
        return to_caf_error(errc::invalid_argument,
                            "topic " + name + " has " + std::to_string(have) +
                                " partitions; partitions can only be added");
      if (count > 10000) return to_caf_error(errc::invalid_argument, "at most 10000 partitions");
      for (int32_t p = have; p < count; ++p) {
        auto a = open_partition(self->system(), st.cfg, name, t.settings, p);
        if (!a) return to_caf_error(a.err());
        t.partitions.push_back(*a);
      }
      t.settings.partitions = count;
      auto persisted = st.persist();
      st.publish();
      if (!persisted) return to_caf_error(persisted.err());
      return count;
    },
    [=](update_config_atom, const std::string& name, const config::topic_settings& s) -> caf::result<bool> {
      auto& st = self->state;
      auto i = st.topics.find(name);
      if (i == st.topics.end()) return to_caf_error(errc::unknown_topic, "unknown topic " + name);
      auto& t = i->second;
      auto partitions = t.settings.partitions;
      t.settings = s;
      t.settings.partitions = partitions;
      for (auto& p : t.partitions) self->send(p, update_config_atom::value, s.log, s.log_append_time);
      auto persisted = st.persist();
      st.publish();
      if (!persisted) return to_caf_error(persisted.err());
      return true;
    },
    [=](list_atom) -> std::vector<std::string> {
      std::vector<std::string> names;
      for (auto& [name, t] : self->state.topics) names.push_back(name);
      return names;
    },
  };
}

}  // namespace

status validate_topic_name(std::string_view name) {
  if (name.empty() || name.size() > 249 || name == "." || name == "..")
    return {errc::invalid_argument, "invalid topic name \"" + std::string(name) +
                                        "\": 1 to 249 characters, not \".\" or \"..\""};
  if (net::is_consumer_offsets(name))
    return {errc::invalid_argument,
            "invalid topic name \"__consumer_offsets\": Kafka's internal topic of the group "
            "offsets, which LKSTREAM keeps in DATA_DIR/__consumer_offsets/"};
  for (char c : name) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == '-';
    if (!ok)
      return {errc::invalid_argument, "invalid topic name \"" + std::string(name) +
                                          "\": only letters, digits, '.', '_' and '-' allowed"};
  }
  return {};
}

result<topic_registry_actor> spawn_topic_registry(caf::actor_system& sys, topic_registry_config cfg) {
  auto init = std::make_shared<registry_state>();
  LK_ASSIGN_OR_RETURN(auto entries, partition::load_topic_catalog(*cfg.fs, cfg.data_dir));
  init->cfg = std::move(cfg);
  if (!init->cfg.syncer && !init->cfg.sync_inline)
    init->cfg.syncer = sys.spawn<caf::detached>(file_syncer);
  for (auto& e : entries) {
    topic_handle t{e.name, e.settings, {}};
    for (int32_t p = 0; p < e.settings.partitions; ++p) {
      auto a = open_partition(sys, init->cfg, e.name, e.settings, p);
      if (!a) {  // init's destructor ends the partitions already spawned
        for (auto& made : t.partitions) caf::anon_send_exit(made, caf::exit_reason::user_shutdown);
        return std::move(a).take_error();
      }
      t.partitions.push_back(*a);
    }
    init->topics.emplace(e.name, std::move(t));
  }
  init->publish();
  return sys.spawn([init](registry_self self) { return registry_behavior(self, init); });
}

}  // namespace lkstream::actors

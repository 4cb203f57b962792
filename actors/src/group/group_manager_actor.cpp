#include "group/group_manager_actor.hpp"

#include <algorithm>
#include <chrono>
#include <map>
#include <set>

#include "group/group_api.hpp"
#include "group/group_coordinator_actor.hpp"
#include "file_syncer.hpp"
#include "messages.hpp"

namespace lkstream::group {

namespace {

struct group_manager_state {
  std::shared_ptr<const group_manager_config> cfg;
  std::map<std::string, group_coordinator_actor> coordinators;
  std::set<std::string> stored_groups;  // groups with an offsets file (at spawn)
  std::set<caf::actor_addr> retired;    // coordinators of deleted groups, stopping
  actors::file_syncer_actor syncer;     // detached, linked; none if sync_inline
  static inline const char* name = "group_manager";
};

using self_ptr = group_manager_actor::stateful_pointer<group_manager_state>;

/// The group's coordinator; spawned if the group is known (in memory or on disk) or `create`.
/// An invalid handle means "no such group".
group_coordinator_actor coordinator_for(self_ptr self, const std::string& group_id,
                                        bool create) {
  auto& st = self->state;
  if (auto i = st.coordinators.find(group_id); i != st.coordinators.end()) return i->second;
  if (!create && !st.stored_groups.count(group_id)) return {};
  auto c = self->spawn<caf::linked>(
      [group_id, cfg = st.cfg, syncer = st.syncer](group_coordinator_self coordinator) {
        return group_coordinator(coordinator, group_id, cfg, syncer);
      });
  st.coordinators.emplace(group_id, c);
  return c;
}

template <class Reply, class... Ts>
caf::result<Reply> route(self_ptr self, const group_coordinator_actor& c, Ts&&... xs) {
  self->delegate(c, std::forward<Ts>(xs)...);
  return caf::delegated<Reply>{};
}

void schedule_expiry(self_ptr self) {
  auto interval = self->state.cfg->offsets_retention_check_interval_ms;
  if (self->state.cfg->offsets_retention_ms <= 0 || interval <= 0) return;
  self->delayed_send(self, std::chrono::milliseconds(interval), expire_offsets_atom::value);
}

/// Sends `request` to every coordinator (loading stored groups first when `load_stored`) and
/// answers with `fold(results)` once all replied; failures of single coordinators are skipped.
template <class Reply, class Answer, class Fold, class... Ts>
caf::result<Answer> fan_out(self_ptr self, bool load_stored, Fold fold, Ts... xs) {
  if (load_stored)
    for (const auto& g : self->state.stored_groups) coordinator_for(self, g, false);
  actors::shared_promise rp{self->make_response_promise()};  // a shared handle already
  auto results = std::make_shared<std::vector<Reply>>();
  auto pending = std::make_shared<size_t>(self->state.coordinators.size());
  if (*pending == 0) {
    rp.deliver(fold(*results));
    return caf::delegated<Answer>{};
  }
  for (const auto& [id, c] : self->state.coordinators) {
    self->request(c, caf::infinite, xs...)
        .then(
            [=](Reply& r) {
              results->push_back(std::move(r));
              if (--*pending == 0) rp.deliver(fold(*results));
            },
            [=](caf::error&) {
              if (--*pending == 0) rp.deliver(fold(*results));
            });
  }
  return caf::delegated<Answer>{};
}

group_manager_actor::behavior_type group_manager(self_ptr self,
                                                 std::shared_ptr<const group_manager_config> cfg) {
  self->state.cfg = cfg;
  if (!cfg->sync_inline)
    self->state.syncer = self->spawn<caf::detached + caf::linked>(actors::file_syncer);
  if (auto stored = offset_store::list_groups(*cfg->fs, cfg->data_dir))
    self->state.stored_groups.insert(stored->begin(), stored->end());
  schedule_expiry(self);
  self->set_exit_handler([self](caf::exit_msg& msg) {
    auto& coords = self->state.coordinators;
    if (self->state.retired.erase(msg.source) > 0) return;  // a deleted group's coordinator
    for (auto i = coords.begin(); i != coords.end(); ++i) {
      if (i->second.address() == msg.source) {  // a coordinator died: respawn it when needed
        coords.erase(i);
        return;
      }
    }
    if (msg.source == self->state.syncer.address()) {  // the sync thread died: start another
      self->state.syncer = self->spawn<caf::detached + caf::linked>(actors::file_syncer);
      return;
    }
    for (const auto& [id, c] : coords) self->send_exit(c, msg.reason);
    coords.clear();
    if (self->state.syncer) self->send_exit(self->state.syncer, msg.reason);
    self->state.syncer = actors::file_syncer_actor{};
    self->quit(msg.reason);
  });
  return {
    [self](join_group_atom a, join_request& req) -> caf::result<join_response> {
      if (req.group_id.empty())
        return join_response{group_error::invalid_group_id, -1, {}, {}, {}, req.member_id, {}};
      auto c = coordinator_for(self, req.group_id, req.member_id.empty());
      if (!c)
        return join_response{group_error::unknown_member_id, -1, {}, {}, {}, req.member_id, {}};
      return route<join_response>(self, c, a, std::move(req));
    },
    [self](sync_group_atom a, sync_request& req) -> caf::result<sync_response> {
      if (req.group_id.empty()) return sync_response{group_error::invalid_group_id, {}, {}, {}};
      auto c = coordinator_for(self, req.group_id, false);
      if (!c) return sync_response{group_error::unknown_member_id, {}, {}, {}};
      return route<sync_response>(self, c, a, std::move(req));
    },
    [self](heartbeat_atom a, heartbeat_request& req) -> caf::result<group_error> {
      if (req.group_id.empty()) return group_error::invalid_group_id;
      auto c = coordinator_for(self, req.group_id, false);
      if (!c) return group_error::unknown_member_id;
      return route<group_error>(self, c, a, std::move(req));
    },
    [self](leave_group_atom a, leave_request& req) -> caf::result<leave_response> {
      auto c = req.group_id.empty() ? group_coordinator_actor{}
                                    : coordinator_for(self, req.group_id, false);
      if (!c) {
        auto e = req.group_id.empty() ? group_error::invalid_group_id
                                      : group_error::unknown_member_id;
        leave_response r;
        for (const auto& m : req.members)
          r.members.push_back({m.member_id, m.group_instance_id, e});
        r.error = req.group_id.empty() || r.members.size() == 1 ? e : group_error::none;
        return r;
      }
      return route<leave_response>(self, c, a, std::move(req));
    },
    [self](commit_offsets_atom a, offset_commit_request& req)
        -> caf::result<offset_commit_response> {
      auto c = coordinator_for(self, req.group_id, req.generation_id < 0);
      if (!c) {
        offset_commit_response r;
        for (const auto& p : req.partitions)
          r.partitions.push_back({p.tp, group_error::illegal_generation});
        return r;
      }
      return route<offset_commit_response>(self, c, a, std::move(req));
    },
    [self](fetch_offsets_atom a, offset_fetch_request& req) -> caf::result<offset_fetch_response> {
      auto c = coordinator_for(self, req.group_id, false);
      if (!c) {
        offset_fetch_response r;
        if (req.partitions)
          for (const auto& tp : *req.partitions) r.partitions.push_back({tp, -1, -1, {}, {}});
        return r;
      }
      return route<offset_fetch_response>(self, c, a, std::move(req));
    },
    [self](describe_group_atom a, std::string& group_id) -> caf::result<group_description> {
      auto c = coordinator_for(self, group_id, false);
      if (!c) {
        group_description d;
        d.group_id = group_id;
        d.state = std::string(to_string(group_phase::dead));
        return d;
      }
      return route<group_description>(self, c, a, std::move(group_id));
    },
    [self](list_groups_atom) -> caf::result<group_listing_list> {
      // Stored groups not loaded yet are Empty, with no protocol type known.
      std::vector<group_listing> idle;
      for (const auto& g : self->state.stored_groups)
        if (!self->state.coordinators.count(g))
          idle.push_back({g, {}, std::string(to_string(group_phase::empty))});
      auto fold = [idle](std::vector<group_description>& ds) {
        group_listing_list out = idle;
        for (auto& d : ds)
          if (d.state != to_string(group_phase::dead))
            out.push_back({d.group_id, d.protocol_type, d.state});
        std::sort(out.begin(), out.end(),
                  [](const auto& a, const auto& b) { return a.group_id < b.group_id; });
        return out;
      };
      return fan_out<group_description, group_listing_list>(self, false, fold,
                                                            describe_group_atom::value,
                                                            std::string{});
    },
    [self](delete_topic_offsets_atom a,
           const std::string& topic) -> caf::result<delete_topic_offsets_result> {
      auto fold = [](std::vector<delete_topic_offsets_result>& rs) {
        delete_topic_offsets_result out;
        for (auto& r : rs) {
          out.removed += r.removed;
          out.failures.insert(out.failures.end(), r.failures.begin(), r.failures.end());
        }
        return out;
      };
      return fan_out<delete_topic_offsets_result, delete_topic_offsets_result>(self, true, fold,
                                                                               a, topic);
    },
    [self](delete_group_offsets_atom a,
           std::string& group_id) -> caf::result<delete_group_offsets_result> {
      auto c = coordinator_for(self, group_id, false);
      if (!c) return delete_group_offsets_result{group_error::group_id_not_found, 0, 0, {}};
      return route<delete_group_offsets_result>(self, c, a, std::move(group_id));
    },
    [self](delete_partition_offsets_atom a,
           offset_delete_request& req) -> caf::result<offset_delete_response> {
      auto c = coordinator_for(self, req.group_id, false);
      if (!c) return offset_delete_response{group_error::group_id_not_found, {}, {}};
      return route<offset_delete_response>(self, c, a, std::move(req));
    },
    [self](delete_group_atom a, std::string& group_id) -> caf::result<delete_group_result> {
      auto c = coordinator_for(self, group_id, false);
      if (!c) return delete_group_result{group_error::group_id_not_found, {}};
      actors::shared_promise rp{self->make_response_promise()};
      self->request(c, caf::infinite, a, group_id)
          .then(
              [self, rp, group_id, c](delete_group_result& r) mutable {
                auto& st = self->state;
                if (r.error == group_error::none) {
                  st.stored_groups.erase(group_id);
                  auto i = st.coordinators.find(group_id);
                  if (i != st.coordinators.end() && i->second == c) {
                    st.coordinators.erase(i);
                    st.retired.insert(c.address());
                  }
                }
                rp.deliver(std::move(r));
              },
              [rp](caf::error& e) mutable { rp.deliver(std::move(e)); });
      return caf::delegated<delete_group_result>{};
    },
    [self](expire_offsets_atom a) {
      for (const auto& g : self->state.stored_groups) coordinator_for(self, g, false);
      for (const auto& [id, c] : self->state.coordinators) self->send(c, a);
      schedule_expiry(self);
    },
  };
}

}  // namespace

group_manager_actor spawn_group_manager(caf::actor_system& sys, group_manager_config cfg) {
  return sys.spawn([cfg = std::make_shared<const group_manager_config>(std::move(cfg))](
                       self_ptr self) { return group_manager(self, cfg); });
}

}  // namespace lkstream::group

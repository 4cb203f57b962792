// The embedded consumer's group side: subscribe (the member actor of consumer_member.cpp runs
// the membership cycle), the published member identity, and offset commits in issue order
// through one writer actor at a time.
#include <future>

#include "consumer_impl.hpp"
#include "group/group_api.hpp"
#include "group_client.hpp"
#include "lkstream/group/assignor.hpp"

namespace lkstream {

status consumer::subscribe(std::vector<std::string> topics) {
  auto& s = *impl_;
  if (s.opts.group_id.empty()) return {errc::invalid_argument, "subscribe() needs a group_id"};
  if (topics.empty()) return {errc::invalid_argument, "subscribe() needs at least one topic"};
  if (!group::find_assignor(s.opts.assignment_strategy))
    return {errc::invalid_argument, "unknown assignment_strategy \"" + s.opts.assignment_strategy +
                                        "\" (range or roundrobin)"};
  {
    std::lock_guard<std::mutex> g(s.sh->m);
    if (s.sh->closed) return {errc::closed, "consumer closed"};
    if (!s.sh->slots.empty() && s.subscription.empty())
      return {errc::invalid_argument, "subscribe() after assign(): use one or the other"};
  }
  std::sort(topics.begin(), topics.end());
  topics.erase(std::unique(topics.begin(), topics.end()), topics.end());
  actors::caf_thread_scope caf_scope;
  auto call = s.eng->enter();  // the member is spawned in, or told through, the actor system
  if (!call) return {errc::closed, "subscribe: the engine is closed"};
  s.subscription = topics;
  if (!s.member) {
    auto gone = std::make_shared<std::promise<void>>();
    s.member_gone = gone->get_future();
    s.member = s.spawn_member(std::move(topics), std::move(gone));
  }
  else caf::anon_send(s.member, actors::member_rejoin_atom::value, std::move(topics));
  return {};
}

void consumer::impl::publish_identity(bool joined, int32_t gen, std::string member) {
  std::lock_guard<std::mutex> g(identity_m);
  in_group = joined;
  generation = gen;
  member_id = std::move(member);
}

void consumer::impl::stop_group() {
  if (!member) return;
  // The member commits (auto-commit), leaves the group, answers and quits. An engine that is
  // closing stops it with the group manager it monitors, and then the request fails or is not
  // made. Either way the member may touch this consumer until it terminated: wait for that.
  if (auto call = eng->enter())
    (void)eng->ask<bool>(member, actors::member_leave_atom::value);
  member = actors::consumer_member_actor{};
  member_gone.wait();
  publish_identity(false, group::no_generation, {});
}

namespace {

errc to_errc(group::group_error e) {
  switch (e) {
    case group::group_error::rebalance_in_progress: return errc::rebalance_in_progress;
    case group::group_error::illegal_generation: return errc::illegal_generation;
    case group::group_error::unknown_member_id: return errc::unknown_member;
    default: return errc::invalid_argument;
  }
}

status commit_status(const group::offset_commit_response& resp) {
  for (auto& p : resp.partitions)
    if (p.error != group::group_error::none)
      return {to_errc(p.error), "commit of " + p.tp.topic + "-" +
                                          std::to_string(p.tp.partition.value()) + " failed: " +
                                          std::string(group::to_string(p.error))};
  return {};
}

}  // namespace

group::offset_commit_request consumer::impl::commit_request(
    const std::map<topic_partition, int64_t>& offsets) {
  group::offset_commit_request rq;
  rq.group_id = opts.group_id;
  {
    std::lock_guard<std::mutex> g(identity_m);
    rq.generation_id = in_group ? generation : group::no_generation;
    rq.member_id = in_group ? member_id : std::string{};
  }
  for (auto& [tp, off] : offsets) rq.partitions.push_back({tp, off, -1, {}});
  return rq;
}

namespace {

// Set while a commit callback runs on the writer: a commit_sync() from inside one cannot wait
// for the queue its own writer is draining, so it bypasses the queue.
thread_local bool in_commit_callback = false;

std::string tp_name(const topic_partition& tp) {
  return tp.topic + "-" + std::to_string(tp.partition.value());
}

void run_callback(const std::function<void(const status&)>& done, const status& st) {
  if (!done) return;
  const bool outer = std::exchange(in_commit_callback, true);
  try {
    done(st);
  } catch (...) {  // a throwing callback must not kill the writer (and strand the queue)
  }
  in_commit_callback = outer;
}

/// The outcome for one entry of a write: the first of its partitions the coordinator refused.
status entry_status(const commit_queue::entry& e,
                    const std::map<topic_partition, group::group_error>& errors) {
  for (auto& [tp, off] : e.offsets) {
    auto i = errors.find(tp);
    if (i != errors.end() && i->second != group::group_error::none)
      return {to_errc(i->second),
              "commit of " + tp_name(tp) + " failed: " + std::string(group::to_string(i->second))};
  }
  return {};
}

/// One step of the writer: takes the oldest run of entries with the same group identity
/// (refusals join any run), writes their newest offsets as one request, runs the callbacks
/// in order and continues; quits when the queue is empty.
void write_next(caf::event_based_actor* self, std::shared_ptr<commit_queue> q,
                group::group_manager_actor groups, std::string group_id) {
  for (;;) {
    auto batch = std::make_shared<std::vector<commit_queue::entry>>();
    {
      std::lock_guard<std::mutex> g(q->m);
      if (q->queued.empty()) {
        q->writing = false;
        q->cv.notify_all();
        self->quit();
        return;
      }
      std::optional<std::pair<int32_t, std::string>> id;  // of the run being taken
      while (!q->queued.empty()) {
        auto& e = q->queued.front();
        if (!e.refused) {
          if (id && (e.generation != id->first || e.member_id != id->second)) break;
          if (!id) id.emplace(e.generation, e.member_id);
        }
        batch->push_back(std::move(e));
        q->queued.pop_front();
      }
    }
    group::offset_commit_request rq;
    rq.group_id = group_id;
    std::map<topic_partition, int64_t> newest;
    for (auto& e : *batch) {
      if (e.refused) continue;
      rq.generation_id = e.generation;
      rq.member_id = e.member_id;
      for (auto& [tp, off] : e.offsets) newest[tp] = off;
    }
    if (newest.empty()) {  // only refusals (or empty commits): nothing to write
      for (auto& e : *batch) run_callback(e.done, e.refused ? *e.refused : status{});
      continue;
    }
    for (auto& [tp, off] : newest) rq.partitions.push_back({tp, off, -1, {}});
    self->request(groups, caf::infinite, group::commit_offsets_atom::value, std::move(rq))
        .then(
            [=](group::offset_commit_response& r) {
              std::map<topic_partition, group::group_error> errors;
              for (auto& p : r.partitions) errors[p.tp] = p.error;
              for (auto& e : *batch)
                run_callback(e.done, e.refused ? *e.refused : entry_status(e, errors));
              write_next(self, q, groups, group_id);
            },
            [=](caf::error& err) {
              status st{actors::from_caf_error(err)};
              for (auto& e : *batch) run_callback(e.done, e.refused ? *e.refused : st);
              write_next(self, q, groups, group_id);
            });
    return;
  }
}

}  // namespace

void consumer::impl::enqueue_commit(std::map<topic_partition, int64_t> offsets,
                                    std::function<void(const status&)> done,
                                    std::optional<status> refused) {
  commit_queue::entry e;
  e.offsets = std::move(offsets);
  e.done = std::move(done);
  // Held while the writer is spawned: close() cannot destroy the actor system meanwhile.
  actors::caf_thread_scope caf_scope;
  auto call = eng->enter();
  if (!call && !refused) refused = status{errc::closed, "commit: the engine is closed"};
  if (!refused) {
    std::lock_guard<std::mutex> g(identity_m);
    e.generation = in_group ? generation : group::no_generation;
    e.member_id = in_group ? member_id : std::string{};
  }
  bool start = false;
  {
    std::lock_guard<std::mutex> g(commits->m);
    if (refused && !commits->writing && commits->queued.empty()) {
      // Nothing earlier is pending: refuse right away, on the caller's thread.
    } else {
      e.refused = std::move(refused);
      refused.reset();
      commits->queued.push_back(std::move(e));
      start = !commits->writing;
      commits->writing = true;
    }
  }
  if (refused) return run_callback(e.done, *refused);
  if (start)
    eng->sys->spawn([q = commits, groups = eng->groups,
                     gid = opts.group_id](caf::event_based_actor* self) {
      write_next(self, q, groups, gid);
    });
}

status consumer::impl::check_commit(const std::map<topic_partition, int64_t>& offsets,
                                    bool explicit_offsets) {
  if (opts.group_id.empty()) return {errc::invalid_argument, "commit needs a group_id"};
  if (eng->closed) return {errc::closed, "commit: the engine is closed"};
  std::lock_guard<std::mutex> g(sh->m);
  if (sh->closed) return {errc::closed, "commit: the consumer is closed"};
  if (!explicit_offsets) return {};
  for (auto& [tp, off] : offsets) {
    auto h = eng->board->find(tp.topic);
    if (!h)
      return {errc::unknown_topic, "commit of " + tp_name(tp) + ": unknown topic " + tp.topic};
    if (tp.partition.value() < 0 ||
        tp.partition.value() >= static_cast<int32_t>(h->partitions.size()))
      return {errc::unknown_topic, "commit of " + tp_name(tp) + ": topic " + tp.topic + " has " +
                                       std::to_string(h->partitions.size()) + " partitions"};
    if (off < 0)
      return {errc::invalid_argument,
              "commit of " + tp_name(tp) + ": negative offset " + std::to_string(off)};
    if (!sh->slots.count(tp))
      return {errc::invalid_argument, "commit of " + tp_name(tp) +
                                          ": the partition is not assigned to this consumer"};
  }
  return {};
}

status consumer::impl::commit(const std::map<topic_partition, int64_t>& offsets) {
  if (eng->closed) return {errc::closed, "engine closed"};
  if (in_commit_callback) {  // on the writer's thread: the queue cannot drain while we wait
    actors::group_client client{*eng};
    LK_ASSIGN_OR_RETURN(auto resp, client.commit(commit_request(offsets)));
    return commit_status(resp);
  }
  auto outcome = std::make_shared<std::promise<status>>();
  auto future = outcome->get_future();
  enqueue_commit(offsets, [outcome](const status& st) { outcome->set_value(st); }, std::nullopt);
  return future.get();
}

bool consumer::impl::wait_commits(std::chrono::milliseconds timeout) {
  std::unique_lock<std::mutex> g(commits->m);
  return commits->cv.wait_for(g, timeout,
                              [&] { return !commits->writing && commits->queued.empty(); });
}

void consumer::commit_async(std::function<void(const status&)> done) {
  auto& s = *impl_;
  auto st = s.check_commit({}, false);
  if (!st) return s.enqueue_commit({}, std::move(done), std::move(st));
  s.enqueue_commit(s.positions(), std::move(done), std::nullopt);
}

void consumer::commit_async(const std::map<topic_partition, int64_t>& offsets,
                            std::function<void(const status&)> done) {
  auto& s = *impl_;
  auto st = s.check_commit(offsets, true);
  if (!st) return s.enqueue_commit({}, std::move(done), std::move(st));
  s.enqueue_commit(offsets, std::move(done), std::nullopt);
}

result<std::map<topic_partition, int64_t>> consumer::impl::fetch_committed(
    const std::vector<topic_partition>& tps) {
  if (eng->closed) return error{errc::closed, "engine closed"};
  actors::group_client client{*eng};
  LK_ASSIGN_OR_RETURN(auto resp, client.fetch_offsets({opts.group_id, tps}));
  std::map<topic_partition, int64_t> out;
  for (auto& p : resp.partitions)
    if (p.error == group::group_error::none) out[p.tp] = p.offset;
  return out;
}

}  // namespace lkstream

#include "pipeline/stage_actor.hpp"

#include <nlohmann/json.hpp>

#include <optional>
#include <set>

#include "lkstream/pipeline/stateful.hpp"
#include "lkstream/producer.hpp"
#include "pipeline/pipeline_messages.hpp"

namespace lkstream::actors {
namespace {

using pipeline_detail::batch_ptr;
using pipeline_detail::no_watermark;
using pipeline_detail::ticket;
using pipeline_detail::ticket_ptr;

struct epoch_state {
  uint64_t id = 0;
  std::vector<ticket_ptr> held;  // input tickets, released once the checkpoint is durable
  ticket_ptr out;                // carried by the epoch's outputs
  bytes record;                  // the changelog record taken when the epoch closed
};

struct stage_state;
using self_ptr = caf::stateful_actor<stage_state>*;

class stage_ctx final : public pipeline_detail::stage_context {
 public:
  explicit stage_ctx(self_ptr self) : self_(self) {}
  void emit(size_t port, batch_ptr b) override;
  void dead_letter(const pipeline_detail::origin& from, timestamp_ms ts, std::string_view error,
                   std::optional<bytes_view> original,
                   const std::vector<ticket_ptr>& tickets) override;
  producer& sink_producer() override;
  const std::shared_ptr<pipeline_detail::pipeline_monitor>& monitor() override;
  const std::string& source_topic(int32_t source) override;

 private:
  self_ptr self_;
};

struct stage_state {
  stage_actor_config cfg;
  std::unique_ptr<stage_ctx> ctx;
  std::map<uint32_t, timestamp_ms> watermarks;  // per sender
  std::set<uint32_t> ended;
  uint64_t next_epoch = 1;
  std::optional<epoch_state> current;  // collecting
  std::optional<epoch_state> closing;  // checkpoint in flight
  static inline const char* name = "pipeline_stage";

  bool stateful() const { return cfg.logic->stateful(); }
  void fail(const std::string& why) { cfg.shared->mon->fail(cfg.label + ": " + why); }
};

caf::weak_actor_ptr weak_self(self_ptr self) {
  return caf::actor_cast<caf::weak_actor_ptr>(caf::actor_cast<caf::strong_actor_ptr>(self));
}

template <class... Ts>
void send_to_weak(const caf::weak_actor_ptr& weak, Ts&&... xs) {
  if (auto strong = weak.lock())
    caf::anon_send(caf::actor_cast<caf::actor>(strong), std::forward<Ts>(xs)...);
}

epoch_state& current_epoch(self_ptr self) {
  auto& s = self->state;
  if (!s.current) {
    epoch_state e;
    e.id = s.next_epoch++;
    e.out = std::make_shared<ticket>([weak = weak_self(self), id = e.id](bool ok) {
      send_to_weak(weak, pepoch_atom::value, id, ok);
    });
    s.current = std::move(e);
  }
  return *s.current;
}

// Closes the collecting epoch if no checkpoint is in flight: takes the snapshot now and lets go
// of the epoch's output ticket (its completion, maybe at once, continues in on_epoch_outputs).
void maybe_close_epoch(self_ptr self) {
  auto& s = self->state;
  if (s.closing || !s.current) return;
  s.closing = std::move(s.current);
  s.current.reset();
  bytes snap;
  s.cfg.logic->snapshot(snap);
  s.closing->record = changelog_record(s.cfg.node, s.cfg.instance, snap);
  s.closing->out.reset();
}

void fail_held(stage_state& s, const std::string& why) {
  s.fail(why);
  if (s.closing)
    for (auto& t : s.closing->held) t->fail();
}

void on_epoch_outputs(self_ptr self, uint64_t id, bool ok) {
  auto& s = self->state;
  if (!s.closing || s.closing->id != id) return;
  if (!ok) return fail_held(s, "an output of this stage could not be written");
  auto& sh = *s.cfg.shared;
  const std::string key = std::to_string(s.cfg.node) + "/" + std::to_string(s.cfg.instance);
  producer_record rec;
  rec.topic = sh.changelog_topic;
  rec.partition = s.cfg.changelog_partition;
  rec.key = as_bytes(key);
  rec.value = bytes_view(s.closing->record);
  auto st = sh.prod->send(rec, [weak = weak_self(self), id](const delivery_report& r) {
    std::string err;
    if (r.code != errc::ok) err = std::string(to_string(r.code)) + ": " + std::string(r.message);
    send_to_weak(weak, pckpt_atom::value, id, r.code == errc::ok, std::move(err));
  });
  if (!st)
    fail_held(s, "checkpoint to " + sh.changelog_topic + " refused: " + st.err().to_string());
}

void on_checkpoint(self_ptr self, uint64_t id, bool ok, const std::string& err) {
  auto& s = self->state;
  if (!s.closing || s.closing->id != id) return;
  if (!ok)
    return fail_held(s, "checkpoint to " + s.cfg.shared->changelog_topic + " failed: " + err);
  ++s.cfg.shared->mon->checkpoints;
  s.closing.reset();  // releases the epoch's input tickets: the source may commit them
  maybe_close_epoch(self);
}

void on_batch(self_ptr self, uint32_t sender, batch_ptr& b) {
  auto& s = self->state;
  auto [it, fresh] = s.watermarks.emplace(sender, b->watermark);
  if (!fresh) it->second = std::max(it->second, b->watermark);
  timestamp_ms wm = no_watermark;
  if (s.watermarks.size() >= s.cfg.upstreams) {
    wm = std::numeric_limits<timestamp_ms>::max();
    for (auto& [id, w] : s.watermarks) wm = std::min(wm, w);
  }
  b->watermark = wm;
  if (b->end_of_input) {
    s.ended.insert(sender);
    b->end_of_input = s.ended.size() >= s.cfg.upstreams;
  }
  try {
    if (s.stateful()) {
      auto& e = current_epoch(self);
      for (auto& t : b->tickets) e.held.push_back(std::move(t));
      b->tickets.clear();
      s.cfg.logic->process(std::move(b), *s.ctx);
      maybe_close_epoch(self);
    } else {
      s.cfg.logic->process(std::move(b), *s.ctx);
    }
  } catch (const std::exception& ex) {
    s.fail(std::string("unexpected exception: ") + ex.what());
  } catch (...) {
    s.fail("unexpected exception");
  }
}

caf::behavior stage_actor(self_ptr self, stage_actor_config cfg) {
  self->state.cfg = std::move(cfg);
  self->state.ctx = std::make_unique<stage_ctx>(self);
  return {
      [self](pbatch_atom, uint32_t sender, batch_ptr& b) { on_batch(self, sender, b); },
      [self](pepoch_atom, uint64_t id, bool ok) { on_epoch_outputs(self, id, ok); },
      [self](pckpt_atom, uint64_t id, bool ok, const std::string& err) {
        on_checkpoint(self, id, ok, err);
      },
  };
}

void stage_ctx::emit(size_t port, batch_ptr b) {
  auto& s = self_->state;
  if (s.stateful()) b->tickets.push_back(current_epoch(self_).out);
  if (port >= s.cfg.outs.size()) return;
  auto& routes = s.cfg.outs[port];
  for (size_t r = 0; r < routes.size(); ++r) {
    batch_ptr piece = r + 1 < routes.size() ? b->clone() : std::move(b);
    auto& targets = routes[r].instances;
    if (targets.size() == 1) {
      self_->send(targets[0], pbatch_atom::value, s.cfg.id, std::move(piece));
      continue;
    }
    auto parts = piece->split_by_key(targets.size());
    for (size_t i = 0; i < targets.size(); ++i)
      self_->send(targets[i], pbatch_atom::value, s.cfg.id, std::move(parts[i]));
  }
}

void stage_ctx::dead_letter(const pipeline_detail::origin& from, timestamp_ms ts,
                            std::string_view error, std::optional<bytes_view> original,
                            const std::vector<ticket_ptr>& tickets) {
  auto& s = self_->state;
  auto& sh = *s.cfg.shared;
  ++sh.mon->dead_letters;
  nlohmann::json j{{"pipeline", sh.name},
                   {"stage", s.cfg.label},
                   {"error", std::string(error)},
                   {"topic", source_topic(from.source)},
                   {"partition", from.partition},
                   {"offset", from.offset},
                   {"timestamp", ts}};
  if (original) j["value"] = std::string(as_string_view(*original));
  auto text = j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  auto held = std::make_shared<std::vector<ticket_ptr>>(tickets);
  if (s.stateful()) held->push_back(current_epoch(self_).out);
  producer_record rec;
  rec.topic = sh.dead_letter_topic;
  rec.value = as_bytes(text);
  rec.timestamp = ts >= 0 ? ts : -1;
  auto mon = sh.mon;
  auto topic = sh.dead_letter_topic;
  auto st = sh.prod->send(rec, [held, mon, topic](const delivery_report& r) {
    if (r.code == errc::ok) return;
    mon->fail("dead letter to " + topic + " failed: " + std::string(r.message));
    for (auto& t : *held) t->fail();
  });
  if (!st) {
    mon->fail("dead letter to " + topic + " refused: " + st.err().to_string());
    for (auto& t : *held) t->fail();
  }
}

producer& stage_ctx::sink_producer() {
  return *self_->state.cfg.shared->prod;
}

const std::shared_ptr<pipeline_detail::pipeline_monitor>& stage_ctx::monitor() {
  return self_->state.cfg.shared->mon;
}

const std::string& stage_ctx::source_topic(int32_t source) {
  static const std::string none;
  auto& topics = self_->state.cfg.shared->source_topics;
  if (source < 0 || static_cast<size_t>(source) >= topics.size()) return none;
  return topics[static_cast<size_t>(source)];
}

}  // namespace

bytes changelog_record(uint32_t node, uint32_t instance, bytes_view snapshot) {
  bytes out;
  out.reserve(8 + snapshot.size());
  pipeline_detail::state_writer w(out);
  w.num(node);
  w.num(instance);
  out.insert(out.end(), snapshot.begin(), snapshot.end());
  return out;
}

caf::actor spawn_stage(caf::actor_system& sys, stage_actor_config cfg) {
  if (cfg.blocking) return sys.spawn<caf::detached>(stage_actor, std::move(cfg));
  return sys.spawn(stage_actor, std::move(cfg));
}

}  // namespace lkstream::actors

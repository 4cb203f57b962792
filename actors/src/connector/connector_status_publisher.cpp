#include "connector/connector_status_publisher.hpp"

#include <atomic>

#include "lkstream/engine.hpp"
#include "lkstream/producer.hpp"
#include "messages.hpp"

namespace lkstream::actors {
namespace {

using steady = std::chrono::steady_clock;

constexpr auto final_flush_timeout = std::chrono::seconds(5);

struct publisher_state {
  connector_status_publisher_config cfg;
  std::unique_ptr<producer> prod;
  std::vector<std::string> last_text;  // per cell: the JSON last sent (without time)
  std::vector<steady::time_point> last_sent;
  std::shared_ptr<std::atomic<bool>> failing = std::make_shared<std::atomic<bool>>(false);
  static inline const char* name = "connector_status_publisher";

  void publish(size_t i, bool force) {
    connector_status st = cfg.cells[i]->snapshot();
    const std::string text = to_json(st);  // published_ms is 0 here: compares content only
    const auto now = steady::now();
    if (!force && text == last_text[i] && now - last_sent[i] < cfg.interval) return;
    st.published_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count();
    const std::string value = to_json(st);
    producer_record r;
    r.topic = cfg.topic;
    r.key = as_bytes(st.name);
    r.value = as_bytes(value);
    auto failing_ref = failing;
    auto log = cfg.log;
    auto sent = prod->send(r, [failing_ref, log](const delivery_report& d) {
      if (d.code == errc::ok) {
        failing_ref->store(false);
      } else if (!failing_ref->exchange(true)) {
        log("connector status: publishing failed: " + std::string(d.message));
      }
    });
    if (!sent) {
      if (!failing->exchange(true))
        cfg.log("connector status: publishing failed: " + sent.err().to_string());
      return;  // tried again at the next check
    }
    last_text[i] = text;
    last_sent[i] = now;
  }

  void publish_all(bool force) {
    for (size_t i = 0; i < cfg.cells.size(); ++i) publish(i, force);
  }
};

using publisher_self = connector_status_publisher_actor::stateful_pointer<publisher_state>;

connector_status_publisher_actor::behavior_type publisher(publisher_self self,
                                                          connector_status_publisher_config cfg) {
  self->set_default_handler(log_unexpected_message);
  auto& s = self->state;
  s.cfg = std::move(cfg);
  producer_options po;
  po.linger_ms = 0;
  s.prod = s.cfg.eng->make_producer(po);
  s.last_text.resize(s.cfg.cells.size());
  s.last_sent.resize(s.cfg.cells.size());
  self->set_exit_handler([self](caf::exit_msg& m) {
    auto& st = self->state;
    st.publish_all(true);
    (void)st.prod->flush(final_flush_timeout);
    st.prod.reset();
    self->quit(m.reason);
  });
  self->send(self, status_publish_tick_atom::value);
  return {
      [self](status_publish_tick_atom) {
        self->state.publish_all(false);
        self->delayed_send(self, self->state.cfg.check, status_publish_tick_atom::value);
      },
  };
}

}  // namespace

connector_status_publisher_actor spawn_connector_status_publisher(
    caf::actor_system& sys, connector_status_publisher_config cfg) {
  return sys.spawn<caf::detached>([cfg = std::move(cfg)](publisher_self self) mutable {
    return publisher(self, std::move(cfg));
  });
}

}  // namespace lkstream::actors

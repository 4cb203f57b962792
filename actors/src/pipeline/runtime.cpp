#include "lkstream/pipeline/runtime.hpp"

#include <map>

#include "lkstream/connector_host.hpp"
#include "lkstream/kafka_listener.hpp"
#include "pipeline/running_pipeline.hpp"

namespace lkstream {

std::string_view to_string(pipeline_state s) {
  switch (s) {
    case pipeline_state::starting:
      return "starting";
    case pipeline_state::running:
      return "running";
    case pipeline_state::finished:
      return "finished";
    case pipeline_state::failed:
      return "failed";
    case pipeline_state::stopped:
      return "stopped";
  }
  return "unknown";
}

namespace {
bool terminal(pipeline_state s) {
  return s == pipeline_state::finished || s == pipeline_state::failed ||
         s == pipeline_state::stopped;
}
}  // namespace

struct runtime::impl {
  std::unique_ptr<engine> owned;
  engine* eng = nullptr;
  runtime_options opts;
  bool manage_services = false;  // connectors / listener are ours to start
  std::unique_ptr<connector_host> connectors;
  std::unique_ptr<kafka_listener> listener;
  std::shared_ptr<actors::runtime_signal> signal = std::make_shared<actors::runtime_signal>();
  std::vector<std::shared_ptr<pipeline_detail::graph>> graphs;     // composed, in order
  std::vector<std::unique_ptr<actors::running_pipeline>> running;  // same order once started
  std::mutex m;  // guards graphs/running/stopping (not the signal)
  bool stopping = false;

  actors::running_pipeline* find(std::string_view name) const {
    for (auto& r : running)
      if (r->name() == name) return r.get();
    return nullptr;
  }
};

runtime::runtime(std::unique_ptr<impl> i) : impl_(std::move(i)) {}

runtime::~runtime() {
  (void)stop();
}

result<std::unique_ptr<runtime>> runtime::open(runtime_options opts) {
  auto i = std::make_unique<impl>();
  LK_ASSIGN_OR_RETURN(i->owned, engine::open(opts.engine));
  i->eng = i->owned.get();
  i->opts = std::move(opts);
  i->manage_services = true;
  return std::unique_ptr<runtime>(new runtime(std::move(i)));
}

std::unique_ptr<runtime> runtime::attach(engine& eng) {
  auto i = std::make_unique<impl>();
  i->eng = &eng;
  i->opts.start_connectors = false;
  return std::unique_ptr<runtime>(new runtime(std::move(i)));
}

engine& runtime::get_engine() {
  return *impl_->eng;
}

connector_host* runtime::connectors() {
  return impl_->connectors.get();
}

std::string runtime::kafka_address() const {
  return impl_->listener ? impl_->listener->bound_address() : std::string();
}

pipeline_builder runtime::pipeline(std::string name, pipeline_options opts) {
  auto g = std::make_shared<pipeline_detail::graph>();
  g->name = std::move(name);
  g->opts = std::move(opts);
  for (auto& c : impl_->eng->configuration().connectors) g->connector_topics[c.name] = c.topics;
  std::lock_guard<std::mutex> lk(impl_->m);
  for (auto& other : impl_->graphs)
    if (other->name == g->name)
      g->errors.push_back("another pipeline of this runtime has the same name");
  impl_->graphs.push_back(g);
  return pipeline_builder(g);
}

lkstream::status runtime::start() {
  auto& s = *impl_;
  std::lock_guard<std::mutex> lk(s.m);
  if (s.stopping) return {errc::closed, "runtime stopped"};
  if (s.manage_services) {
    s.manage_services = false;
    if (s.opts.serve_kafka) {
      auto l = kafka_listener::start(*s.eng,
                                     listener_options::from_config(s.eng->configuration().broker));
      if (!l) return std::move(l).take_error();
      s.listener = std::move(*l);
    }
    if (s.opts.start_connectors && !s.eng->configuration().connectors.empty()) {
      auto h = connector_host::start(*s.eng, s.eng->configuration());
      if (!h) return std::move(h).take_error();
      s.connectors = std::move(*h);
    }
  }
  for (size_t i = s.running.size(); i < s.graphs.size(); ++i) {
    auto rp = std::make_unique<actors::running_pipeline>(*s.eng, s.graphs[i], s.signal);
    auto st = rp->start();
    s.running.push_back(std::move(rp));
    if (!st) return st;
  }
  return {};
}

lkstream::status runtime::run() {
  LK_TRY_STATUS(start());
  auto& s = *impl_;
  {
    std::unique_lock<std::mutex> g(s.signal->m);
    s.signal->cv.wait(g, [&] {
      if (s.stopping) return true;
      for (auto& r : s.running)
        if (!terminal(r->state_locked())) return false;
      return true;
    });
  }
  for (auto& st : status())
    if (st.state == pipeline_state::failed)
      return {errc::invalid_argument, "pipeline \"" + st.name + "\" failed: " + st.last_error};
  return {};
}

lkstream::status runtime::stop() {
  auto& s = *impl_;
  std::vector<actors::running_pipeline*> list;
  {
    std::lock_guard<std::mutex> lk(s.m);
    if (!s.stopping) {
      std::lock_guard<std::mutex> g(s.signal->m);
      s.stopping = true;
    }
    s.signal->cv.notify_all();
    for (auto& r : s.running) list.push_back(r.get());
  }
  for (auto* r : list) r->stop();
  if (s.connectors) (void)s.connectors->stop();
  s.connectors.reset();
  if (s.listener) s.listener->stop();
  s.listener.reset();
  if (s.owned) {
    {
      std::lock_guard<std::mutex> lk(s.m);
      s.running.clear();
    }
    auto st = s.owned->close();
    s.owned.reset();
    return st;
  }
  return {};
}

std::vector<pipeline_status> runtime::status() const {
  std::lock_guard<std::mutex> lk(impl_->m);
  std::vector<pipeline_status> out;
  for (auto& r : impl_->running) out.push_back(r->snapshot());
  return out;
}

result<pipeline_status> runtime::status(std::string_view name) const {
  std::lock_guard<std::mutex> lk(impl_->m);
  auto* r = impl_->find(name);
  if (!r) return error{errc::not_found, "no started pipeline named \"" + std::string(name) + "\""};
  return r->snapshot();
}

result<pipeline_status> runtime::wait_for(std::string_view name,
                                          const std::function<bool(const pipeline_status&)>& done,
                                          std::chrono::milliseconds timeout) const {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    LK_ASSIGN_OR_RETURN(auto st, status(name));
    if (done(st) || std::chrono::steady_clock::now() >= deadline) return st;
    // Counters change without a signal: wake at least every 10 ms to look again.
    std::unique_lock<std::mutex> g(impl_->signal->m);
    impl_->signal->cv.wait_for(g, std::chrono::milliseconds(10));
  }
}

}  // namespace lkstream

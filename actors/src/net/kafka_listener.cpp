#include "lkstream/kafka_listener.hpp"

#include <algorithm>
#include <chrono>
#include <future>
#include <thread>

#include "engine_services.hpp"
#include "lkstream/config/units.hpp"
#include "lkstream/process/log_throttle.hpp"
#include "lkstream/process/open_files.hpp"
#include "net/connection.hpp"
#include "net/listener_core.hpp"
#include "net/reserved_descriptor.hpp"

namespace lkstream {
namespace {

// parse_host_port() rejects port 0, which `listen` allows ("any free port").
result<config::host_port> parse_listen_address(const std::string& text) {
  if (text.size() > 2 && text.compare(text.size() - 2, 2, ":0") == 0) {
    auto hp = config::parse_host_port(text.substr(0, text.size() - 1) + "1");
    if (!hp) return std::move(hp).take_error();
    hp->port = 0;
    return hp;
  }
  return config::parse_host_port(text);
}

// While accept() finds no descriptor, accepting pauses this long, doubling up to the maximum.
constexpr std::chrono::milliseconds first_accept_pause{50};
constexpr std::chrono::milliseconds max_accept_pause{1000};

// accept() failures that last until descriptors (or kernel memory) are freed: retrying at once
// would spin.
bool out_of_descriptors(const asio::error_code& ec) {
  return ec == asio::error::no_descriptors || ec == std::errc::too_many_files_open_in_system ||
         ec == asio::error::no_buffer_space || ec == asio::error::no_memory;
}

std::string join_host_port(const std::string& host, uint16_t port) {
  if (host.find(':') != std::string::npos) return "[" + host + "]:" + std::to_string(port);
  return host + ":" + std::to_string(port);
}

}  // namespace

listener_options listener_options::from_config(const config::broker_settings& broker) {
  listener_options o;
  o.listen = broker.listen;
  o.advertised = broker.advertised;
  o.limits.max_request_bytes = broker.max_request_bytes;
  o.limits.max_buffered_bytes = broker.max_buffered_bytes;
  o.limits.max_connections = broker.max_connections;
  o.limits.max_connections_per_ip = broker.max_connections_per_ip;
  o.security.protocol = broker.protocol;
  o.security.sasl_mechanisms = broker.sasl_mechanisms;
  o.security.sasl_session_lifetime_ms = broker.sasl_session_lifetime_ms;
  o.security.failed_authentication_delay_ms = broker.failed_authentication_delay_ms;
  return o;
}

struct kafka_listener::impl {
  std::shared_ptr<net::listener_core> core;
  std::shared_ptr<net::listener_counters> counters;  // outlives core (stats() after stop())
  std::unique_ptr<asio::ip::tcp::acceptor> acceptor;
  std::unique_ptr<asio::executor_work_guard<asio::io_context::executor_type>> work;
  std::thread io_thread;
  asio::ip::tcp::endpoint bound;
  std::mutex stop_mutex;
  bool stopped = false;
  // Held from start to stop: the engine's actor system outlives the io thread's actor.
  // close() stops the listener first, through the stop hook, so it never waits on it.
  std::optional<engine_call> call;
  engine_services services;
  uint64_t stop_hook = 0;

  explicit impl(engine_services s) : services(s) {}
  uint64_t max_connections = 0;  // the core's, for stats() after stop()
  uint64_t max_connections_per_ip = 0;

  // Out of descriptors (EMFILE/ENFILE): accepting pauses for `pause` (doubling up to
  // max_accept_pause while the error lasts), and the reserved descriptor is given up for a
  // moment to accept the waiting connections and close them.
  std::optional<asio::steady_timer> pause_timer;
  std::chrono::milliseconds pause{0};
  net::reserved_descriptor reserve;

  void accept_next() {
    acceptor->async_accept([this](const asio::error_code& ec, asio::ip::tcp::socket s) {
      if (ec == asio::error::operation_aborted || !acceptor->is_open()) return;
      if (ec) {
        ++counters->accept_errors;
        if (out_of_descriptors(ec)) return pause_accepting(ec);
        // The failed connection is gone (aborted by its client, refused by a firewall rule):
        // the next one may succeed.
        core->log_limited("accept failed", "kafka listener: accept failed: " + ec.message());
        return accept_next();
      }
      if (pause.count() > 0) {
        core->log_limited("accepting again", "kafka listener: accepting again: descriptors "
                                             "were freed");
        pause = std::chrono::milliseconds{0};
      }
      reserve.ensure();
      serve(std::move(s));
      accept_next();
    });
  }

  // A connection is served unless a limit refuses it: then it is closed at once, which its
  // client sees as a prompt end of file.
  void serve(asio::ip::tcp::socket s) {
    asio::error_code ec;
    auto peer = s.remote_endpoint(ec);
    const std::string host = ec ? std::string("unknown") : peer.address().to_string();
    if (auto why = core->refusal(host)) {
      s.close(ec);
      core->log_limited(process::similar_key(*why), "kafka listener: refused a connection from " +
                                                        host + ": " + *why +
                                                        "; closed it at accept");
      return;
    }
    auto c = std::make_shared<net::connection>(*core, std::move(s), core->next_connection_id());
    core->add(c);
    c->start();
  }

  void pause_accepting(const asio::error_code& ec) {
    const uint64_t closed = reserve.accept_and_close(acceptor->native_handle());
    counters->refused_no_descriptors += closed;
    ++counters->accept_pauses;
    pause = std::min(pause.count() == 0 ? first_accept_pause : pause * 2, max_accept_pause);
    const auto limit = process::current_open_files_limit();
    core->log_limited(
        "accept out of descriptors",
        "kafka listener: accept failed: " + ec.message() + " (" +
            std::to_string(process::count_open_files()) + " descriptors open, limit " +
            (limit ? process::format_limit(limit->soft) : std::string("unknown")) + "): closed " +
            std::to_string(closed) + " waiting connection(s) with the reserved descriptor; "
            "accepting again in " + std::to_string(pause.count()) + " ms");
    pause_timer->expires_after(pause);
    pause_timer->async_wait([this](const asio::error_code& e) {
      if (e || !acceptor->is_open()) return;
      accept_next();
    });
  }

  // On the io thread: stop accepting, drain connections, then let io.run() return.
  void begin_stop(std::promise<void>& done) {
    asio::error_code ec;
    acceptor->close(ec);
    pause_timer->cancel();
    auto grace = std::make_shared<asio::steady_timer>(core->io);
    auto finish = [this, grace, &done] {
      grace->cancel();
      core->stop_io_actor();
      work.reset();
      core->io.stop();
      done.set_value();
    };
    grace->expires_after(std::chrono::milliseconds(core->opts.limits.stop_grace_ms));
    grace->async_wait([this](const asio::error_code& e) {
      if (e) return;
      core->close_all("kafka listener stopping: closing a connection with requests still "
                      "in flight after the grace period");
    });
    core->drain_all(finish);
  }
};

kafka_listener::kafka_listener(std::unique_ptr<impl> i) : impl_(std::move(i)) {}

kafka_listener::~kafka_listener() { stop(); }

result<std::unique_ptr<kafka_listener>> kafka_listener::start(engine& eng, listener_options opts) {
  actors::caf_thread_scope caf_scope;  // the io actor is spawned here
  engine_services services(eng);
  auto call = services.enter();
  if (!call) return error{errc::closed, "kafka listener: the engine is closed"};
  auto listen = parse_listen_address(opts.listen);
  if (!listen)
    return error{errc::invalid_argument, "kafka listener: listen address: " + listen.err().message};
  std::optional<config::host_port> advertised;
  if (!opts.advertised.empty()) {
    auto a = parse_listen_address(opts.advertised);
    if (!a)
      return error{errc::invalid_argument,
                   "kafka listener: advertised address: " + a.err().message};
    advertised = *a;
  }

  auto im = std::make_unique<impl>(services);
  im->core = std::make_shared<net::listener_core>(services, opts);
  auto& io = im->core->io;
  {
    auto store = security::credential_store::load(*im->core->fs,
                                                  services.configuration().broker.data_dir);
    if (!store) return error{store.err().code, "kafka listener: " + store.err().message};
    im->core->credentials = std::move(*store);
    if (im->core->requires_sasl() && im->core->credentials.empty())
      im->core->log("kafka listener: security_protocol is SASL_PLAINTEXT but no user exists "
                    "yet: no client can authenticate (create one with `lkstream user create "
                    "NAME --data-dir DIR` while the server is stopped)");
  }

  asio::error_code ec;
  asio::ip::tcp::resolver resolver(io);
  auto endpoints = resolver.resolve(listen->host, std::to_string(listen->port),
                                    asio::ip::tcp::resolver::passive, ec);
  if (ec || endpoints.empty())
    return error{errc::invalid_argument, "kafka listener: cannot resolve " + opts.listen + ": " +
                                             (ec ? ec.message() : "no address")};
  asio::ip::tcp::endpoint ep = endpoints.begin()->endpoint();
  im->acceptor = std::make_unique<asio::ip::tcp::acceptor>(io);
  auto fail = [&](const char* what) {
    return error{errc::io_error, std::string("kafka listener: ") + what + " " + opts.listen +
                                     ": " + ec.message()};
  };
  im->acceptor->open(ep.protocol(), ec);
  if (ec) return fail("cannot open a socket for");
  im->acceptor->set_option(asio::ip::tcp::acceptor::reuse_address(true), ec);
  im->acceptor->bind(ep, ec);
  if (ec) return fail("cannot bind");
  im->acceptor->listen(asio::socket_base::max_listen_connections, ec);
  if (ec) return fail("cannot listen on");
  im->bound = im->acceptor->local_endpoint(ec);
  if (ec) return fail("cannot read the bound address of");

  if (advertised) {
    im->core->advertised_host = advertised->host;
    im->core->advertised_port = advertised->port ? advertised->port : im->bound.port();
  } else {
    im->core->advertised_host = listen->host;
    im->core->advertised_port = im->bound.port();
  }

  // accept_and_close() accepts on this descriptor directly, until none is waiting.
  im->acceptor->native_non_blocking(true, ec);
  if (ec) return fail("cannot make non-blocking the socket of");
  im->pause_timer.emplace(io);
  im->reserve.ensure();
  im->counters = im->core->counters;
  im->max_connections = im->core->max_connections;
  im->max_connections_per_ip = im->core->max_connections_per_ip;

  im->work = std::make_unique<asio::executor_work_guard<asio::io_context::executor_type>>(
      io.get_executor());
  im->accept_next();
  im->core->start_io_actor(call->system());  // after the last failure point
  im->call.emplace(std::move(*call));
  im->io_thread = std::thread([core = im->core] { core->io.run(); });
  std::unique_ptr<kafka_listener> listener(new kafka_listener(std::move(im)));
  // An application that closes the engine without stopping the listener gets it stopped first.
  const uint64_t hook = services.add_stop_hook([l = listener.get()] { l->stop(); });
  if (hook == 0) {  // close() began meanwhile: it must not wait for this listener
    listener->stop();
    return error{errc::closed, "kafka listener: the engine is closed"};
  }
  listener->impl_->stop_hook = hook;
  return listener;
}

std::string kafka_listener::bound_address() const {
  return join_host_port(impl_->bound.address().to_string(), impl_->bound.port());
}

uint16_t kafka_listener::bound_port() const { return impl_->bound.port(); }

std::string kafka_listener::advertised_address() const {
  return join_host_port(impl_->core->advertised_host,
                        static_cast<uint16_t>(impl_->core->advertised_port));
}

listener_stats kafka_listener::stats() const {
  const auto& n = *impl_->counters;
  listener_stats st;
  st.connections_open = n.connections_open;
  st.connections_accepted = n.connections_accepted;
  st.connections_refused_limit = n.refused_limit;
  st.connections_refused_per_ip = n.refused_per_ip;
  st.connections_refused_no_descriptors = n.refused_no_descriptors;
  st.accept_errors = n.accept_errors;
  st.accept_pauses = n.accept_pauses;
  st.open_files = process::count_open_files();
  auto limit = process::current_open_files_limit();
  st.open_files_limit = limit ? limit->soft : 0;
  st.max_connections = impl_->max_connections;
  st.max_connections_per_ip = impl_->max_connections_per_ip;
  return st;
}

void kafka_listener::stop() {
  if (!impl_) return;
  std::lock_guard<std::mutex> guard(impl_->stop_mutex);
  if (impl_->stopped) return;
  impl_->stopped = true;
  if (impl_->stop_hook) impl_->services.remove_stop_hook(impl_->stop_hook);
  std::promise<void> done;
  auto fut = done.get_future();
  asio::post(impl_->core->io, [this, &done] { impl_->begin_stop(done); });
  fut.wait();
  if (impl_->io_thread.joinable()) impl_->io_thread.join();
  impl_->acceptor.reset();
  impl_->pause_timer.reset();  // Asio objects go before the io_context they belong to
  // Sinks and io actor replies still in flight hold weak references only: dropping the core here
  // destroys the io_context with its remaining handlers and sockets.
  impl_->core.reset();
  impl_->call.reset();  // the engine may close now
}

}  // namespace lkstream

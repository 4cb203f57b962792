#include "lkstream/kafka_listener.hpp"

#include <future>
#include <thread>

#include "engine_impl.hpp"
#include "lkstream/config/units.hpp"
#include "net/connection.hpp"
#include "net/listener_core.hpp"

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
  return o;
}

struct kafka_listener::impl {
  std::shared_ptr<net::listener_core> core;
  std::unique_ptr<asio::ip::tcp::acceptor> acceptor;
  std::unique_ptr<asio::executor_work_guard<asio::io_context::executor_type>> work;
  std::thread io_thread;
  asio::ip::tcp::endpoint bound;
  std::mutex stop_mutex;
  bool stopped = false;

  void accept_next() {
    acceptor->async_accept([this](const asio::error_code& ec, asio::ip::tcp::socket s) {
      if (ec == asio::error::operation_aborted || !acceptor->is_open()) return;
      if (!ec) {
        auto c = std::make_shared<net::connection>(*core, std::move(s),
                                                   core->next_connection_id());
        core->add(c);
        c->start();
      } else {
        core->log("kafka listener: accept failed: " + ec.message());
      }
      accept_next();
    });
  }

  // On the io thread: stop accepting, drain connections, then let io.run() return.
  void begin_stop(std::promise<void>& done) {
    asio::error_code ec;
    acceptor->close(ec);
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
  auto& ei = engine_access::of(eng);
  if (!ei.sys) return error{errc::closed, "kafka listener: the engine is closed"};
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

  auto im = std::make_unique<impl>();
  im->core = std::make_shared<net::listener_core>(ei, opts);
  auto& io = im->core->io;

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

  im->work = std::make_unique<asio::executor_work_guard<asio::io_context::executor_type>>(
      io.get_executor());
  im->accept_next();
  im->core->start_io_actor();  // after the last failure point: a spawned actor must be stopped
  im->io_thread = std::thread([core = im->core] { core->io.run(); });
  return std::unique_ptr<kafka_listener>(new kafka_listener(std::move(im)));
}

std::string kafka_listener::bound_address() const {
  return join_host_port(impl_->bound.address().to_string(), impl_->bound.port());
}

uint16_t kafka_listener::bound_port() const { return impl_->bound.port(); }

std::string kafka_listener::advertised_address() const {
  return join_host_port(impl_->core->advertised_host,
                        static_cast<uint16_t>(impl_->core->advertised_port));
}

void kafka_listener::stop() {
  if (!impl_) return;
  std::lock_guard<std::mutex> guard(impl_->stop_mutex);
  if (impl_->stopped) return;
  impl_->stopped = true;
  std::promise<void> done;
  auto fut = done.get_future();
  asio::post(impl_->core->io, [this, &done] { impl_->begin_stop(done); });
  fut.wait();
  if (impl_->io_thread.joinable()) impl_->io_thread.join();
  impl_->acceptor.reset();
  // Sinks and io actor replies still in flight hold weak references only: dropping the core here
  // destroys the io_context with its remaining handlers and sockets.
  impl_->core.reset();
}

}  // namespace lkstream

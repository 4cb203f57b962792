// http_server: cpp-httplib's Server with the routes of /metrics, /health, /api/v1 and the
// console; the contract is in lkstream/http_server.hpp.
#include "lkstream/http_server.hpp"

#include <httplib.h>
#include <sys/socket.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <thread>

#include "engine_services.hpp"
#include "http/api_v1.hpp"
#include "http/console_assets.hpp"
#include "http/http_state.hpp"
#include "lkstream/config/units.hpp"

#ifndef LKSTREAM_VERSION
#define LKSTREAM_VERSION "0.1.0"
#endif

namespace lkstream {

struct http_server::impl {
  explicit impl(engine& e, http_server_options o)
      : state{.eng = e, .listener = o.listener, .connectors = o.connectors, .opts = o} {}

  http::http_state state;
  httplib::Server server;
  std::thread thread;
  std::atomic<bool> listen_returned{false};
  std::string host;
  int port = 0;
  uint64_t close_hook = 0;
  std::mutex stop_mutex;
  bool stopped = false;

  void stop_serving() {
    std::lock_guard guard{stop_mutex};
    if (stopped) return;
    stopped = true;
    state.ready = false;
    server.stop();
    if (thread.joinable()) thread.join();
  }
};

namespace {

void send_text(httplib::Response& res, int status, std::string text) {
  res.status = status;
  res.set_content(std::move(text), "text/plain; charset=utf-8");
}

std::string reason_of(int status) {
  switch (status) {
    case 400: return "bad request";
    case 404: return "not found";
    case 405: return "method not allowed";
    case 413: return "payload too large";
    case 414: return "URI too long";
    case 415: return "unsupported media type";
    case 416: return "range not satisfiable";
    case 431: return "request header fields too large";
    case 500: return "internal server error";
    case 503: return "service unavailable";
    default: return "HTTP status " + std::to_string(status);
  }
}

void routes(httplib::Server& server, http::http_state& st) {
  server.Get("/metrics", [&st](const httplib::Request&, httplib::Response& res) {
    res.set_content(http::render_metrics(st), "text/plain; version=0.0.4; charset=utf-8");
  });
  server.Get("/health/live", [](const httplib::Request&, httplib::Response& res) {
    send_text(res, 200, "live\n");
  });
  server.Get("/health/ready", [&st](const httplib::Request&, httplib::Response& res) {
    if (st.ready) send_text(res, 200, "ready\n");
    else send_text(res, 503, "not ready: starting or stopping\n");
  });
  http::register_api_v1(server, st);
  // The console: exact paths only, from the table built into the binary (no file system, so
  // no path can reach outside it).
  server.Get(R"(/|/console/[A-Za-z0-9._-]+)", [](const httplib::Request& req,
                                                  httplib::Response& res) {
    const auto* asset = http::find_console_asset(req.path);
    if (!asset) return send_text(res, 404, "not found\n");
    res.set_header("Cache-Control", "no-cache");
    res.set_header("X-Content-Type-Options", "nosniff");
    res.set_content(asset->body.data(), asset->body.size(), std::string(asset->content_type).c_str());
  });

  server.set_error_handler([](const httplib::Request& req, httplib::Response& res) {
    if (!res.body.empty()) return;  // a handler's own error answer (JSON) stays
    const bool api = req.path.rfind("/api/", 0) == 0;
    const std::string what = reason_of(res.status);
    if (api) {
      res.set_content("{\"error\":\"" + what + "\",\"code\":\"http_" +
                          std::to_string(res.status) + "\"}",
                      "application/json");
    } else {
      res.set_content(what + "\n", "text/plain; charset=utf-8");
    }
  });
  server.set_exception_handler([](const httplib::Request&, httplib::Response& res,
                                  std::exception_ptr ep) {
    std::string what = "internal error";
    try {
      if (ep) std::rethrow_exception(ep);
    } catch (const std::exception& e) {
      what += std::string(": ") + e.what();
    } catch (...) {
    }
    res.status = 500;
    res.set_content(what + "\n", "text/plain; charset=utf-8");
  });
  server.set_post_routing_handler([&st](const httplib::Request&, httplib::Response& res) {
    const int cls = res.status / 100 - 1;
    if (cls >= 0 && cls < static_cast<int>(st.responses.size()))
      st.responses[static_cast<size_t>(cls)].fetch_add(1, std::memory_order_relaxed);
  });
}

}  // namespace

result<std::unique_ptr<http_server>> http_server::start(engine& eng, http_server_options opts) {
  engine_services services(eng);
  auto call = services.enter();
  if (!call) return error{errc::closed, "http listener: the engine is closed"};
  std::string checked = opts.listen;
  if (checked.ends_with(":0")) checked.back() = '1';  // port 0: any free port
  auto hp = config::parse_host_port(checked);
  if (!hp) return error{errc::invalid_argument, "http listener " + opts.listen + ": " + hp.err().message};
  if (opts.version.empty()) opts.version = LKSTREAM_VERSION;

  auto im = std::make_unique<impl>(eng, opts);
  auto& srv = im->server;
  const uint32_t workers = std::max<uint32_t>(1, opts.worker_threads);
  srv.new_task_queue = [workers] { return new httplib::ThreadPool(workers); };
  srv.set_payload_max_length(opts.max_body_bytes);
  const auto timeout = std::chrono::milliseconds(std::max<int64_t>(1, opts.read_timeout_ms));
  srv.set_read_timeout(std::chrono::duration_cast<std::chrono::seconds>(timeout).count(),
                       (timeout.count() % 1000) * 1000);
  srv.set_write_timeout(std::chrono::duration_cast<std::chrono::seconds>(timeout).count(),
                        (timeout.count() % 1000) * 1000);
  srv.set_keep_alive_timeout(2);  // an idle keep-alive connection holds a worker: not long
  // SO_REUSEADDR only. cpp-httplib's default adds SO_REUSEPORT, with which a second server on
  // the same address binds too and the kernel splits connections between them: a health
  // check would then probe either broker.
  srv.set_socket_options([](socket_t sock) {
    int yes = 1;
    ::setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
  });  // an idle keep-alive connection holds a worker: not long
  routes(srv, im->state);

  const std::string host = hp->host;
  const int port = checked == opts.listen ? hp->port : 0;
  const int bound = port == 0 ? srv.bind_to_any_port(host) : (srv.bind_to_port(host, port) ? port : -1);
  if (bound <= 0)
    return error{errc::io_error, "http listener: cannot bind " + opts.listen +
                                     " (address in use or not available)"};
  im->host = host;
  im->port = bound;
  im->state.bound_address =
      (host.find(':') != std::string::npos ? "[" + host + "]" : host) + ":" + std::to_string(bound);
  im->state.started_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                             std::chrono::system_clock::now().time_since_epoch())
                             .count();
  im->state.ready = opts.ready_at_start;
  im->thread = std::thread([raw = im.get()] {
    raw->server.listen_after_bind();
    raw->listen_returned = true;
  });
  // httplib's stop() does nothing until listen_after_bind() has marked the server running, so a
  // stop right after start (SIGTERM just after the ready line) would leave the thread in accept()
  // and the join in stop_serving() waiting forever: start returns once the server runs.
  while (!im->server.is_running() && !im->listen_returned)
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  services.log("http listener on " + im->state.bound_address +
               " (metrics, health, JSON API, console): no TLS and no authentication yet; "
               "anyone who can connect can read records and create or delete topics");

  std::unique_ptr<http_server> server(new http_server(std::move(im)));
  auto* raw = server->impl_.get();
  raw->close_hook = services.add_stop_hook([raw] { raw->stop_serving(); });
  if (raw->close_hook == 0) {  // the engine began closing meanwhile
    raw->stop_serving();
    return error{errc::closed, "http listener: the engine is closed"};
  }
  return server;
}

http_server::http_server(std::unique_ptr<impl> i) : impl_(std::move(i)) {}

http_server::~http_server() { stop(); }

std::string http_server::bound_address() const { return impl_->state.bound_address; }
uint16_t http_server::bound_port() const { return static_cast<uint16_t>(impl_->port); }

void http_server::set_ready(bool ready) { impl_->state.ready = ready; }

void http_server::stop() {
  if (!impl_) return;
  if (impl_->close_hook) {
    engine_services(impl_->state.eng).remove_stop_hook(impl_->close_hook);
    impl_->close_hook = 0;
  }
  impl_->stop_serving();
}

}  // namespace lkstream

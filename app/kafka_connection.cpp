#include "kafka_connection.hpp"

#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <iostream>

#include "lkstream/config/units.hpp"

namespace lkstream::app {

std::vector<flag_spec> connection_flags(std::vector<flag_spec> own) {
  own.insert(own.end(),
             {
                 {"bootstrap", "HOST:PORT", "server to talk to (default 127.0.0.1:9092)"},
                 {"timeout", "DURATION",
                  "bound for connecting and for each request, e.g. 500ms, 10s (default 10s)"},
             });
  return own;
}

result<connection_options> connection_options_from(const parsed_args& args) {
  connection_options opts;
  if (auto b = args.get("bootstrap")) {
    if (auto hp = config::parse_host_port(*b); !hp)
      return error{errc::invalid_argument, "invalid value for --bootstrap: " + hp.err().message};
    opts.bootstrap = *b;
  }
  if (auto t = args.get("timeout")) {
    auto ms = config::parse_duration_ms(*t);
    if (!ms || *ms <= 0 || *ms > 3600 * 1000)
      return error{errc::invalid_argument, "invalid value '" + *t +
                                               "' for --timeout: expected a duration from 1ms "
                                               "to 1h, e.g. 500ms or 10s"};
    opts.timeout = std::chrono::milliseconds(*ms);
  }
  return opts;
}

int timeout_ms(const connection_options& opts) {
  return static_cast<int>(opts.timeout.count());
}

namespace {

std::string unreachable(const connection_options& opts, const std::string& why) {
  return "cannot connect to " + opts.bootstrap + ": " + why +
         " (is `lkstream serve` running there? set the address with --bootstrap HOST:PORT)";
}

/// One non-blocking connect to `ai`, waiting until `deadline`. 0 or an errno value.
int try_connect(const addrinfo& ai, std::chrono::steady_clock::time_point deadline) {
  int fd = ::socket(ai.ai_family, ai.ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, ai.ai_protocol);
  if (fd < 0) return errno;
  int rc = ::connect(fd, ai.ai_addr, ai.ai_addrlen);
  int err = rc == 0 ? 0 : errno;
  if (err == EINPROGRESS) {
    pollfd p{fd, POLLOUT, 0};
    for (;;) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) {
        err = ETIMEDOUT;
        break;
      }
      int n = ::poll(&p, 1, static_cast<int>(left.count()));
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        err = n == 0 ? ETIMEDOUT : errno;
        break;
      }
      socklen_t len = sizeof err;
      if (::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0) err = errno;
      break;
    }
  }
  ::close(fd);
  return err;
}

void log_callback(const rd_kafka_t*, int level, const char* fac, const char* buf) {
  static const bool enabled = std::getenv("LKSTREAM_KAFKA_DEBUG") != nullptr;
  if (enabled) std::cerr << "librdkafka " << level << " " << fac << ": " << buf << std::endl;
}

}  // namespace

status probe(const connection_options& opts) {
  auto hp = config::parse_host_port(opts.bootstrap);
  if (!hp) return error{errc::invalid_argument, hp.err().message};
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  std::string port = std::to_string(hp->port);
  if (int rc = ::getaddrinfo(hp->host.c_str(), port.c_str(), &hints, &found); rc != 0)
    return error{errc::io_error,
                 unreachable(opts, std::string("cannot resolve host: ") + ::gai_strerror(rc))};
  auto deadline = std::chrono::steady_clock::now() + opts.timeout;
  int err = 0;
  for (addrinfo* ai = found; ai; ai = ai->ai_next) {
    err = try_connect(*ai, deadline);
    if (err == 0) break;
  }
  ::freeaddrinfo(found);
  if (err == ETIMEDOUT)
    return error{
        errc::timeout,
        unreachable(opts, "no answer within " + config::format_duration_ms(opts.timeout.count()))};
  if (err != 0) return error{errc::io_error, unreachable(opts, std::strerror(err))};
  return ok();
}

void rd_kafka_deleter::operator()(rd_kafka_t* rk) const noexcept {
  if (rk) rd_kafka_destroy(rk);
}

result<kafka_handle> make_handle(const connection_options& opts, const handle_options& how) {
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  char errstr[512];
  const std::string t = std::to_string(timeout_ms(opts));
  std::vector<std::pair<std::string, std::string>> props{
      {"bootstrap.servers", opts.bootstrap},     {"client.id", "lkstream-cli"},
      {"socket.connection.setup.timeout.ms", t}, {"socket.timeout.ms", t},
      {"api.version.request.timeout.ms", t},
  };
  props.insert(props.end(), how.properties.begin(), how.properties.end());
  // LKSTREAM_KAFKA_DEBUG=1 shows librdkafka's log; any other value also names its debug
  // contexts ("protocol,cgrp").
  if (const char* debug = std::getenv("LKSTREAM_KAFKA_DEBUG");
      debug && std::string_view(debug) != "1")
    props.emplace_back("debug", debug);
  for (auto& [key, value] : props) {
    if (rd_kafka_conf_set(conf, key.c_str(), value.c_str(), errstr, sizeof errstr) !=
        RD_KAFKA_CONF_OK) {
      rd_kafka_conf_destroy(conf);
      return error{errc::invalid_argument,
                   "librdkafka property " + key + "=" + value + ": " + errstr};
    }
  }
  rd_kafka_conf_set_log_cb(conf, log_callback);
  if (how.setup) how.setup(conf);
  rd_kafka_t* rk = rd_kafka_new(how.type, conf, errstr, sizeof errstr);
  if (!rk) {  // on failure conf is still ours
    rd_kafka_conf_destroy(conf);
    return error{errc::invalid_argument, std::string("cannot create a Kafka client: ") + errstr};
  }
  return kafka_handle{rk};
}

std::string kafka_error_text(rd_kafka_resp_err_t err) {
  return rd_kafka_err2str(err);
}

}  // namespace lkstream::app

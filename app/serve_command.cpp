#include "serve_command.hpp"

#include <pthread.h>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <mutex>
#include <string>

#include "lkstream/config/config.hpp"
#include "lkstream/config/units.hpp"
#include "lkstream/connector_host.hpp"
#include "lkstream/engine.hpp"
#include "lkstream/http_server.hpp"
#include "lkstream/kafka_listener.hpp"
#include "lkstream/process/open_files.hpp"

namespace lkstream::app {

namespace {

/// Where the HTTP listener (metrics, health, API, console) binds without --http-listen.
constexpr std::string_view default_http_listen = "127.0.0.1:9644";

void say(const std::string& line) {
  std::cout << "lkstream: " << line << std::endl;  // flushed: a parent may wait for the line
}

void fail(const std::string& line) {
  std::cerr << "lkstream: " << line << std::endl;
}

/// Engine log lines (recovery notes, warnings) arrive from engine threads: one write per line.
void engine_log(std::string_view line) {
  static std::mutex mutex;
  std::string text = "lkstream: " + std::string(line) + "\n";
  std::lock_guard guard{mutex};
  std::fwrite(text.data(), 1, text.size(), stderr);
}

std::string plural(size_t n, std::string_view word) {
  return std::to_string(n) + " " + std::string(word) + (n == 1 ? "" : "s");
}

/// Applies --listen / --advertised after checking HOST:PORT; usage error text otherwise.
/// --listen also accepts port 0 (the listener then picks a free port and prints it), which
/// tests and scripts use to run several instances side by side.
std::optional<std::string> apply_address(const parsed_args& args, std::string_view flag,
                                         std::string& target) {
  auto v = args.get(flag);
  if (!v) return std::nullopt;
  std::string checked = *v;
  if (flag == "listen" && checked.ends_with(":0")) checked.back() = '1';
  if (auto hp = config::parse_host_port(checked); !hp)
    return "invalid value for --" + std::string(flag) + ": " + hp.err().message;
  target = *v;
  return std::nullopt;
}

void report_topics(engine& eng) {
  auto names = eng.list_topics();
  for (auto& name : names) {
    auto info = eng.describe_topic(name);
    if (!info) {
      fail("topic " + name + ": " + info.err().to_string());
      continue;
    }
    say("topic " + name + ": " + plural(info->partitions.size(), "partition") + ", fsync " +
        std::string(storage::to_string(info->settings.log.fsync)) + ", " +
        std::to_string(info->size_bytes()) + " bytes");
    for (auto& p : info->partitions) {
      say("  " + name + "-" + std::to_string(p.partition) + ": offsets " +
          std::to_string(p.log_start) + ".." + std::to_string(p.end_offset) + ", " +
          std::to_string(p.size_bytes) + " bytes in " + plural(p.segments, "segment"));
      if (p.truncated_bytes_at_open > 0)
        say("  recovery: " + name + "-" + std::to_string(p.partition) + ": cut " +
            std::to_string(p.truncated_bytes_at_open) + " bytes of a torn or corrupt tail");
      for (auto& seg : p.corrupt_segments)
        say("  recovery: " + name + "-" + std::to_string(p.partition) + ": damaged older segment " +
            seg + " (served up to the damage)");
    }
  }
}

/// Raises the soft open-files limit to the hard one before the engine opens anything (segments
/// and connections need descriptors; the usual soft 1024 is low for a broker) and says both.
void report_open_files_limit() {
  auto r = process::raise_open_files_limit();
  if (!r) {
    fail("open files limit not raised: " + r.err().message);
    return;
  }
  say("open files limit " + process::format_limit(r->after.soft) + " (soft, was " +
      process::format_limit(r->before.soft) + "), hard " + process::format_limit(r->after.hard));
}

/// Connectors that failed to load or validate are reported here and the rest keep running
/// (a broken plugin never stops the service).
void report_connectors(const connector_host& host) {
  for (auto& c : host.status()) {
    std::string line = "connector " + c.name + " (" + c.plugin +
                       (c.kind.empty() ? "" : ", " + c.kind) +
                       "): " + std::string(to_string(c.state));
    if (!c.last_error.empty()) line += ": " + c.last_error;
    say(line);
  }
}

int run_serve(const parsed_args& args) {
  config::config cfg = config::defaults();
  if (auto path = args.get("config")) {
    auto loaded = config::load_file(*path);
    if (!loaded) {
      fail("cannot load configuration " + *path + ":");
      std::cerr << loaded.err().message << std::endl;
      return exit_failure;
    }
    cfg = std::move(*loaded);
  }
  if (auto dir = args.get("data-dir")) cfg.broker.data_dir = *dir;
  // The HTTP listener: the default address only warns when taken (a second server on the
  // machine keeps running without HTTP); an address given explicitly must be bound.
  std::string http_listen{default_http_listen};
  bool http_explicit = false;
  if (auto http = args.get("http-listen")) {
    if (!http->empty()) {
      std::string checked = *http;
      if (checked.ends_with(":0")) checked.back() = '1';
      if (auto hp = config::parse_host_port(checked); !hp) {
        fail("invalid value for --http-listen: " + hp.err().message);
        std::cerr << "Try 'lkstream serve --help'.\n";
        return exit_usage;
      }
    }
    http_listen = *http;
    http_explicit = true;
  }
  for (std::string_view flag : {"listen", "advertised"}) {
    auto& target = flag == "listen" ? cfg.broker.listen : cfg.broker.advertised;
    if (auto problem = apply_address(args, flag, target)) {
      fail(*problem);
      std::cerr << "Try 'lkstream serve --help'.\n";
      return exit_usage;
    }
  }

  // Block the stop signals before the engine starts its threads (they inherit the mask), so
  // that only sigwait() below receives them and no thread is interrupted half-way.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  say("config " + cfg.source);
  say("data dir " + cfg.broker.data_dir);
  report_open_files_limit();
  const std::string data_dir = cfg.broker.data_dir;
  engine_options opts;
  opts.config = std::move(cfg);
  opts.log = engine_log;
  auto opened = engine::open(std::move(opts));
  if (!opened) {
    fail("cannot open data dir " + data_dir + ": " + opened.err().to_string());
    return exit_failure;
  }
  auto& eng = **opened;
  report_topics(eng);
  const auto& broker = eng.configuration().broker;
  auto listener = kafka_listener::start(eng, listener_options::from_config(broker));
  if (!listener) {
    fail("cannot start the Kafka listener on " + broker.listen + ": " + listener.err().to_string());
    (void)eng.close();
    return exit_failure;
  }
  say("Kafka listener on " + (*listener)->bound_address() + ", advertised " +
      (*listener)->advertised_address());
  auto host = connector_host::start(eng, eng.configuration());
  if (!host) {
    fail("cannot start the connector host: " + host.err().to_string());
    (*listener)->stop();
    (void)eng.close();
    return exit_failure;
  }
  report_connectors(**host);
  std::unique_ptr<http_server> http;
  if (!http_listen.empty()) {
    auto started = http_server::start(eng, {.listen = http_listen,
                                            .listener = listener->get(),
                                            .connectors = host->get(),
                                            .ready_at_start = false,
                                            .version = LKSTREAM_VERSION});
    if (!started && !http_explicit) {
      fail("HTTP listener not started on the default " + http_listen + ": " +
           started.err().to_string() + " (choose another with --http-listen)");
    } else if (!started) {
      fail("cannot start the HTTP listener on " + http_listen + ": " + started.err().to_string());
      (void)(*host)->stop();
      host->reset();
      (*listener)->stop();
      (void)eng.close();
      return exit_failure;
    } else {
      http = std::move(*started);
    }
  }
  if (http) {
    say("HTTP listener on " + http->bound_address() + " (metrics, health, API, console)");
  }
  say("ready (data dir " + data_dir + ", " + plural(eng.list_topics().size(), "topic") + ", " +
      plural(eng.configuration().connectors.size(), "connector") + ", Kafka on " +
      (*listener)->bound_address() + "); stop with Ctrl-C or SIGTERM");
  if (http) http->set_ready(true);

  int sig = 0;
  while (sigwait(&stop_signals, &sig) != 0) {
  }
  say(std::string("received ") + (sig == SIGINT ? "SIGINT" : "SIGTERM") + ", shutting down");
  // Outside in: not ready and no HTTP (it reads the listener and the connector host), no new
  // Kafka requests, then no new connector records, then the logs.
  if (http) http->stop();
  http.reset();
  (*listener)->stop();
  listener->reset();
  bool clean = true;
  if (auto stopped = (*host)->stop(); !stopped) {
    fail("stopping the connectors failed: " + stopped.err().to_string());
    clean = false;
  }
  host->reset();  // the host must go before the engine closes
  if (auto closed = eng.close(); !closed) {
    fail("closing the engine failed: " + closed.err().to_string());
    return exit_failure;
  }
  if (!clean) return exit_failure;
  say("stopped: listener closed, logs synced and closed, data dir unlocked");
  return exit_ok;
}

}  // namespace

command_spec serve_command() {
  return command_spec{
      .name = "serve",
      .summary = "open the data directory and serve it until SIGINT/SIGTERM",
      .synopsis =
          "serve [--config FILE] [--data-dir DIR] [--listen HOST:PORT] "
          "[--advertised HOST:PORT] [--http-listen HOST:PORT]",
      .description =
          "Opens the engine on the data directory (locking it), creates the [[topic]] entries\n"
          "of the configuration that do not exist yet, reports topics and recovery, starts the\n"
          "Kafka listener and the [[connector]] entries, and runs until SIGINT or SIGTERM; then\n"
          "stops the listener and the connectors and syncs and closes every log. Flags override\n"
          "the file. Without --config, built-in defaults are used (data dir ./data, Kafka on\n"
          "127.0.0.1:9092, HTTP on 127.0.0.1:9644). --listen HOST:0 picks a free port.",
      .flags = {{"config", "FILE", "TOML configuration (see docs/configuration.md)"},
                {"data-dir", "DIR", "data directory, overrides broker.data_dir"},
                {"listen", "HOST:PORT",
                 "Kafka listener, overrides broker.listen (port 0: any free)"},
                {"advertised", "HOST:PORT",
                 "address given to clients, overrides broker.advertised"},
                {"http-listen", "HOST:PORT",
                 "metrics/health/API/console listener (default 127.0.0.1:9644; port 0: any "
                 "free; \"\": off)"}},
      .max_positional = 0,
      .run = run_serve,
  };
}

}  // namespace lkstream::app

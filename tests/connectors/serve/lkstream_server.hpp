#pragma once
// A real `lkstream serve --config FILE --listen 127.0.0.1:0` process for the connector tests:
// start() waits for the ready line and takes the Kafka address from it; kill() is SIGKILL
// (a crash), stop() SIGTERM and a clean exit. The destructor kills a running server.
//
// Threading: one test thread.

#include <chrono>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "child_process.hpp"

namespace lkstream::testing {

class lkstream_server {
 public:
  /// `launcher`, when given, runs serve: argv = launcher + {LKSTREAM_APP, "serve", ...}, e.g.
  /// {"/bin/sh", "-c", "ulimit -n 64 && exec \"$0\" \"$@\""} for a low descriptor limit
  /// (exec keeps the pid).
  explicit lkstream_server(std::string config_file, std::vector<std::string> launcher = {})
      : config_(std::move(config_file)), launcher_(std::move(launcher)) {}

  /// Starts serve and waits (generously) for "ready"; false with error() set otherwise.
  bool start();
  /// SIGKILL and reap.
  void kill();
  /// SIGTERM; true if it exited with status 0.
  bool stop();

  /// Reads what the server wrote so far, so its pipes never fill up: call it in wait loops.
  void drain();

  /// "127.0.0.1:PORT" of its Kafka listener.
  const std::string& bootstrap() const { return bootstrap_; }
  const std::string& error() const { return error_; }
  /// The server's process id while it runs (for /proc/<pid>/stat), else -1.
  pid_t pid() const { return proc_ ? proc_->pid() : -1; }
  /// stdout lines up to the ready line, and stderr so far (the connector log).
  std::string output() const;

 private:
  std::string config_;
  std::vector<std::string> launcher_;
  std::unique_ptr<child_process> proc_;
  std::vector<std::string> lines_;
  std::string bootstrap_;
  std::string error_;
};

struct app_result {
  int exit_code = -1;  // -1: did not exit normally
  std::string out;
  std::string err;
};

/// Runs `lkstream ARGS...` to completion (a CLI command).
app_result run_lkstream(std::vector<std::string> args);

/// The status of connector `name` as `lkstream connector status NAME --json` prints it, or
/// {"cli_error": ...}.
nlohmann::json cli_status(const std::string& bootstrap, const std::string& name);

/// Polls the CLI until `pred(status)` holds or `within` passed (draining the server's output
/// meanwhile); returns the last status.
nlohmann::json wait_cli_status(lkstream_server& server, const std::string& name,
                               const std::function<bool(const nlohmann::json&)>& pred,
                               std::chrono::seconds within = std::chrono::seconds(120));

}  // namespace lkstream::testing

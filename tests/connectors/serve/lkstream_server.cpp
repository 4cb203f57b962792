#include "lkstream_server.hpp"

#include <signal.h>
#include <sys/wait.h>

#include <chrono>
#include <thread>

namespace lkstream::testing {

using namespace std::chrono_literals;

bool lkstream_server::start() {
  lines_.clear();
  std::vector<std::string> argv = launcher_;
  for (const char* a : {LKSTREAM_APP, "serve", "--config"}) argv.emplace_back(a);
  argv.insert(argv.end(), {config_, "--listen", "127.0.0.1:0"});
  proc_ = std::make_unique<child_process>(argv);
  if (!proc_->started()) {
    error_ = proc_->error();
    return false;
  }
  auto ready = proc_->wait_for_line("lkstream: ready", after(120s), &lines_);
  if (!ready) {
    error_ = "serve did not get ready:\n" + output();
    kill();
    return false;
  }
  // "... Kafka on 127.0.0.1:PORT); stop with ..."
  const auto at = ready->find("Kafka on ");
  const auto end = ready->find(')', at);
  if (at == std::string::npos || end == std::string::npos) {
    error_ = "no address in the ready line: " + *ready;
    kill();
    return false;
  }
  bootstrap_ = ready->substr(at + 9, end - at - 9);
  return true;
}

void lkstream_server::kill() {
  if (!proc_) return;
  proc_->send_signal(SIGKILL);
  (void)proc_->wait(after(60s));
  proc_.reset();
}

bool lkstream_server::stop() {
  if (!proc_) return false;
  proc_->send_signal(SIGTERM);
  auto st = proc_->wait(after(120s));
  const bool clean = st && WIFEXITED(*st) && WEXITSTATUS(*st) == 0;
  if (!clean) error_ = "serve did not stop cleanly:\n" + output();
  proc_.reset();
  return clean;
}

void lkstream_server::drain() {
  if (!proc_) return;
  while (auto line = proc_->read_line(after(0ms))) lines_.push_back(*line);
}

std::string lkstream_server::output() const {
  std::string out;
  for (auto& l : lines_) out += l + "\n";
  if (proc_) out += proc_->stderr_text();
  return out;
}

app_result run_lkstream(std::vector<std::string> args) {
  args.insert(args.begin(), LKSTREAM_APP);
  child_process p(args);
  app_result r;
  if (!p.started()) {
    r.err = p.error();
    return r;
  }
  while (auto line = p.read_line(after(60s))) r.out += *line + "\n";
  auto st = p.wait(after(60s));
  if (st && WIFEXITED(*st)) r.exit_code = WEXITSTATUS(*st);
  r.err = p.stderr_text();
  return r;
}

nlohmann::json cli_status(const std::string& bootstrap, const std::string& name) {
  auto r = run_lkstream({"connector", "status", name, "--json", "--bootstrap", bootstrap});
  if (r.exit_code != 0) return nlohmann::json{{"cli_error", r.err}};
  auto j = nlohmann::json::parse(r.out, nullptr, false);
  if (j.is_discarded() || !j.is_array() || j.empty()) return nlohmann::json{{"cli_error", r.out}};
  return j[0];
}

nlohmann::json wait_cli_status(lkstream_server& server, const std::string& name,
                               const std::function<bool(const nlohmann::json&)>& pred,
                               std::chrono::seconds within) {
  const auto until = after(within);
  nlohmann::json st;
  do {
    server.drain();
    st = cli_status(server.bootstrap(), name);
    if (!st.contains("cli_error") && pred(st)) return st;
    std::this_thread::sleep_for(300ms);
  } while (std::chrono::steady_clock::now() < until);
  return st;
}

}  // namespace lkstream::testing

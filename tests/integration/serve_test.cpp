// The `lkstream` executable as a user runs it: serve with a configuration, the ready line,
// shutdown on SIGTERM/SIGINT with exit 0, configuration errors with file:line:col and exit 1,
// usage errors with exit 2.
#include <arpa/inet.h>
#include <doctest/doctest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <regex>
#include <set>

#include "child_process.hpp"
#include "lkstream/engine.hpp"
#include "lkstream/producer.hpp"

using lkstream::testing::after;
using lkstream::testing::child_process;
using lkstream::testing::temp_dir;
using lkstream::testing::write_file;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

namespace {

struct run_result {
  int exit_code = -1;  // -1 if it did not exit normally
  std::string out;
  std::string err;
};

/// Runs the app to completion (short commands that do not serve).
run_result run_app(std::vector<std::string> args) {
  args.insert(args.begin(), LKSTREAM_APP);
  child_process p(args);
  REQUIRE_MESSAGE(p.started(), p.error());
  run_result r;
  while (auto line = p.read_line(after(30s))) r.out += *line + "\n";
  auto st = p.wait(after(30s));
  REQUIRE(st);
  if (WIFEXITED(*st)) r.exit_code = WEXITSTATUS(*st);
  r.err = p.stderr_text();
  return r;
}

/// Starts serve (on a free port unless `args` choose one), waits for the ready line, stops it
/// with `sig`; returns every stdout line.
std::vector<std::string> serve_until_ready_then_stop(std::vector<std::string> args, int sig) {
  if (std::find(args.begin(), args.end(), "--listen") == args.end())
    args.insert(args.begin(), {"--listen", "127.0.0.1:0"});
  args.insert(args.begin(), {LKSTREAM_APP, "serve"});
  child_process p(args);
  REQUIRE_MESSAGE(p.started(), p.error());
  std::vector<std::string> lines;
  REQUIRE_MESSAGE(p.wait_for_line("lkstream: ready", after(30s), &lines), p.stderr_text());
  p.send_signal(sig);
  while (auto line = p.read_line(after(30s))) lines.push_back(*line);
  auto st = p.wait(after(30s));
  REQUIRE(st);
  REQUIRE_MESSAGE(WIFEXITED(*st), "serve did not exit normally; stderr: " << p.stderr_text());
  CHECK_MESSAGE(WEXITSTATUS(*st) == 0, "stderr: " << p.stderr_text());
  return lines;
}

bool any_line_contains(const std::vector<std::string>& lines, const std::string& needle) {
  for (auto& l : lines)
    if (l.find(needle) != std::string::npos) return true;
  return false;
}

}  // namespace

TEST_CASE("serve: creates the configured topic, reports it and exits 0 on SIGTERM") {
  temp_dir tmp("lkstream-serve");
  const std::string data = tmp / "data";
  const std::string cfg = tmp / "lkstream.toml";
  REQUIRE(write_file(cfg, "[broker]\ndata_dir = \"" + data +
                              "\"\n\n[[topic]]\nname = \"orders\"\n"
                              "partitions = 2\n"));
  auto lines = serve_until_ready_then_stop({"--config", cfg}, SIGTERM);
  CHECK(any_line_contains(lines, "topic orders: 2 partitions"));
  CHECK(any_line_contains(lines, "stopped"));
  // The soft open-files limit was raised to the hard one and both are reported.
  CHECK(any_line_contains(lines, "lkstream: open files limit "));
  CHECK(fs::is_directory(data + "/orders-0"));
  CHECK(fs::is_directory(data + "/orders-1"));
  CHECK_FALSE(fs::exists(data + "/orders-2"));
}

TEST_CASE("serve: flags override the file and SIGINT also stops it cleanly") {
  temp_dir tmp("lkstream-serve");
  const std::string from_file = tmp / "from-file";
  const std::string from_flag = tmp / "from-flag";
  const std::string cfg = tmp / "lkstream.toml";
  REQUIRE(
      write_file(cfg, "[broker]\ndata_dir = \"" + from_file + "\"\n\n[[topic]]\nname = \"t\"\n"));
  auto lines = serve_until_ready_then_stop(
      {"--config", cfg, "--data-dir", from_flag, "--advertised", "broker.example:39092"}, SIGINT);
  CHECK(any_line_contains(lines, "advertised broker.example:39092"));
  CHECK(fs::is_directory(from_flag + "/t-0"));
  CHECK_FALSE(fs::exists(from_file));
}

TEST_CASE("serve: reports the end offsets of records written before it started") {
  temp_dir tmp("lkstream-serve");
  const std::string data = tmp / "data";
  {
    lkstream::engine_options opts;
    opts.data_dir = data;
    auto eng = lkstream::engine::open(std::move(opts));
    REQUIRE_MESSAGE(eng, (eng ? "" : eng.err().to_string()));
    REQUIRE((*eng)->create_topic("events", 1));
    auto prod = (*eng)->make_producer();
    for (int i = 0; i < 10; ++i)
      REQUIRE(prod->send(
          {.topic = "events", .key = std::nullopt, .value = lkstream::as_bytes("payload")}));
    REQUIRE(prod->flush(10s));
    prod.reset();
    REQUIRE((*eng)->close());
  }
  auto lines = serve_until_ready_then_stop({"--data-dir", data}, SIGTERM);
  CHECK(any_line_contains(lines, "events-0: offsets 0..10"));
  CHECK(any_line_contains(
      lines, "ready (data dir " + data + ", 1 topic, 0 connectors, Kafka on 127.0.0.1:"));
}

TEST_CASE("serve: a connector whose plugin is missing is reported and serve still runs") {
  temp_dir tmp("lkstream-serve");
  const std::string cfg = tmp / "lkstream.toml";
  REQUIRE(
      write_file(cfg, "[broker]\ndata_dir = \"" + tmp / "data" +
                          "\"\n\n[[topic]]\nname = \"in\"\n\n[[connector]]\n"
                          "name = \"ghost\"\nplugin = \"no_such_plugin\"\ntopics = [\"in\"]\n"));
  auto lines = serve_until_ready_then_stop({"--config", cfg}, SIGTERM);
  std::string report;
  for (auto& l : lines)
    if (l.find("connector ghost (no_such_plugin") != std::string::npos) report = l;
  CHECK_MESSAGE(report.find("failed") != std::string::npos, "line: " << report);
  // The error names where the connector is declared: the [[connector]] table on line 7.
  CHECK_MESSAGE(std::regex_search(report, std::regex("lkstream\\.toml:7:[0-9]+")),
                "line: " << report);
  CHECK(any_line_contains(lines, "1 topic, 1 connector, Kafka on"));
}

TEST_CASE("serve: its Kafka listener answers ApiVersions on the port it reports") {
  temp_dir tmp("lkstream-serve");
  child_process p({LKSTREAM_APP, "serve", "--listen", "127.0.0.1:0", "--data-dir", tmp / "data"});
  REQUIRE_MESSAGE(p.started(), p.error());
  auto ready = p.wait_for_line("lkstream: ready", after(30s));
  REQUIRE_MESSAGE(ready, p.stderr_text());
  std::smatch m;
  REQUIRE_MESSAGE(std::regex_search(*ready, m, std::regex("Kafka on 127\\.0\\.0\\.1:([0-9]+)")),
                  *ready);
  const int port = std::stoi(m[1]);
  CHECK(port > 0);

  // ApiVersions v0 (kafka-protocol-notes.md): size | api_key 18 | version 0 | correlation id |
  // client id (int16 length + bytes). The response: size | correlation id | error_code |
  // [api_key, min_version, max_version].
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  REQUIRE(fd >= 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
  const std::string client = "serve-test";
  std::string req;
  auto put16 = [&](uint16_t v) { req += char(v >> 8), req += char(v & 0xff); };
  auto put32 = [&](uint32_t v) { put16(uint16_t(v >> 16)), put16(uint16_t(v & 0xffff)); };
  put16(18);  // ApiVersions
  put16(0);
  put32(4242);
  put16(static_cast<uint16_t>(client.size()));
  req += client;
  std::string frame;
  uint32_t n = htonl(static_cast<uint32_t>(req.size()));
  frame.append(reinterpret_cast<const char*>(&n), 4);
  frame += req;
  REQUIRE(write(fd, frame.data(), frame.size()) == static_cast<ssize_t>(frame.size()));
  timeval tv{10, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  auto read_exact = [&](size_t len) {
    std::string out(len, '\0');
    for (size_t got = 0; got < len;) {
      ssize_t r = read(fd, out.data() + got, len - got);
      if (r <= 0) return std::string{};
      got += static_cast<size_t>(r);
    }
    return out;
  };
  auto be = [](const std::string& b, size_t at, int bytes) {
    uint32_t v = 0;
    for (int i = 0; i < bytes; ++i) v = (v << 8) | static_cast<unsigned char>(b[at + i]);
    return v;
  };
  std::string size = read_exact(4);
  REQUIRE(size.size() == 4);
  std::string body = read_exact(be(size, 0, 4));
  close(fd);
  REQUIRE(body.size() >= 10);
  CHECK(be(body, 0, 4) == 4242);  // correlation id
  CHECK(be(body, 4, 2) == 0);     // error_code NONE
  std::set<uint32_t> keys;
  const uint32_t count = be(body, 6, 4);
  REQUIRE(body.size() >= 10 + count * 6);
  for (uint32_t i = 0; i < count; ++i) keys.insert(be(body, 10 + i * 6, 2));
  CHECK(keys.count(0));   // Produce
  CHECK(keys.count(1));   // Fetch
  CHECK(keys.count(18));  // ApiVersions

  p.send_signal(SIGTERM);
  auto st = p.wait(after(30s));
  REQUIRE(st);
  CHECK(WIFEXITED(*st));
  CHECK(WEXITSTATUS(*st) == 0);
}

TEST_CASE("serve: a listen address already in use exits 1 naming it") {
  temp_dir tmp("lkstream-serve");
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  REQUIRE(fd >= 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
  REQUIRE(listen(fd, 1) == 0);
  socklen_t len = sizeof addr;
  REQUIRE(getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0);
  const std::string taken = "127.0.0.1:" + std::to_string(ntohs(addr.sin_port));
  auto r = run_app({"serve", "--listen", taken, "--data-dir", tmp / "data"});
  close(fd);
  CHECK(r.exit_code == 1);
  CHECK_MESSAGE(r.err.find(taken) != std::string::npos, "stderr: " << r.err);
}

TEST_CASE("serve: a bad configuration value exits 1 naming file:line:col and the key") {
  temp_dir tmp("lkstream-serve");
  const std::string cfg = tmp / "bad.toml";
  REQUIRE(write_file(cfg,
                     "# a typo in the durability tier\n[topic_defaults]\nfsync = \"sometimes\"\n"));
  auto r = run_app({"serve", "--config", cfg, "--data-dir", tmp / "data"});
  CHECK(r.exit_code == 1);
  CHECK_MESSAGE(std::regex_search(r.err, std::regex("bad\\.toml:3:[0-9]+:")), "stderr: " << r.err);
  CHECK_MESSAGE(r.err.find("fsync") != std::string::npos, "stderr: " << r.err);
  CHECK_FALSE(fs::exists(tmp / "data"));  // nothing is opened with a broken configuration
}

TEST_CASE("serve: a missing configuration file exits 1 naming the path") {
  temp_dir tmp("lkstream-serve");
  auto r = run_app({"serve", "--config", tmp / "absent.toml"});
  CHECK(r.exit_code == 1);
  CHECK_MESSAGE(r.err.find(tmp / "absent.toml") != std::string::npos, "stderr: " << r.err);
}

TEST_CASE("cli: unknown commands, unknown flags and missing values exit 2 with a hint") {
  auto cmd = run_app({"frobnicate"});
  CHECK(cmd.exit_code == 2);
  CHECK(cmd.err.find("unknown command 'frobnicate'") != std::string::npos);
  CHECK(cmd.err.find("--help") != std::string::npos);

  auto flag = run_app({"serve", "--bogus"});
  CHECK(flag.exit_code == 2);
  CHECK(flag.err.find("unknown flag '--bogus'") != std::string::npos);
  CHECK(flag.err.find("lkstream serve --help") != std::string::npos);

  auto missing = run_app({"serve", "--config"});
  CHECK(missing.exit_code == 2);
  CHECK(missing.err.find("'--config' needs a value") != std::string::npos);

  auto bad_addr = run_app({"serve", "--listen", "no-port-here"});
  CHECK(bad_addr.exit_code == 2);
  CHECK(bad_addr.err.find("--listen") != std::string::npos);

  auto none = run_app({});
  CHECK(none.exit_code == 2);
  CHECK(none.err.find("usage: lkstream") != std::string::npos);
}

TEST_CASE("cli: help and version exit 0 on stdout") {
  auto help = run_app({"--help"});
  CHECK(help.exit_code == 0);
  CHECK(help.out.find("serve") != std::string::npos);
  CHECK(help.out.find("version") != std::string::npos);

  auto serve_help = run_app({"serve", "--help"});
  CHECK(serve_help.exit_code == 0);
  CHECK(serve_help.out.find("--data-dir DIR") != std::string::npos);
  CHECK(serve_help.out.find("--advertised HOST:PORT") != std::string::npos);

  auto version = run_app({"version"});
  CHECK(version.exit_code == 0);
  CHECK(version.out.rfind("lkstream ", 0) == 0);
}

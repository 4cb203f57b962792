// The admin CLI as a user runs it: `lkstream topic|produce|consume|group` as child processes
// against a real `lkstream serve` (started here on a free port with a fresh data directory),
// checked on stdout, stderr and exit codes.
#include <arpa/inet.h>
#include <doctest/doctest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <chrono>
#include <map>
#include <regex>
#include <set>
#include <sstream>

#include "child_process.hpp"

using lkstream::testing::after;
using lkstream::testing::child_process;
using lkstream::testing::temp_dir;
using lkstream::testing::write_file;
using namespace std::chrono_literals;

namespace {

struct run_result {
  int exit_code = -1;  // -1 if it did not exit normally
  std::string out;     // stdout, every line with its '\n'
  std::string err;
  std::chrono::milliseconds elapsed{0};
};

/// Runs `lkstream ARGS...` to completion; stdin is `stdin_file` (or /dev/null).
run_result run_cli(std::vector<std::string> args, const std::string& stdin_file = "") {
  std::vector<std::string> argv;
  if (stdin_file.empty()) {
    argv.push_back(LKSTREAM_APP);
  } else {  // sh -c 'exec "$@" < "$0"' FILE APP ARGS...
    argv = {"/bin/sh", "-c", "exec \"$@\" < \"$0\"", stdin_file, LKSTREAM_APP};
  }
  argv.insert(argv.end(), args.begin(), args.end());
  auto start = std::chrono::steady_clock::now();
  child_process p(argv);
  REQUIRE_MESSAGE(p.started(), p.error());
  run_result r;
  while (auto line = p.read_line(after(90s))) r.out += *line + "\n";
  auto st = p.wait(after(90s));
  REQUIRE_MESSAGE(st, "lkstream did not exit: " << args[0]);
  r.elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now() - start);
  if (WIFEXITED(*st)) r.exit_code = WEXITSTATUS(*st);
  r.err = p.stderr_text();
  return r;
}

/// A port nothing listens on: bound once by the kernel's choice, then released.
int free_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  REQUIRE(fd >= 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
  socklen_t len = sizeof a;
  REQUIRE(::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) == 0);
  ::close(fd);
  return ntohs(a.sin_port);
}

/// `lkstream serve` on a free port and a fresh data directory, stopped with SIGTERM (and
/// checked to exit 0) at the end of the test.
class server {
 public:
  server()
      : dir_("lkstream-cli"),
        proc_({LKSTREAM_APP, "serve", "--listen", "127.0.0.1:0", "--data-dir", dir_ / "data"}) {
    REQUIRE_MESSAGE(proc_.started(), proc_.error());
    auto ready = proc_.wait_for_line("lkstream: ready", after(60s));
    REQUIRE_MESSAGE(ready, "serve did not get ready; stderr: " << proc_.stderr_text());
    std::smatch m;
    REQUIRE(std::regex_search(*ready, m, std::regex("Kafka on (127\\.0\\.0\\.1:[0-9]+)")));
    bootstrap_ = m[1];
  }
  ~server() { stop(); }

  /// SIGTERM, then checks that serve exits 0. Idempotent.
  void stop() {
    if (stopped_) return;
    stopped_ = true;
    proc_.send_signal(SIGTERM);
    while (proc_.read_line(after(30s))) {
    }
    auto st = proc_.wait(after(30s));
    CHECK_MESSAGE((st && WIFEXITED(*st) && WEXITSTATUS(*st) == 0),
                  "serve did not exit 0; stderr: " << proc_.stderr_text());
  }

  /// Runs `lkstream ARGS... --bootstrap <this server>`.
  run_result cli(std::vector<std::string> args, const std::string& stdin_file = "") {
    args.insert(args.end(), {"--bootstrap", bootstrap_});
    return run_cli(std::move(args), stdin_file);
  }

  /// A file in the test's directory holding `text`, for a command's stdin.
  std::string input_file(const std::string& name, const std::string& text) {
    std::string path = dir_ / name;
    REQUIRE(write_file(path, text));
    return path;
  }

  const std::string& bootstrap() const { return bootstrap_; }

 private:
  temp_dir dir_;
  child_process proc_;
  std::string bootstrap_;
  bool stopped_ = false;
};

/// CHECKs exit 0 and returns stdout.
std::string ok(const run_result& r);

/// Topic "events" with one partition holding the values m0..m9 at offsets 0..9.
void create_events_m0_to_m9(server& srv) {
  ok(srv.cli({"topic", "create", "events", "--partitions", "1"}));
  std::string input;
  for (int i = 0; i < 10; ++i) input += "m" + std::to_string(i) + "\n";
  CHECK(ok(srv.cli({"produce", "events"}, srv.input_file("events.txt", input))) ==
        "produced 10 records to events\n");
}

std::string ok(const run_result& r) {
  CHECK_MESSAGE(r.exit_code == 0, "stderr: " << r.err << "\nstdout: " << r.out);
  return r.out;
}

bool contains(const std::string& text, const std::string& needle) {
  return text.find(needle) != std::string::npos;
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string l; std::getline(in, l);) out.push_back(l);
  return out;
}

/// The cells of the first table row whose first cells equal `prefix`, split at runs of blanks.
std::vector<std::string> row(const std::string& text, const std::vector<std::string>& prefix) {
  for (auto& l : lines_of(text)) {
    std::istringstream in(l);
    std::vector<std::string> cells;
    for (std::string c; in >> c;) cells.push_back(c);
    if (cells.size() >= prefix.size() && std::equal(prefix.begin(), prefix.end(), cells.begin()))
      return cells;
  }
  return {};
}

}  // namespace

TEST_CASE("cli: topic create, list, describe and delete against a running server") {
  server srv;
  CHECK(ok(srv.cli({"topic", "create", "orders", "--partitions", "3", "--config",
                    "retention.ms=3600000"})) == "created topic orders with 3 partitions\n");
  CHECK(ok(srv.cli({"topic", "create", "audit"})) == "created topic audit with 1 partition\n");

  auto again = srv.cli({"topic", "create", "orders"});
  CHECK(again.exit_code == 1);
  CHECK_MESSAGE(contains(again.err, "topic 'orders' already exists"), again.err);

  // As Kafka's kafka-topics.sh: the internal offsets topic is listed unless excluded.
  auto list = ok(srv.cli({"topic", "list"}));
  CHECK(row(list, {"__consumer_offsets"}) == std::vector<std::string>{"__consumer_offsets", "50"});
  CHECK(row(list, {"audit"}) == std::vector<std::string>{"audit", "1"});
  CHECK(row(list, {"orders"}) == std::vector<std::string>{"orders", "3"});
  auto user_topics = ok(srv.cli({"topic", "list", "--exclude-internal"}));
  CHECK(lines_of(user_topics).at(0) == "NAME    PARTITIONS");
  CHECK(lines_of(user_topics).size() == 3);
  CHECK(ok(srv.cli({"topic", "list", "--json", "--exclude-internal"})) ==
        "[{\"name\":\"audit\",\"partitions\":1},{\"name\":\"orders\",\"partitions\":3}]\n");

  auto input = srv.input_file("orders.txt", "a\nb\nc\nd\n");
  CHECK(ok(srv.cli({"produce", "orders", "--partition", "1"}, input)) ==
        "produced 4 records to orders\n");
  auto describe = ok(srv.cli({"topic", "describe", "orders"}));
  CHECK(contains(describe, "PARTITIONS  3\n"));
  CHECK(row(describe, {"0"}) == std::vector<std::string>{"0", "0", "0", "0"});
  CHECK(row(describe, {"1"}) == std::vector<std::string>{"1", "0", "4", "4"});
  CHECK(row(describe, {"2"}) == std::vector<std::string>{"2", "0", "0", "0"});
  CHECK(row(describe, {"retention.ms"}) ==
        std::vector<std::string>{"retention.ms", "3600000", "topic"});
  auto json = ok(srv.cli({"topic", "describe", "orders", "--json"}));
  CHECK(contains(json, "{\"end\":4,\"partition\":1,\"start\":0}"));
  CHECK(contains(json, "\"retention.ms\":\"3600000\""));

  CHECK(ok(srv.cli({"topic", "delete", "orders"})) == "deleted topic orders\n");
  CHECK(row(ok(srv.cli({"topic", "list"})), {"orders"}).empty());
  for (auto& args : std::vector<std::vector<std::string>>{{"topic", "describe", "orders"},
                                                          {"topic", "delete", "orders"},
                                                          {"consume", "orders", "--count", "1"}}) {
    auto r = srv.cli(args);
    CHECK(r.exit_code == 1);
    CHECK_MESSAGE(contains(r.err, "topic 'orders' does not exist"), args[0] << ": " << r.err);
  }
  auto produce = srv.cli({"produce", "orders"}, input);
  CHECK(produce.exit_code == 1);
  CHECK_MESSAGE(contains(produce.err, "topic 'orders' does not exist"), produce.err);
}

TEST_CASE(
    "cli: produce lines with and without keys, consume --from-beginning gives them back "
    "byte-exact") {
  server srv;
  ok(srv.cli({"topic", "create", "lines", "--partitions", "1"}));
  // Keyed, unkeyed, a value with TABs (split at the first), an empty line, UTF-8, and a last
  // line without its '\n'.
  const std::string input = "plain\nk1\tv1\nk2\tv\twith\ttabs\n\nh\xc3\xa9llo \xe2\x82\xac\nlast";
  auto file = srv.input_file("lines.txt", input);
  CHECK(ok(srv.cli({"produce", "lines"}, file)) == "produced 6 records to lines\n");
  CHECK(ok(srv.cli({"consume", "lines", "--from-beginning", "--count", "6"})) == input + "\n");
  CHECK(ok(srv.cli({"consume", "lines", "--from-beginning", "--count", "3", "--value-only"})) ==
        "plain\nv1\nv\twith\ttabs\n");
  auto json = ok(srv.cli({"consume", "lines", "--from-beginning", "--count", "2", "--json"}));
  CHECK(contains(json, "\"key\":null,\"offset\":0,\"partition\":0"));
  CHECK(contains(json, "\"key\":\"k1\",\"offset\":1,\"partition\":0"));
  CHECK(contains(json, "\"value\":\"v1\""));
  // Bounded input: a line over 1 MiB is refused, with what was produced before it.
  auto huge = srv.input_file("huge.txt", "small\n" + std::string(2 << 20, 'x') + "\n");
  auto too_long = srv.cli({"produce", "lines"}, huge);
  CHECK(too_long.exit_code == 1);
  CHECK_MESSAGE(
      contains(too_long.err, "line 2 is longer than 1048576 bytes; records produced before it: 1"),
      too_long.err);
  auto bad_partition = srv.cli({"produce", "lines", "--partition", "1"}, file);
  CHECK(bad_partition.exit_code == 1);
  CHECK_MESSAGE(contains(bad_partition.err, "--partition 1 is out of range"), bad_partition.err);
  // --no-keys keeps the TAB in the value.
  auto tabbed = srv.input_file("tabbed.txt", "x\ty\n");
  ok(srv.cli({"produce", "lines", "--no-keys"}, tabbed));
  auto last =
      lines_of(ok(srv.cli({"consume", "lines", "--from-beginning", "--count", "8", "--json"})));
  REQUIRE(last.size() == 8);
  CHECK(contains(last[6], "\"value\":\"small\""));
  CHECK(contains(last.back(), "\"key\":null,\"offset\":7"));
  CHECK(contains(last.back(), "\"value\":\"x\\ty\""));
}

TEST_CASE("cli: keyed records keep their order per key across partitions") {
  server srv;
  ok(srv.cli({"topic", "create", "keyed", "--partitions", "3"}));
  std::string input;
  for (int i = 0; i < 30; ++i)
    input += "key" + std::to_string(i % 5) + "\t" + std::to_string(i) + "\n";
  CHECK(ok(srv.cli({"produce", "keyed"}, srv.input_file("keyed.txt", input))) ==
        "produced 30 records to keyed\n");
  auto out = ok(srv.cli({"consume", "keyed", "--from-beginning", "--count", "30", "--json"}));
  std::map<std::string, std::set<int>> partitions_of_key;
  std::map<std::string, std::vector<int>> values_of_key;
  std::regex record("\"key\":\"(key[0-9])\".*\"partition\":([0-9]+).*\"value\":\"([0-9]+)\"");
  for (auto& l : lines_of(out)) {
    std::smatch m;
    REQUIRE_MESSAGE(std::regex_search(l, m, record), l);
    partitions_of_key[m[1]].insert(std::stoi(m[2]));
    values_of_key[m[1]].push_back(std::stoi(m[3]));
  }
  REQUIRE(values_of_key.size() == 5);
  for (auto& [key, values] : values_of_key) {
    CHECK_MESSAGE(partitions_of_key[key].size() == 1, key << " went to several partitions");
    CHECK(values.size() == 6);
    CHECK(std::is_sorted(values.begin(), values.end()));
  }
}

TEST_CASE(
    "cli: consume with --group commits what it printed, so the next run continues, and "
    "group list/describe show the lag") {
  server srv;
  create_events_m0_to_m9(srv);

  CHECK(ok(srv.cli({"consume", "events", "--group", "g", "--from-beginning", "--count", "4"})) ==
        "m0\nm1\nm2\nm3\n");
  CHECK(ok(srv.cli({"consume", "events", "--group", "g", "--from-beginning", "--count", "3"})) ==
        "m4\nm5\nm6\n");

  auto list = ok(srv.cli({"group", "list"}));
  CHECK(row(list, {"g"}) == std::vector<std::string>{"g", "Empty", "0"});
  auto describe = ok(srv.cli({"group", "describe", "g"}));
  CHECK(contains(describe, "STATE     Empty\n"));
  CHECK(contains(describe, "TOTAL-LAG 3\n"));
  CHECK(row(describe, {"events", "0"}) ==
        std::vector<std::string>{"events", "0", "7", "10", "3", "-"});
  auto json = ok(srv.cli({"group", "describe", "g", "--json"}));
  CHECK(contains(json,
                 "{\"committed\":7,\"end\":10,\"lag\":3,\"member\":\"\",\"partition\":0,"
                 "\"topic\":\"events\"}"));

  auto unknown = srv.cli({"group", "describe", "nobody"});
  CHECK(unknown.exit_code == 1);
  CHECK_MESSAGE(contains(unknown.err, "group 'nobody' does not exist"), unknown.err);
}

TEST_CASE(
    "cli: group reset to an offset, to the latest and to the earliest, then consume from "
    "there") {
  server srv;
  create_events_m0_to_m9(srv);
  ok(srv.cli({"consume", "events", "--group", "g", "--from-beginning", "--count", "5"}));

  auto to_offset = ok(srv.cli({"group", "reset", "g", "--to-offset", "2"}));
  CHECK(row(to_offset, {"events", "0"}) == std::vector<std::string>{"events", "0", "5", "2"});
  CHECK(ok(srv.cli({"consume", "events", "--group", "g", "--count", "2"})) == "m2\nm3\n");

  auto dry = ok(srv.cli({"group", "reset", "g", "--to-earliest", "--dry-run"}));
  CHECK(contains(dry, "dry run: nothing committed"));
  CHECK(row(ok(srv.cli({"group", "describe", "g"})), {"events", "0"}).at(2) == "4");

  ok(srv.cli({"group", "reset", "g", "--to-latest"}));
  CHECK(row(ok(srv.cli({"group", "describe", "g"})), {"events", "0"}) ==
        std::vector<std::string>{"events", "0", "10", "10", "0", "-"});

  ok(srv.cli({"group", "reset", "g", "--to-earliest"}));
  CHECK(ok(srv.cli({"consume", "events", "--group", "g", "--count", "1"})) == "m0\n");

  auto clamped = ok(srv.cli({"group", "reset", "g", "--to-offset", "99"}));
  CHECK(row(clamped, {"events", "0"}) ==
        std::vector<std::string>{"events", "0", "1", "10", "clamped", "to", "[0,", "10]"});

  // A group without commits needs the topic named; then it gets offsets for every partition.
  auto no_commits = srv.cli({"group", "reset", "fresh", "--to-offset", "3"});
  CHECK(no_commits.exit_code == 1);
  CHECK_MESSAGE(contains(no_commits.err, "--topic"), no_commits.err);
  ok(srv.cli({"group", "reset", "fresh", "--to-offset", "3", "--topic", "events"}));
  CHECK(ok(srv.cli({"consume", "events", "--group", "fresh", "--count", "1"})) == "m3\n");
}

TEST_CASE("cli: group reset refuses a group with active members") {
  server srv;
  ok(srv.cli({"topic", "create", "events", "--partitions", "2"}));
  child_process consumer({LKSTREAM_APP, "consume", "events", "--group", "live", "--from-beginning",
                          "--bootstrap", srv.bootstrap()});
  REQUIRE_MESSAGE(consumer.started(), consumer.error());
  // Wait (bounded) until the consumer has joined and holds both partitions.
  auto deadline = after(60s);
  std::string describe;
  while (std::chrono::steady_clock::now() < deadline) {
    describe = srv.cli({"group", "describe", "live"}).out;  // exit 1 until the group exists
    if (contains(describe, "STATE     Stable") && contains(describe, "events-0,events-1")) break;
    usleep(200 * 1000);
  }
  REQUIRE_MESSAGE(contains(describe, "events-0,events-1"), describe);
  CHECK(row(ok(srv.cli({"group", "list"})), {"live"}) ==
        std::vector<std::string>{"live", "Stable", "1"});

  auto refused = srv.cli({"group", "reset", "live", "--to-earliest", "--topic", "events"});
  CHECK(refused.exit_code == 1);
  CHECK_MESSAGE(contains(refused.err, "group 'live' is active (state Stable, 1 member"),
                refused.err);

  // A record produced now reaches the running member (--from-beginning: whenever it was produced
  // relative to the member's first fetch).
  ok(srv.cli({"produce", "events", "--partition", "1"}, srv.input_file("one.txt", "hello\n")));
  CHECK(consumer.read_line(after(60s)) == std::optional<std::string>("hello"));
  consumer.send_signal(SIGTERM);
  auto st = consumer.wait(after(60s));
  REQUIRE(st);
  CHECK_MESSAGE((WIFEXITED(*st) && WEXITSTATUS(*st) == 0), consumer.stderr_text());

  // Once it left, the reset goes through.
  auto reset = srv.cli({"group", "reset", "live", "--to-earliest", "--topic", "events"});
  CHECK_MESSAGE(reset.exit_code == 0, reset.err);
}

TEST_CASE("cli: consume exits 1 with a clear message soon after the server goes away") {
  server srv;
  ok(srv.cli({"topic", "create", "events", "--partitions", "1"}));
  // One plain consumer and one group member, both waiting for records when the server stops.
  child_process plain(
      {LKSTREAM_APP, "consume", "events", "--from-beginning", "--bootstrap", srv.bootstrap()});
  child_process member({LKSTREAM_APP, "consume", "events", "--group", "g", "--from-beginning",
                        "--bootstrap", srv.bootstrap()});
  REQUIRE(plain.started());
  REQUIRE(member.started());
  ok(srv.cli({"produce", "events"}, srv.input_file("one.txt", "first\n")));
  // Both are connected and consuming once they printed the record.
  CHECK(plain.read_line(after(60s)) == std::optional<std::string>("first"));
  CHECK(member.read_line(after(60s)) == std::optional<std::string>("first"));
  srv.stop();
  for (auto* p : {&plain, &member}) {
    auto st = p->wait(after(30s));
    REQUIRE_MESSAGE(st, "consume still running after the server stopped");
    CHECK((WIFEXITED(*st) && WEXITSTATUS(*st) == 1));
    CHECK_MESSAGE(contains(p->stderr_text(), "lost the connection to " + srv.bootstrap()),
                  p->stderr_text());
  }
}

TEST_CASE("cli: with nothing listening every client command fails fast with a clear message") {
  temp_dir tmp("lkstream-cli-down");
  auto input = tmp / "in.txt";
  REQUIRE(write_file(input, "a\n"));
  const std::string address = "127.0.0.1:" + std::to_string(free_port());
  for (auto args : std::vector<std::vector<std::string>>{{"topic", "list"},
                                                         {"topic", "create", "t"},
                                                         {"topic", "describe", "t"},
                                                         {"produce", "t"},
                                                         {"consume", "t"},
                                                         {"group", "list"},
                                                         {"group", "describe", "g"},
                                                         {"group", "reset", "g", "--to-latest"}}) {
    args.insert(args.end(), {"--bootstrap", address});
    auto r = run_cli(args, args[0] == "produce" ? input : "");
    CHECK_MESSAGE(r.exit_code == 1, args[0] << " " << args[1]);
    CHECK_MESSAGE(contains(r.err, "cannot connect to " + address + ": Connection refused"), r.err);
    CHECK_MESSAGE(contains(r.err, "lkstream serve"), r.err);
    CHECK(r.elapsed < 5s);
  }
}

TEST_CASE("cli: a server that accepts connections but never answers fails within --timeout") {
  // A listening socket that is never accepted: the kernel completes the TCP handshake, so the
  // reachability probe passes, and every Kafka request then goes unanswered.
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  REQUIRE(fd >= 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
  REQUIRE(::listen(fd, 64) == 0);
  socklen_t len = sizeof a;
  REQUIRE(::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) == 0);
  const std::string address = "127.0.0.1:" + std::to_string(ntohs(a.sin_port));
  for (auto args : std::vector<std::vector<std::string>>{{"topic", "list"},
                                                         {"topic", "create", "t"},
                                                         {"consume", "t"},
                                                         {"group", "list"},
                                                         {"group", "describe", "g"}}) {
    args.insert(args.end(), {"--bootstrap", address, "--timeout", "1s"});
    auto r = run_cli(args);
    CHECK_MESSAGE(r.exit_code == 1, args[0] << " " << args[1] << ": " << r.err);
    CHECK(r.elapsed < 10s);
  }
  ::close(fd);
}

TEST_CASE("cli: bad flags and arguments are usage errors (exit 2) with a hint") {
  struct bad {
    std::vector<std::string> args;
    std::string message;
  };
  const std::vector<bad> cases{
      {{"topic"}, "subcommands:"},
      {{"topic", "frob"}, "unknown subcommand 'frob' for 'topic'"},
      {{"topic", "create"}, "missing argument for 'create'"},
      {{"topic", "create", "t", "--partitions", "zero"}, "invalid value 'zero' for --partitions"},
      {{"topic", "create", "t", "--partitions", "0"}, "expected a whole number from 1"},
      {{"topic", "create", "t", "--config", "retention.ms"}, "expected KEY=VALUE"},
      {{"topic", "list", "--bogus"}, "unknown flag '--bogus' for 'list'"},
      {{"topic", "list", "--bootstrap", "nohostport"}, "invalid value for --bootstrap"},
      {{"topic", "list", "--timeout", "soon"}, "invalid value 'soon' for --timeout"},
      {{"produce"}, "missing argument for 'produce'"},
      {{"consume", "t", "--count", "0"}, "invalid value '0' for --count"},
      {{"consume", "t", "--json", "--value-only"}, "exclude each other"},
      {{"group", "reset", "g"}, "give exactly one of --to-earliest, --to-latest, --to-offset N"},
      {{"group", "reset", "g", "--to-earliest", "--to-latest"}, "give exactly one of"},
      {{"group", "reset", "g", "--to-offset", "-1"}, "invalid value '-1' for --to-offset"},
      {{"group", "describe", "a", "b"}, "unexpected argument 'b'"},
  };
  for (auto& c : cases) {
    auto r = run_cli(c.args);
    CHECK_MESSAGE(r.exit_code == 2, c.args[0] << " ... " << c.args.back());
    CHECK_MESSAGE(contains(r.err, c.message), r.err);
    if (c.args.size() > 1) CHECK_MESSAGE(contains(r.err, "--help"), r.err);
  }
}

TEST_CASE("cli: --help works on every command and subcommand") {
  const std::vector<std::vector<std::string>> paths{
      {"topic"},           {"topic", "create"},   {"topic", "list"}, {"topic", "describe"},
      {"topic", "delete"}, {"produce"},           {"consume"},       {"group"},
      {"group", "list"},   {"group", "describe"}, {"group", "reset"}};
  for (auto path : paths) {
    std::string joined = "lkstream";
    for (auto& w : path) joined += " " + w;
    path.push_back("--help");
    auto r = run_cli(path);
    CHECK_MESSAGE(r.exit_code == 0, joined);
    CHECK_MESSAGE(r.out.starts_with("usage: " + joined), r.out);
    if (path.size() == 2 && (path[0] == "topic" || path[0] == "group"))
      CHECK_MESSAGE(contains(r.out, "subcommands:"), r.out);
    else
      CHECK_MESSAGE(contains(r.out, "--bootstrap HOST:PORT"), r.out);
  }
  auto top = run_cli({"--help"});
  CHECK(top.exit_code == 0);
  for (auto* name : {"topic", "produce", "consume", "group"}) CHECK(contains(top.out, name));
}

TEST_CASE("cli: topic alter-config sets and resets configs, keeping the others") {
  {
    server srv;
    ok(srv.cli({"topic", "create", "events", "--config", "segment.ms=3600000"}));
    ok(srv.cli({"topic", "alter-config", "events", "--set",
                "retention.ms=7200000,cleanup.policy=compact"}));
    auto d = ok(srv.cli({"topic", "describe", "events"}));
    CHECK(row(d, {"retention.ms"}) == std::vector<std::string>{"retention.ms", "7200000", "topic"});
    CHECK(row(d, {"cleanup.policy"}) ==
          std::vector<std::string>{"cleanup.policy", "compact", "topic"});
    // The config not named keeps its value.
    CHECK(row(d, {"segment.ms"}) == std::vector<std::string>{"segment.ms", "3600000", "topic"});
    ok(srv.cli({"topic", "alter-config", "events", "--reset", "segment.ms"}));
    d = ok(srv.cli({"topic", "describe", "events"}));
    CHECK(row(d, {"segment.ms"}).at(2) == "default");
    CHECK(row(d, {"retention.ms"}).at(1) == "7200000");

    auto bad = srv.cli({"topic", "alter-config", "events", "--set", "retention.ms=soon"});
    CHECK(bad.exit_code == 1);
    CHECK_MESSAGE(contains(bad.err, "retention.ms"), bad.err);
    auto unknown = srv.cli({"topic", "alter-config", "nope", "--set", "retention.ms=1"});
    CHECK(unknown.exit_code == 1);
    CHECK_MESSAGE(contains(unknown.err, "topic 'nope' does not exist"), unknown.err);
    auto nothing = srv.cli({"topic", "alter-config", "events"});
    CHECK(nothing.exit_code == 2);
    CHECK_MESSAGE(contains(nothing.err, "nothing to change"), nothing.err);
  }
}

TEST_CASE("cli: topic add-partitions grows a topic and refuses to shrink it") {
  server srv;
  ok(srv.cli({"topic", "create", "events", "--partitions", "1"}));
  CHECK(contains(ok(srv.cli({"topic", "add-partitions", "events", "--partitions", "3"})),
                 "topic events now has 3 partitions"));
  CHECK(row(ok(srv.cli({"topic", "list"})), {"events"}) ==
        std::vector<std::string>{"events", "3"});
  auto shrink = srv.cli({"topic", "add-partitions", "events", "--partitions", "2"});
  CHECK(shrink.exit_code == 1);
  CHECK_MESSAGE(contains(shrink.err, "adding partitions to topic 'events'"), shrink.err);
  auto missing = srv.cli({"topic", "add-partitions", "events"});
  CHECK(missing.exit_code == 2);
  CHECK_MESSAGE(contains(missing.err, "--partitions N is required"), missing.err);
  auto unknown = srv.cli({"topic", "add-partitions", "nope", "--partitions", "2"});
  CHECK(unknown.exit_code == 1);
  CHECK_MESSAGE(contains(unknown.err, "topic 'nope' does not exist"), unknown.err);
}

TEST_CASE("cli: topic trim moves the start offset and consumers start there") {
  server srv;
  create_events_m0_to_m9(srv);
  CHECK(contains(ok(srv.cli({"topic", "trim", "events", "--before", "4"})),
                 "events[0] now starts at offset 4"));
  CHECK(row(ok(srv.cli({"topic", "describe", "events"})), {"0"}) ==
        std::vector<std::string>{"0", "4", "10", "6"});
  CHECK(ok(srv.cli({"consume", "events", "--from-beginning", "--count", "1"})) == "m4\n");
  auto past = srv.cli({"topic", "trim", "events", "--before", "99"});
  CHECK(past.exit_code == 1);
  CHECK_MESSAGE(contains(past.err, "past the partition's end"), past.err);
  auto neither = srv.cli({"topic", "trim", "events"});
  CHECK(neither.exit_code == 2);
  CHECK_MESSAGE(contains(neither.err, "--before OFFSET, or --all"), neither.err);
  auto no_part = srv.cli({"topic", "trim", "events", "--all", "--partition", "3"});
  CHECK(no_part.exit_code == 1);
  CHECK_MESSAGE(contains(no_part.err, "has no partition 3"), no_part.err);
  CHECK(contains(ok(srv.cli({"topic", "trim", "events", "--all"})),
                 "events[0] now starts at offset 10"));
}

TEST_CASE("cli: group delete removes an inactive group") {
  server srv;
  create_events_m0_to_m9(srv);
  ok(srv.cli({"consume", "events", "--group", "old", "--from-beginning", "--count", "3"}));
  CHECK(contains(ok(srv.cli({"group", "delete", "old"})), "deleted group old"));
  auto gone = srv.cli({"group", "describe", "old"});
  CHECK(gone.exit_code == 1);
  auto again = srv.cli({"group", "delete", "old"});
  CHECK(again.exit_code == 1);
  CHECK_MESSAGE(contains(again.err, "group 'old' does not exist"), again.err);
  auto help = run_cli({"group", "delete", "--help"});
  CHECK(help.exit_code == 0);
  CHECK(contains(help.out, "group delete GROUP"));
}

TEST_CASE("user: create, list, delete offline; refused while serve runs; kcat logs in with SCRAM") {
  temp_dir dir("lkstream-cli-user");
  const std::string data = dir / "data";
  REQUIRE(write_file(dir / "pw", "s3cret pass\n"));
  REQUIRE(write_file(dir / "empty", ""));
  std::filesystem::create_directories(data);

  auto created = run_cli({"user", "create", "alice", "--data-dir", data}, dir / "pw");
  CHECK_MESSAGE(created.exit_code == 0, created.err);
  CHECK(created.out == "user alice: SCRAM-SHA-256, SCRAM-SHA-512 credentials stored\n");
  auto bob = run_cli({"user", "create", "bob", "--data-dir", data, "--mechanism",
                      "SCRAM-SHA-256", "--iterations", "4096"}, dir / "pw");
  CHECK_MESSAGE(bob.exit_code == 0, bob.err);
  auto listed = run_cli({"user", "list", "--data-dir", data});
  CHECK(listed.out ==
        "USER\tMECHANISM\tITERATIONS\nalice\tSCRAM-SHA-256\t8192\nalice\tSCRAM-SHA-512\t8192\n"
        "bob\tSCRAM-SHA-256\t4096\n");
  // The password is nowhere in the data directory.
  std::ifstream creds(data + "/scram-credentials");
  std::string text((std::istreambuf_iterator<char>(creds)), {});
  CHECK(text.find("s3cret") == std::string::npos);

  CHECK(run_cli({"user", "create", "carol", "--data-dir", data}, dir / "empty").exit_code == 1);
  CHECK(run_cli({"user", "create", "carol", "--data-dir", data, "--iterations", "10"}).exit_code == 2);
  CHECK(run_cli({"user", "create", "carol", "--data-dir", data, "--mechanism", "MD5"}).exit_code == 2);
  CHECK(run_cli({"user", "create", "carol"}).exit_code == 1);
  auto deleted = run_cli({"user", "delete", "bob", "--data-dir", data});
  CHECK_MESSAGE(deleted.exit_code == 0, deleted.err);
  CHECK(run_cli({"user", "delete", "bob", "--data-dir", data}).exit_code == 1);

  REQUIRE(write_file(dir / "lkstream.toml",
                     "[broker]\nsecurity_protocol = \"SASL_PLAINTEXT\"\n"
                     "sasl_mechanisms = [\"SCRAM-SHA-512\"]\n"));
  child_process serve({LKSTREAM_APP, "serve", "--config", dir / "lkstream.toml", "--listen",
                       "127.0.0.1:0", "--data-dir", data});
  REQUIRE_MESSAGE(serve.started(), serve.error());
  auto ready = serve.wait_for_line("lkstream: ready", after(60s));
  REQUIRE_MESSAGE(ready, "serve did not get ready; stderr: " << serve.stderr_text());
  std::smatch m;
  REQUIRE(std::regex_search(*ready, m, std::regex("Kafka on (127\\.0\\.0\\.1:[0-9]+)")));
  const std::string bootstrap = m[1];

  auto locked = run_cli({"user", "create", "carol", "--data-dir", data}, dir / "pw");
  CHECK(locked.exit_code == 1);
  CHECK(locked.err.find("is `lkstream serve` running on it?") != std::string::npos);

  auto kcat = [&](std::vector<std::string> args, const std::string& password,
                  const std::string& stdin_file) {
    std::vector<std::string> argv{"/bin/sh", "-c", "exec \"$@\" < \"$0\"", stdin_file, "kcat",
                                  "-b", bootstrap, "-X", "security.protocol=SASL_PLAINTEXT",
                                  "-X", "sasl.mechanisms=SCRAM-SHA-512", "-X",
                                  "sasl.username=alice", "-X", "sasl.password=" + password};
    argv.insert(argv.end(), args.begin(), args.end());
    child_process p(argv);
    REQUIRE_MESSAGE(p.started(), p.error());
    run_result r;
    while (auto line = p.read_line(after(90s))) r.out += *line + "\n";
    auto st = p.wait(after(90s));
    REQUIRE(st);
    if (WIFEXITED(*st)) r.exit_code = WEXITSTATUS(*st);
    r.err = p.stderr_text();
    return r;
  };
  REQUIRE(write_file(dir / "records", "one\ntwo\nthree\n"));
  auto produced = kcat({"-P", "-t", "secured"}, "s3cret pass", dir / "records");
  CHECK_MESSAGE(produced.exit_code == 0, produced.err);
  auto consumed = kcat({"-C", "-t", "secured", "-o", "beginning", "-c", "3", "-e"}, "s3cret pass",
                       dir / "empty");
  CHECK_MESSAGE(consumed.out == "one\ntwo\nthree\n", consumed.err);
  auto refused = kcat({"-L", "-m", "10"}, "wrong", dir / "empty");
  CHECK(refused.exit_code != 0);
  CHECK_MESSAGE(refused.err.find("uthentication") != std::string::npos, refused.err);

  serve.send_signal(SIGTERM);
  while (serve.read_line(after(30s))) {
  }
  auto st = serve.wait(after(30s));
  CHECK((st && WIFEXITED(*st) && WEXITSTATUS(*st) == 0));
}

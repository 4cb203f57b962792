// file_sink under SIGKILL: a child process (connector_child.cpp) produces into a topic while its
// connector host runs file_sink on it, and is killed mid-run; a second run finishes both. The file must
// hold every record, in order, and repeat at most the one batch written after the last commit.
#include <doctest/doctest.h>

#include <signal.h>
#include <sys/wait.h>

#include <fstream>

#include "child_process.hpp"

using namespace lkstream;
using namespace std::chrono_literals;
using lkstream::testing::after;
using lkstream::testing::child_process;

namespace {

constexpr int total = 50000;
constexpr int batch = 50;  // connector_child's sink_batch_records

uint64_t committed_of(const std::string& line) { return std::stoull(line.substr(10)); }

}  // namespace

TEST_CASE("connector host: file_sink killed mid-run resumes without loss, repeating at most the "
          "uncommitted batch") {
  lkstream::testing::temp_dir dir("lkstream-sink-crash");
  const std::string config = dir / "crash.toml";
  const std::string out = dir / "events.txt";
  REQUIRE(lkstream::testing::write_file(
      config, "[broker]\ndata_dir = \"" + (dir / "data") + "\"\n"
              "[[topic]]\nname = \"events\"\n"
              "[[connector]]\nname = \"to-file\"\nplugin = \"file_sink\"\n"
              "topics = [\"events\"]\n[connector.config]\npath = \"" + out + "\"\n"));
  uint64_t seen_before_kill = 0;
  {
    child_process child({LKSTREAM_CONNECTOR_CHILD, config, "to-file", std::to_string(total)});
    REQUIRE_MESSAGE(child.started(), child.error());
    std::optional<std::string> line;
    do {  // until at least 2000 records are committed
      line = child.wait_for_line("committed", after(60s));
    } while (line && committed_of(*line) < 2000);
    REQUIRE_MESSAGE(line, child.stderr_text());
    seen_before_kill = committed_of(*line);
    child.send_signal(SIGKILL);
    auto st = child.wait(after(30s));
    REQUIRE(st);
    REQUIRE(WIFSIGNALED(*st));
  }
  INFO("killed after at least " << seen_before_kill << " committed records");
  {
    std::ifstream in(out);
    size_t lines = 0;
    for (std::string l; std::getline(in, l);) ++lines;
    REQUIRE(lines >= seen_before_kill);
    REQUIRE(lines < static_cast<size_t>(total));  // the kill happened mid-run
  }

  {
    child_process child({LKSTREAM_CONNECTOR_CHILD, config, "to-file", std::to_string(total)});
    REQUIRE_MESSAGE(child.started(), child.error());
    REQUIRE_MESSAGE(child.wait_for_line("done", after(120s)), child.stderr_text());
    auto st = child.wait(after(30s));
    REQUIRE(st);
    CHECK(WIFEXITED(*st));
    CHECK(WEXITSTATUS(*st) == 0);
  }

  // The file: 0, 1, ..., k, then (after the restart) j, j+1, ..., total-1 with j <= k+1 and
  // k+1-j < one batch: nothing lost, and only records after the last commit written twice.
  std::ifstream in(out);
  std::vector<int> v;
  for (std::string line; std::getline(in, line);) v.push_back(std::stoi(line));
  REQUIRE(!v.empty());
  CHECK(v.front() == 0);
  CHECK(v.back() == total - 1);
  int restarts = 0;
  for (size_t i = 1; i < v.size(); ++i) {
    if (v[i] == v[i - 1] + 1) continue;
    INFO("at line " << i << ": " << v[i - 1] << " then " << v[i]);
    REQUIRE(v[i] <= v[i - 1]);          // never a gap
    CHECK(v[i - 1] - v[i] + 1 <= batch);  // repeats at most one batch
    ++restarts;
  }
  CHECK(restarts <= 1);
  CHECK(v.size() <= static_cast<size_t>(total + batch));
}

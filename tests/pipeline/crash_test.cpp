// SIGKILL in the middle of a windowed pipeline, then restart: the output is the same as that of
// an uninterrupted run (no window lost, no record counted twice); a window may be written again
// after a crash (at-least-once output), but always with the same value.
//
// Input: 3000 ticks of 4 symbols over 30 s of event time, up to 200 ms out of order (less than
// the allowed lateness, so the result does not depend on batching). The expected sums are
// computed directly from the input. The child (pipeline_crash_child) is killed at a random
// point of its progress in a few rounds; rerun a failure with LKSTREAM_CRASH_SEED=<seed>.
#include <doctest/doctest.h>
#include <signal.h>
#include <sys/wait.h>

#include <map>
#include <nlohmann/json.hpp>
#include <random>
#include <sstream>

#include "child_process.hpp"
#include "pipeline_test_support.hpp"

using namespace lkstream;
using namespace lkstream::pipeline_test;
using lkstream::testing::after;
using lkstream::testing::child_process;

namespace {

using window_key = std::pair<std::string, int64_t>;  // symbol, window start

std::map<window_key, int64_t> expected_sums(const std::vector<input_record>& in) {
  std::map<window_key, int64_t> out;
  for (auto& r : in) {
    auto c = r.value.find(',');
    out[{r.value.substr(0, c), r.ts / 1000 * 1000}] += std::stoll(r.value.substr(c + 1));
  }
  return out;
}

/// Reads "sums"; every repeated window must carry the same value.
std::map<window_key, int64_t> read_sums(const std::string& data_dir, size_t* duplicates) {
  engine_options eo;
  eo.data_dir = data_dir;
  auto eng = engine::open(eo);
  REQUIRE_MESSAGE(eng, (eng ? "" : eng.err().to_string()));
  std::map<window_key, int64_t> out;
  for (auto& r : read_all(**eng, "sums")) {
    auto j = nlohmann::json::parse(r.value);
    window_key k{j["key"], j["start"]};
    int64_t v = j["value"];
    auto [it, fresh] = out.emplace(k, v);
    if (!fresh) {
      ++*duplicates;
      CHECK_MESSAGE(it->second == v, "window " << k.first << "@" << k.second
                                               << " emitted with two values: " << it->second
                                               << " and " << v);
    }
  }
  return out;
}

void prepare(const std::string& data_dir, const std::vector<input_record>& in) {
  engine_options eo;
  eo.data_dir = data_dir;
  auto eng = engine::open(eo);
  REQUIRE_MESSAGE(eng, (eng ? "" : eng.err().to_string()));
  produce(**eng, "ticks", in, 0);
}

/// Runs the child to completion; returns its exit status.
int run_child(const std::string& data_dir, const std::string& throttle_us) {
  child_process child({LKSTREAM_PIPELINE_CRASH_CHILD, data_dir, throttle_us});
  REQUIRE_MESSAGE(child.started(), child.error());
  auto st = child.wait(after(std::chrono::seconds(150)));
  REQUIRE_MESSAGE(st, "child did not finish; stderr: " << child.stderr_text());
  INFO("child stderr: " << child.stderr_text());
  return WIFEXITED(*st) ? WEXITSTATUS(*st) : 128 + WTERMSIG(*st);
}

}  // namespace

TEST_CASE("pipeline: SIGKILL mid-window and restart give the output of an uninterrupted run") {
  uint64_t seed = std::random_device{}();
  if (const char* s = std::getenv("LKSTREAM_CRASH_SEED")) seed = std::strtoull(s, nullptr, 10);
  INFO("LKSTREAM_CRASH_SEED=" << seed);
  std::mt19937_64 rng(seed);

  std::vector<input_record> in;
  const char* symbols[] = {"AAPL", "MSFT", "NVDA", "TSLA"};
  for (int i = 0; i < 3000; ++i) {
    const int64_t ts = 10'000 + i * 10 + static_cast<int64_t>(rng() % 200);  // <= 200 ms disorder
    in.push_back({std::nullopt,
                  std::string(symbols[rng() % 4]) + "," + std::to_string(1 + rng() % 100), ts});
  }
  const auto expected = expected_sums(in);

  // Reference: an uninterrupted run.
  testing::temp_dir ref_dir("pipeline-crash-ref");
  prepare(ref_dir.path(), in);
  REQUIRE(run_child(ref_dir.path(), "0") == 0);
  size_t ref_dups = 0;
  auto reference = read_sums(ref_dir.path(), &ref_dups);
  CHECK(reference == expected);
  CHECK(ref_dups == 0);

  // Crashed runs: kill at a random point of the progress, three times, then run to the end.
  testing::temp_dir dir("pipeline-crash");
  prepare(dir.path(), in);
  int kills = 0;
  for (int round = 0; round < 3; ++round) {
    child_process child({LKSTREAM_PIPELINE_CRASH_CHILD, dir.path(), "300"});
    REQUIRE_MESSAGE(child.started(), child.error());
    const uint64_t kill_at = 200 + rng() % 2000;  // records read by this run
    bool killed = false;
    const auto deadline = after(std::chrono::seconds(120));
    while (auto line = child.read_line(deadline)) {
      std::istringstream ls(*line);
      std::string word;
      uint64_t read = 0;
      ls >> word >> read;
      if (word == "progress" && read >= kill_at) {
        child.send_signal(SIGKILL);
        killed = true;
        ++kills;
        break;
      }
      if (word == "finished") break;
    }
    INFO("round " << round << " stderr: " << child.stderr_text());
    REQUIRE(child.wait(after(std::chrono::seconds(30))));
    if (!killed) break;  // it got to the end first: nothing more to interrupt
  }
  CHECK(kills >= 1);  // the throttled child is slow enough to be caught mid-run
  REQUIRE(run_child(dir.path(), "0") == 0);
  size_t dups = 0;
  auto crashed = read_sums(dir.path(), &dups);
  CHECK(crashed == reference);
  MESSAGE(kills << " kills; windows re-emitted after crashes (same values): " << dups);
}

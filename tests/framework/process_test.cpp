// Rate-limited logging and the open-files limit (lkstream/process/), with an injected clock.
#include <doctest/doctest.h>

#include <chrono>
#include <string>
#include <vector>

#include "lkstream/process/log_throttle.hpp"
#include "lkstream/process/open_files.hpp"
#include "lkstream/process/throttled_log.hpp"

using namespace lkstream::process;
using namespace std::chrono_literals;

namespace {

// A clock the test moves by hand, and a sink that keeps what was written.
struct fake_log {
  log_throttle::clock::time_point now{};
  std::vector<std::string> lines;
  throttled_log log{[this](std::string_view l) { lines.emplace_back(l); }, 10s,
                    [this] { return now; }};
};

}  // namespace

TEST_CASE("log throttle: a repeated line is written once per interval with the count it hid") {
  fake_log f;
  for (int i = 0; i < 1000; ++i) f.log("accept failed: Too many open files");
  REQUIRE(f.lines.size() == 1);
  CHECK(f.lines[0] == "accept failed: Too many open files");

  f.now += 9999ms;
  f.log("accept failed: Too many open files");
  CHECK(f.lines.size() == 1);

  f.now += 1ms;  // a whole interval after the line written
  f.log("accept failed: Too many open files");
  REQUIRE(f.lines.size() == 2);
  CHECK(f.lines[1] == "accept failed: Too many open files (1000 similar lines suppressed)");

  f.now += 10s;  // nothing hidden since: no count
  f.log("accept failed: Too many open files");
  REQUIRE(f.lines.size() == 3);
  CHECK(f.lines[2] == "accept failed: Too many open files");
}

TEST_CASE("log throttle: keys are limited independently; a key groups lines that differ") {
  fake_log f;
  f.log.write("refused", "refused 10.0.0.1:5000");
  f.log.write("refused", "refused 10.0.0.2:5001");
  f.log("a different line");
  f.log("another line");
  CHECK(f.lines == std::vector<std::string>{"refused 10.0.0.1:5000", "a different line",
                                            "another line"});
  f.now += 10s;
  f.log.write("refused", "refused 10.0.0.3:5002");
  CHECK(f.lines.back() == "refused 10.0.0.3:5002 (1 similar line suppressed)");
}

TEST_CASE("log throttle: similar_key ignores numbers") {
  CHECK(similar_key("connection from 127.0.0.1:40312 idle for 600000 ms") ==
        "connection from #.#.#.#:# idle for # ms");
  CHECK(similar_key("connection from 10.1.2.3:5 idle for 7 ms") ==
        similar_key("connection from 127.0.0.1:40312 idle for 600000 ms"));
  CHECK(similar_key("no digits") == "no digits");
}

TEST_CASE("log throttle: a full key table forgets idle keys and never drops a new key's line") {
  log_throttle::clock::time_point now{};
  log_throttle t(10s, [&] { return now; }, 2);
  CHECK(t.admit("a").write);
  CHECK(t.admit("b").write);
  CHECK(t.admit("c").write);  // table full, nothing idle: written, untracked
  CHECK(t.admit("c").write);
  CHECK_FALSE(t.admit("a").write);  // still tracked
  now += 10s;
  CHECK(t.admit("d").write);  // "b" was idle and is forgotten to make room
  CHECK_FALSE(t.admit("d").write);
}

TEST_CASE("open files: auto max_connections keeps a quarter (at least 32) of the limit") {
  CHECK(auto_max_connections(1024) == 768);
  CHECK(auto_max_connections(64) == 32);
  CHECK(auto_max_connections(20) == 1);
  CHECK(auto_max_connections(1 << 20) == 786432);
  CHECK(auto_max_connections(open_files_limit::no_limit) == open_files_limit::no_limit);
}

TEST_CASE("open files: auto max_open_files is the quarter max_connections leaves, less 32") {
  CHECK(auto_max_open_files(1024) == 224);
  CHECK(auto_max_open_files(20000) == 4968);
  CHECK(auto_max_open_files(64) == 16);
  CHECK(auto_max_open_files(20) == 16);
  CHECK(auto_max_open_files(1 << 20) == 262112);
  CHECK(auto_max_open_files(open_files_limit::no_limit) == 1u << 20);
  // Together with auto connections, they fit in the limit with room for the runtime.
  for (uint64_t soft : {256u, 1024u, 4096u, 65536u})
    CHECK(auto_max_open_files(soft) + auto_max_connections(soft) + 32 <= soft);
}

TEST_CASE("open files: the limit is readable and raising it reaches the hard limit") {
  auto r = raise_open_files_limit();
  REQUIRE_MESSAGE(r, (r ? "" : r.err().message));
  CHECK(r->after.soft == r->before.hard);
  auto now = current_open_files_limit();
  REQUIRE(now);
  CHECK(now->soft == now->hard);
  CHECK(count_open_files() >= 3);  // at least stdin, stdout, stderr
}

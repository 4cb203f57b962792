// The data directory lock across processes: a second opener fails with a message naming the
// directory and the holder's pid, and the directory opens again once the holder is gone.
#include <doctest/doctest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "child_process.hpp"
#include "lkstream/engine.hpp"

using lkstream::testing::after;
using lkstream::testing::child_process;
using namespace std::chrono_literals;

namespace {

/// Runs `lkstream serve` on `dir` expecting it to be refused; returns its stderr.
std::string refused_serve(const std::string& dir) {
  child_process second({LKSTREAM_APP, "serve", "--listen", "127.0.0.1:0", "--data-dir", dir});
  REQUIRE_MESSAGE(second.started(), second.error());
  auto st = second.wait(after(30s));
  REQUIRE(st);
  CHECK(WIFEXITED(*st));
  CHECK(WEXITSTATUS(*st) == 1);
  return second.stderr_text();
}

}  // namespace

TEST_CASE("lock: a second serve on the same data dir fails naming the dir and the holder pid") {
  lkstream::testing::temp_dir tmp("lkstream-lock");
  const std::string dir = tmp / "data";
  {
    child_process first({LKSTREAM_APP, "serve", "--listen", "127.0.0.1:0", "--data-dir", dir});
    REQUIRE_MESSAGE(first.started(), first.error());
    REQUIRE_MESSAGE(first.wait_for_line("lkstream: ready", after(30s)), first.stderr_text());

    std::string err = refused_serve(dir);
    CHECK_MESSAGE(err.find(dir) != std::string::npos, "stderr: " << err);
    CHECK_MESSAGE(err.find(std::to_string(first.pid())) != std::string::npos, "stderr: " << err);

    first.send_signal(SIGTERM);
    auto st = first.wait(after(30s));
    REQUIRE(st);
    CHECK(WIFEXITED(*st));
    CHECK(WEXITSTATUS(*st) == 0);
  }
  // The holder exited cleanly: the lock is free again.
  child_process third({LKSTREAM_APP, "serve", "--listen", "127.0.0.1:0", "--data-dir", dir});
  REQUIRE(third.started());
  REQUIRE_MESSAGE(third.wait_for_line("lkstream: ready", after(30s)), third.stderr_text());
  third.send_signal(SIGTERM);
  auto st = third.wait(after(30s));
  REQUIRE(st);
  CHECK(WIFEXITED(*st));
  CHECK(WEXITSTATUS(*st) == 0);
}

TEST_CASE("lock: an embedded engine keeps serve out, and the pid named is the embedder's") {
  lkstream::testing::temp_dir tmp("lkstream-lock");
  const std::string dir = tmp / "data";
  lkstream::engine_options opts;
  opts.data_dir = dir;
  auto eng = lkstream::engine::open(std::move(opts));
  REQUIRE_MESSAGE(eng, (eng ? "" : eng.err().to_string()));

  std::string err = refused_serve(dir);
  CHECK_MESSAGE(err.find(dir) != std::string::npos, "stderr: " << err);
  CHECK_MESSAGE(err.find(std::to_string(getpid())) != std::string::npos, "stderr: " << err);
  REQUIRE((*eng)->close());
}

TEST_CASE("lock: a SIGKILLed holder does not keep the data dir locked") {
  lkstream::testing::temp_dir tmp("lkstream-lock");
  const std::string dir = tmp / "data";
  {
    child_process holder({LKSTREAM_APP, "serve", "--listen", "127.0.0.1:0", "--data-dir", dir});
    REQUIRE(holder.started());
    REQUIRE_MESSAGE(holder.wait_for_line("lkstream: ready", after(30s)), holder.stderr_text());
    holder.send_signal(SIGKILL);
    auto st = holder.wait(after(30s));
    REQUIRE(st);
    CHECK(WIFSIGNALED(*st));
  }
  lkstream::engine_options opts;
  opts.data_dir = dir;
  auto eng = lkstream::engine::open(std::move(opts));
  REQUIRE_MESSAGE(eng, (eng ? "" : eng.err().to_string()));
  REQUIRE((*eng)->close());
}

// The engine's lifecycle: calls from application threads that race close() are answered
// (ok, or errc::closed once it is closed) and never touch a destroyed actor system. Run it
// under `make test-asan` to see a use-after-free, if one came back, as an error.
#include <doctest/doctest.h>

#include <atomic>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "actors/engine_harness.hpp"
#include "test_util.hpp"

using namespace lkstream;
using namespace std::chrono_literals;

TEST_CASE("engine: calls racing close() get an answer or errc::closed, and close() waits for them") {
  for (int round = 0; round < 20; ++round) {
    CAPTURE(round);
    test::temp_dir dir;
    auto eng = test::open_engine(dir.path());
    REQUIRE(eng->create_topic("life", 2));
    std::atomic<bool> go{false};
    std::atomic<int> answered{0}, refused{0}, other{0};
    std::mutex first_other_mutex;
    std::string first_other;  // the first unexpected answer, to say which call gave it
    std::vector<std::thread> callers;
    for (int t = 0; t < 4; ++t) {
      callers.emplace_back([&, t] {
        while (!go) std::this_thread::yield();
        for (int i = 0; i < 200; ++i) {
          error err;
          const int which = (t + i) % 4;
          switch (which) {
            case 0: if (auto r = eng->describe_topic("life"); !r) err = r.err(); break;
            case 1:
              if (auto s = eng->create_topic("life-" + std::to_string(t) + "-" + std::to_string(i), 1); !s)
                err = s.err();
              break;
            case 2: if (auto r = eng->list_groups(); !r) err = r.err(); break;
            case 3: if (auto r = eng->apply_retention(); !r) err = r.err(); break;
          }
          const errc code = err.code;
          if (code == errc::ok) ++answered;
          else if (code == errc::closed) ++refused;
          else {
            ++other;
            std::lock_guard<std::mutex> g(first_other_mutex);
            if (first_other.empty())
              first_other = "call " + std::to_string(which) + ": " + err.message;
          }
          if (code == errc::closed) break;  // closed stays closed
        }
      });
    }
    go = true;
    std::this_thread::sleep_for(std::chrono::milliseconds(round % 5));
    CHECK(eng->close());
    for (auto& c : callers) c.join();
    INFO(first_other);
    CHECK(other == 0);
    CHECK(answered + refused > 0);
    // Closed means closed: every call now answers closed at once.
    CHECK(eng->describe_topic("life").code() == errc::closed);
    CHECK(eng->create_topic("after", 1).code() == errc::closed);
  }
}

// Crash test child: runs the windowed pipeline "crashy" over topic "ticks" of a data directory
// to its end (stop_at_end) and prints, every ~20 ms, "progress <records read> <committed>".
// The parent kills it with SIGKILL at some point and starts it again; see crash_test.cpp.
//   pipeline_crash_child DATA_DIR THROTTLE_US
// THROTTLE_US slows each record down (a peek that sleeps) so that a kill lands mid-run.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <thread>

#include "lkstream/pipeline.hpp"

namespace {

struct tick {
  std::string symbol;
  int64_t qty = 0;
};

struct qty_sum {
  int64_t init() const { return 0; }
  void add(int64_t& acc, const tick& t) const { acc += t.qty; }
  int64_t result(const int64_t& acc) const { return acc; }
};

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: pipeline_crash_child DATA_DIR THROTTLE_US\n");
    return 2;
  }
  const auto throttle = std::chrono::microseconds(std::atoll(argv[2]));
  lkstream::runtime_options ro;
  ro.engine.data_dir = argv[1];
  auto rt = lkstream::runtime::open(std::move(ro));
  if (!rt) {
    std::fprintf(stderr, "open: %s\n", rt.err().to_string().c_str());
    return 1;
  }
  lkstream::pipeline_options po;
  po.stop_at_end = true;
  po.max_batch_records = 25;
  po.commit_interval_ms = 0;
  (*rt)
      ->pipeline("crashy", po)
      .from("ticks")
      .map([](const std::string& s) {
        auto c = s.find(',');
        return tick{s.substr(0, c), std::stoll(s.substr(c + 1))};
      })
      .peek([throttle](const tick&) { std::this_thread::sleep_for(throttle); })
      .key_by([](const tick& t) { return t.symbol; })
      .window(lkstream::tumbling(std::chrono::seconds(1))
                  .allowed_lateness(std::chrono::milliseconds(300)))
      .aggregate(qty_sum{})
      .to("sums");
  if (auto st = (*rt)->start(); !st) {
    std::fprintf(stderr, "start: %s\n", st.err().to_string().c_str());
    return 1;
  }
  std::printf("started\n");
  std::fflush(stdout);
  while (true) {
    auto st = (*rt)->wait_for(
        "crashy", [](const lkstream::pipeline_status&) { return false; },
        std::chrono::milliseconds(20));
    if (!st) return 1;
    int64_t committed = 0;
    for (auto& [tp, off] : st->committed) committed += off;
    std::printf("progress %llu %lld\n", static_cast<unsigned long long>(st->records_in),
                static_cast<long long>(committed));
    std::fflush(stdout);
    if (st->state == lkstream::pipeline_state::finished) break;
    if (st->state == lkstream::pipeline_state::failed) {
      std::fprintf(stderr, "failed: %s\n", st->last_error.c_str());
      return 1;
    }
  }
  std::printf("finished\n");
  std::fflush(stdout);
  return (*rt)->stop() ? 0 : 1;
}

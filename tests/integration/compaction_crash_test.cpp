// Crash safety of log compaction with a real process: `lkstream serve` cleans a compacted
// topic (cleaner every 10ms, I/O limited so a cleaning takes a while) and is killed with
// SIGKILL at a random moment, several times on the same directory. After each kill the
// directory is opened through the embedded API: every record read is one that was written at
// that offset, offsets increase, and the latest record of every key is there. Finally serve
// runs until the cleaner reports the cleaning done, and the topic reads as exactly the latest
// record per key (plus the active segment).
//
// The kill delays come from a seed printed with the result; rerun a failure with
// LKSTREAM_CRASH_SEED=<seed>.
#include <doctest/doctest.h>
#include <signal.h>
#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <map>
#include <mutex>
#include <random>
#include <thread>

#include "child_process.hpp"
#include "lkstream/consumer.hpp"
#include "lkstream/engine.hpp"
#include "lkstream/producer.hpp"

using lkstream::testing::after;
using lkstream::testing::child_process;
using lkstream::testing::temp_dir;
using lkstream::testing::write_file;
using namespace lkstream;
using namespace std::chrono_literals;

namespace {

struct written {
  std::string key;
  std::string value;
  bool operator==(const written&) const = default;
};

std::unique_ptr<engine> open_dir(const std::string& dir, std::vector<std::string>* log_lines) {
  engine_options o;
  auto cfg = config::defaults();
  cfg.broker.data_dir = dir;
  cfg.broker.cleaner_backoff_ms = 3'600'000;  // the checks here do not clean
  o.config = cfg;
  auto lines = std::make_shared<std::mutex>();
  o.log = [log_lines, lines](std::string_view l) {
    std::lock_guard g(*lines);
    if (log_lines) log_lines->emplace_back(l);
  };
  auto e = engine::open(std::move(o));
  REQUIRE_MESSAGE(e, (e ? "" : e.err().to_string()));
  return std::move(*e);
}

std::map<int64_t, written> read_topic(engine& eng, int64_t end) {
  consumer_options o;
  o.auto_offset_reset = offset_reset::earliest;
  auto c = eng.make_consumer(o);
  REQUIRE(c);
  REQUIRE((*c)->assign({{"prices", partition_id{0}}}));
  std::map<int64_t, written> out;
  int64_t last = -1;
  auto deadline = std::chrono::steady_clock::now() + 30s;
  while (last < end - 1 && std::chrono::steady_clock::now() < deadline) {
    auto rs = (*c)->poll(100ms);
    REQUIRE_MESSAGE(rs, (rs ? "" : rs.err().to_string()));
    for (const auto& r : *rs) {
      REQUIRE(r.key);
      REQUIRE(r.value);
      CHECK(r.offset > last);
      last = r.offset;
      out[r.offset] = {std::string(as_string_view(*r.key)), std::string(as_string_view(*r.value))};
    }
  }
  REQUIRE(last == end - 1);
  return out;
}

}  // namespace

TEST_CASE("crash: SIGKILL during a cleaning leaves the compacted topic whole, repeatedly") {
  temp_dir dir("lkstream-compaction-crash");
  const std::string data = dir.path() + "/data";
  std::map<int64_t, written> sent;
  // Appends `rounds` updates of the 40 keys, one batch per round (a segment holds about two).
  auto produce = [&](int first_round, int rounds) {
    auto eng = open_dir(data, nullptr);
    if (!eng->describe_topic("prices")) {
      auto s = eng->configuration().topic_defaults;
      s.log.cleanup = storage::cleanup_policy::compact;
      s.log.segment_bytes = 4096;
      s.log.min_cleanable_dirty_ratio = 0.01;
      s.log.fsync = storage::fsync_policy::always;
      REQUIRE(eng->create_topic("prices", s));
    }
    auto p = eng->make_producer();
    std::mutex m;
    for (int round = first_round; round < first_round + rounds; ++round) {
      for (int k = 0; k < 40; ++k) {
        std::string key = "sym-" + std::to_string(k);
        std::string value = "px-" + std::to_string(round) + "-" + std::to_string(k) +
                            std::string(20, 'x');
        REQUIRE(p->send({.topic = "prices", .key = as_bytes(key), .value = as_bytes(value)},
                        [&, key, value](const delivery_report& d) {
                          REQUIRE(d.code == errc::ok);
                          std::lock_guard g(m);
                          sent[d.offset] = {key, value};
                        }));
      }
      REQUIRE(p->flush(10s));
    }
  };
  produce(0, 60);
  REQUIRE(sent.size() == 2400);

  const std::string cfg_path = dir.path() + "/lkstream.toml";
  REQUIRE(write_file(cfg_path, "[broker]\ndata_dir = \"" + data +
                           "\"\ncleaner_backoff_ms = 10\n"
                           "cleaner_io_max_bytes_per_second = \"256KiB\"\n"));

  uint32_t seed = std::random_device{}();
  if (const char* s = std::getenv("LKSTREAM_CRASH_SEED")) seed = static_cast<uint32_t>(std::atoi(s));
  MESSAGE("LKSTREAM_CRASH_SEED=" << seed);
  std::mt19937 rng(seed);
  int interrupted = 0;
  for (int round = 0; round < 6; ++round) {
    CAPTURE(round);
    if (round > 0) produce(60 + 20 * (round - 1), 20);  // new dirty data for this round
    const auto end = static_cast<int64_t>(sent.size());
    std::map<std::string, int64_t> last_of;
    for (const auto& [o, w] : sent) last_of[w.key] = o;
    {
      child_process serve({LKSTREAM_APP, "serve", "--config", cfg_path, "--listen", "127.0.0.1:0"});
      REQUIRE_MESSAGE(serve.started(), serve.error());
      REQUIRE_MESSAGE(serve.wait_for_line("lkstream: ready", after(30s)), serve.stderr_text());
      // A cleaning here takes about 2 s (scan, key map, rewrite at 256 KiB/s): the kill lands
      // in any of its phases, or before or after it.
      std::this_thread::sleep_for(std::chrono::milliseconds(rng() % 3000));
      serve.send_signal(SIGKILL);
      auto st = serve.wait(after(30s));
      REQUIRE(st);
      CHECK(WIFSIGNALED(*st));
    }
    std::vector<std::string> lines;
    auto eng = open_dir(data, &lines);
    for (const auto& l : lines) interrupted += l.find("interrupted cleaning") != std::string::npos;
    const auto seen = read_topic(*eng, end);
    for (const auto& [o, w] : seen) {
      REQUIRE(sent.count(o));
      CHECK(sent.at(o) == w);  // every record is the one written at its offset
    }
    for (const auto& [key, o] : last_of) CHECK(seen.count(o));  // no latest value is lost
    for (const auto& l : lines) CHECK_MESSAGE(l.find("corrupt") == std::string::npos, l);
  }
  MESSAGE("cleanings found interrupted at open: " << interrupted);

  // Let serve finish: the cleaner reports its cleaning, then a clean stop.
  {
    child_process serve({LKSTREAM_APP, "serve", "--config", cfg_path, "--listen", "127.0.0.1:0"});
    REQUIRE_MESSAGE(serve.started(), serve.error());
    REQUIRE_MESSAGE(serve.wait_for_line("lkstream: ready", after(30s)), serve.stderr_text());
    auto deadline = after(20s);  // nothing to report if a killed round finished the cleaning
    while (serve.stderr_text().find("cleaner: prices-0: cleaned") == std::string::npos &&
           std::chrono::steady_clock::now() < deadline)
      (void)serve.read_line(after(100ms));
    serve.send_signal(SIGTERM);
    auto st = serve.wait(after(30s));
    REQUIRE(st);
  }
  auto eng = open_dir(data, nullptr);
  const auto end = static_cast<int64_t>(sent.size());
  const auto seen = read_topic(*eng, end);
  // The active segment (the last .log of the partition directory) is never cleaned; below it
  // exactly the latest record of every key is left.
  int64_t active_base = 0;
  for (const auto& f : std::filesystem::directory_iterator(data + "/prices-0")) {
    const auto name = f.path().filename().string();
    if (name.size() == 24 && name.ends_with(".log"))
      active_base = std::max<int64_t>(active_base, std::stoll(name.substr(0, 20)));
  }
  REQUIRE(active_base > 0);
  std::map<std::string, int64_t> last_below;
  for (const auto& [o, w] : sent)
    if (o < active_base) last_below[w.key] = o;
  for (const auto& [o, w] : seen)
    if (o < active_base) CHECK_MESSAGE(last_below.at(w.key) == o, "offset " << o << " " << w.key);
  for (const auto& [key, o] : last_below) CHECK(seen.count(o));
  for (int64_t o = active_base; o < end; ++o) CHECK(seen.count(o));
}

// The process crash_test kills: opens the engine on DATA_DIR, creates topic "crash"
// (fsync = "always", 3 partitions, 64 KiB segments) if missing, then produces records from
// several threads and consumes them with a group consumer that commits as it goes. Reports
// acknowledged records and committed offsets on stdout (crash_protocol.hpp) until killed.
//
//   crash_child DATA_DIR ROUND RATE [MAX_SECONDS]
//
// RATE is records per second over all producer threads, 0 = as fast as the disk allows. Under
// full load every fdatasync queues behind the partitions' data, so commits are rare; a
// moderate rate lets the consumer keep up and commit often. If nobody kills the child within
// MAX_SECONDS (default 30) it exits 3: the parent failed.
#include <sys/prctl.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "crash_protocol.hpp"
#include "lkstream/consumer.hpp"
#include "lkstream/engine.hpp"
#include "lkstream/producer.hpp"

namespace crash = lkstream::testing::crash;
using namespace std::chrono_literals;

namespace {

/// One line, one write(2) below PIPE_BUF: atomic with respect to other threads' lines.
template <class... Args>
void emit(const char* fmt, Args... args) {
  char buf[256];
  int n = std::snprintf(buf, sizeof buf, fmt, args...);
  const char* p = buf;
  while (n > 0) {
    ssize_t w = write(STDOUT_FILENO, p, static_cast<size_t>(n));
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) std::_Exit(5);  // the parent is gone
    p += w;
    n -= static_cast<int>(w);
  }
}

[[noreturn]] void die(const std::string& what) {
  std::fprintf(stderr, "crash_child: %s\n", what.c_str());
  std::_Exit(4);
}

void consume_and_commit(lkstream::engine& eng, const std::atomic<bool>& stop) {
  lkstream::consumer_options opts;
  opts.group_id = std::string(crash::group);
  opts.auto_offset_reset = lkstream::offset_reset::earliest;
  opts.enable_auto_commit = false;
  opts.session_timeout_ms = 6000;
  auto cons = eng.make_consumer(opts);
  if (!cons) die("make_consumer: " + cons.err().to_string());
  if (auto st = (*cons)->subscribe({std::string(crash::topic)}); !st)
    die("subscribe: " + st.err().to_string());
  std::map<lkstream::topic_partition, int64_t> next;  // next offset to read, per partition
  auto last_commit = std::chrono::steady_clock::now();
  while (!stop) {
    auto recs = (*cons)->poll(20ms);
    if (!recs) die("poll: " + recs.err().to_string());
    for (auto& r : *recs) {
      if (!r.value || !crash::parse_value(lkstream::as_string_view(*r.value)))
        die("consumed a malformed value at partition " + std::to_string(r.partition) + " offset " +
            std::to_string(r.offset));
      next[{*r.topic, lkstream::partition_id{r.partition}}] = r.offset + 1;
    }
    if (next.empty() || std::chrono::steady_clock::now() - last_commit < 30ms) continue;
    if (auto st = (*cons)->commit_sync(next); st) {
      for (auto& [tp, off] : next) emit("commit %d %lld\n", tp.partition.value(), (long long)off);
    } else if (st.code() != lkstream::errc::rebalance_in_progress) {
      std::fprintf(stderr, "crash_child: commit: %s\n", st.err().to_string().c_str());
    }
    last_commit = std::chrono::steady_clock::now();
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 4) {
    std::fprintf(stderr, "usage: crash_child DATA_DIR ROUND RATE [MAX_SECONDS]\n");
    return 2;
  }
  prctl(PR_SET_PDEATHSIG, SIGKILL);  // never outlive the test
  const int round = std::atoi(argv[2]);
  const int64_t rate = std::atoll(argv[3]);
  const int max_seconds = argc > 4 ? std::atoi(argv[4]) : 30;

  lkstream::engine_options eopts;
  eopts.data_dir = argv[1];
  auto eng = lkstream::engine::open(std::move(eopts));
  if (!eng) die("open: " + eng.err().to_string());
  if (!(*eng)->describe_topic(crash::topic)) {
    auto settings = (*eng)->configuration().topic_defaults;
    settings.partitions = crash::partitions;
    settings.log.fsync = lkstream::storage::fsync_policy::always;
    settings.log.segment_bytes = crash::segment_bytes;
    if (auto st = (*eng)->create_topic(crash::topic, settings); !st)
      die("create_topic: " + st.err().to_string());
  }
  auto info = (*eng)->describe_topic(crash::topic);
  if (!info || info->partitions.size() != crash::partitions) die("describe_topic failed");
  emit("ready %lld %lld %lld\n", (long long)info->partitions[0].end_offset,
       (long long)info->partitions[1].end_offset, (long long)info->partitions[2].end_offset);

  std::atomic<bool> stop{false};
  std::thread consumer_thread([&] { consume_and_commit(**eng, stop); });

  lkstream::producer_options popts;
  popts.linger_ms = 1;
  auto prod = (*eng)->make_producer(popts);
  std::atomic<int64_t> next_seq{0};
  std::vector<std::thread> producers;
  constexpr int threads = 3;
  constexpr int64_t pace_every = 50;  // records between two pacing points of one thread
  for (int t = 0; t < threads; ++t) {
    producers.emplace_back([&] {
      auto due = std::chrono::steady_clock::now();
      for (int64_t n = 1; !stop; ++n) {
        if (rate > 0 && n % pace_every == 0) {
          due += std::chrono::microseconds(pace_every * threads * 1000000 / rate);
          std::this_thread::sleep_until(due);
        }
        int64_t seq = next_seq.fetch_add(1);
        std::string key = "k" + std::to_string(seq);
        std::string value = crash::make_value(round, seq);
        auto st =
            prod->send({.topic = crash::topic,
                        .key = lkstream::as_bytes(key),
                        .value = lkstream::as_bytes(value)},
                       [round, seq](const lkstream::delivery_report& r) {
                         if (r.code == lkstream::errc::ok)
                           emit("ack %d %lld %d %lld\n", r.partition, (long long)r.offset, round,
                                (long long)seq);
                         else
                           std::fprintf(stderr, "crash_child: delivery of seq %lld failed: %.*s\n",
                                        (long long)seq, (int)r.message.size(), r.message.data());
                       });
        if (!st) die("send: " + st.err().to_string());
      }
    });
  }

  // Normally SIGKILL arrives long before this; running out of time means the parent failed.
  std::this_thread::sleep_for(std::chrono::seconds(max_seconds));
  stop = true;
  for (auto& t : producers) t.join();
  consumer_thread.join();
  std::fprintf(stderr, "crash_child: not killed within %d s\n", max_seconds);
  return 3;
}

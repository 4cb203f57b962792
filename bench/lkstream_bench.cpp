// lkstream_bench: throughput and latency of the storage log and the embedded API, each
// throughput also as a ratio to the raw sequential write() bandwidth of the same bytes measured
// in the same run on the same file system. Method and recorded figures: BENCHMARKS.md.
//
//   lkstream_bench [--dir DIR] [--seconds S] [--max-mib N] [--only SECTION]
//
// --dir      where the files go (default $TMPDIR or /tmp; a fresh subdirectory, removed after)
// --seconds  cap of one throughput repetition (default 1.5); each figure is the median of 3
// --max-mib  cap of bytes written by one repetition (default 256)
// --only     one section: append, send, e2e or commit (default: all; targets of skipped
//            sections then show as misses)
//
// The last line of the output is one JSON object with every figure.
#include <fcntl.h>
#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cinttypes>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <functional>
#include <map>
#include <mutex>
#include <span>
#include <string>
#include <thread>
#include <vector>

#include "lkstream/consumer.hpp"
#include "lkstream/engine.hpp"
#include "lkstream/model/record_batch.hpp"
#include "lkstream/producer.hpp"
#include "lkstream/storage/log.hpp"

namespace {

using clock_type = std::chrono::steady_clock;
using lkstream::storage::fsync_policy;

struct options {
  std::string base_dir;
  double seconds = 1.5;
  uint64_t max_bytes = 256ull << 20;
  std::string only;  // empty = every section; else "append", "send", "e2e" or "commit"
  bool run(const char* section) const { return only.empty() || only == section; }
};

struct run_figures {
  uint64_t bytes = 0;  // bytes that reached the file / the log (batch framing included)
  uint64_t records = 0;
  double seconds = 0;
  double mbps() const { return seconds > 0 ? bytes / seconds / 1e6 : 0; }
  double rps() const { return seconds > 0 ? records / seconds : 0; }
};

[[noreturn]] void die(const std::string& what) {
  std::fprintf(stderr, "lkstream_bench: %s\n", what.c_str());
  std::exit(1);
}

double elapsed_s(clock_type::time_point since) {
  return std::chrono::duration<double>(clock_type::now() - since).count();
}

/// The median of three repetitions (by bytes per second).
run_figures median_of_3(const std::function<run_figures()>& run) {
  std::vector<run_figures> v{run(), run(), run()};
  std::sort(v.begin(), v.end(), [](auto& a, auto& b) { return a.mbps() < b.mbps(); });
  return v[1];
}

/// 16 batches of ~256 KiB, each full of records with `value_size`-byte values and no key:
/// 4 MiB of distinct bytes, written cyclically by every disk run.
struct batch_set {
  size_t value_size;
  std::vector<lkstream::bytes> batches;
  std::vector<int32_t> records;
};

batch_set build_batches(size_t value_size) {
  constexpr size_t batch_target = 256 * 1024;
  batch_set set{value_size, {}, {}};
  std::string value(value_size, 'x');
  auto now = std::chrono::duration_cast<std::chrono::milliseconds>(
                 std::chrono::system_clock::now().time_since_epoch())
                 .count();
  for (int b = 0; b < 16; ++b) {
    lkstream::bytes buf;
    lkstream::model::batch_builder builder(buf);
    const size_t est = lkstream::model::batch_builder::estimate_record_size(0, value_size, 0);
    int64_t i = 0;
    while (builder.size_bytes() + est <= batch_target) {
      std::snprintf(value.data(), value.size(), "%016" PRId64, b * 1000000 + i++);
      builder.append(now, std::nullopt, lkstream::as_bytes(value));
    }
    builder.finish();
    set.records.push_back(builder.record_count());
    set.batches.push_back(std::move(buf));
  }
  return set;
}

/// Plain write(2) of the batches into a fresh file until either cap. `synced` adds one
/// fdatasync at the end to the timed part.
run_figures raw_write(const options& o, const batch_set& set, bool synced) {
  std::string path = o.base_dir + "/raw.dat";
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) die("open " + path + ": " + std::strerror(errno));
  run_figures f;
  auto start = clock_type::now();
  for (size_t i = 0; f.bytes < o.max_bytes; ++i) {
    auto& b = set.batches[i % set.batches.size()];
    for (size_t done = 0; done < b.size();) {
      ssize_t w = ::write(fd, b.data() + done, b.size() - done);
      if (w < 0 && errno == EINTR) continue;
      if (w <= 0) die("write " + path + ": " + std::strerror(errno));
      done += static_cast<size_t>(w);
    }
    f.bytes += b.size();
    f.records += static_cast<uint64_t>(set.records[i % set.records.size()]);
    if ((i & 7) == 7 && elapsed_s(start) >= o.seconds) break;
  }
  if (synced) ::fdatasync(fd);
  f.seconds = elapsed_s(start);
  ::close(fd);
  ::unlink(path.c_str());
  return f;
}

/// Appends the batches through storage::log, validating CRC and structure as a produce does
/// (`validate` = false shows what that validation costs). The tier is applied as the partition
/// actor does: `always` syncs after every append, `interval` when fsync_interval_ms passed, `never`
/// not at all. close() (which syncs) is not timed, as the raw run times no final fdatasync.
run_figures append_direct(const options& o, batch_set& set, fsync_policy tier,
                          bool validate = true) {
  std::string dir = o.base_dir + "/direct";
  lkstream::storage::log_config cfg;
  cfg.fsync = tier;
  cfg.retention_ms = -1;
  auto now_ms = [] {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
  };
  auto lg =
      lkstream::storage::log::open(lkstream::storage::make_posix_file_system(), dir, cfg, now_ms());
  if (!lg) die("log::open: " + lg.err().to_string());
  run_figures f;
  auto start = clock_type::now();
  auto last_sync = start;
  for (size_t i = 0; f.bytes < o.max_bytes; ++i) {
    auto& b = set.batches[i % set.batches.size()];
    auto r = (*lg)->append(lkstream::mutable_bytes_view(b), now_ms(), validate);
    if (!r) die("append: " + r.err().to_string());
    auto t = clock_type::now();
    if (tier == fsync_policy::always ||
        (tier == fsync_policy::interval &&
         t - last_sync >= std::chrono::milliseconds(cfg.fsync_interval_ms))) {
      if (auto s = (*lg)->sync(); !s) die("sync: " + s.err().to_string());
      last_sync = t;
    }
    f.bytes += b.size();
    f.records += static_cast<uint64_t>(set.records[i % set.records.size()]);
    if ((i & 7) == 7 && elapsed_s(start) >= o.seconds) break;
  }
  f.seconds = elapsed_s(start);
  if (auto s = (*lg)->remove(); !s) die("remove: " + s.err().to_string());
  return f;
}

/// An engine on a fresh directory with one single-partition topic "bench" of this tier.
struct bench_engine {
  std::unique_ptr<lkstream::engine> eng;
  std::string dir;

  bench_engine(const options& o, fsync_policy tier, const std::string& name) {
    dir = o.base_dir + "/" + name;
    lkstream::engine_options opts;
    opts.data_dir = dir;
    auto e = lkstream::engine::open(std::move(opts));
    if (!e) die("engine::open: " + e.err().to_string());
    eng = std::move(*e);
    auto settings = eng->configuration().topic_defaults;
    settings.partitions = 1;
    settings.log.fsync = tier;
    settings.log.retention_ms = -1;
    if (auto s = eng->create_topic("bench", settings); !s)
      die("create_topic: " + s.err().to_string());
  }
  uint64_t topic_bytes() const {
    auto info = eng->describe_topic("bench");
    return info ? info->size_bytes() : 0;
  }
  ~bench_engine() {
    if (auto s = eng->close(); !s) std::fprintf(stderr, "close: %s\n", s.err().to_string().c_str());
    eng.reset();
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
  }
};

/// producer::send in a loop (no key: sticky partitioning), then flush(); until either cap.
/// With `callbacks`, every record carries a delivery callback that counts acknowledgements.
run_figures produce(const options& o, fsync_policy tier, size_t value_size, bool callbacks,
                    uint64_t max_bytes) {
  bench_engine be(o, tier, "produce");
  run_figures f;
  std::atomic<uint64_t> acked{0};
  {
    lkstream::producer_options popts;
    auto prod = be.eng->make_producer(popts);
    std::string value(value_size, 'v');
    lkstream::delivery_callback cb;
    if (callbacks)
      cb = [&acked](const lkstream::delivery_report& r) {
        if (r.code == lkstream::errc::ok) acked.fetch_add(1, std::memory_order_relaxed);
      };
    const lkstream::producer_record rec{
        .topic = "bench", .key = std::nullopt, .value = lkstream::as_bytes(value)};
    auto start = clock_type::now();
    for (uint64_t i = 0; i * value_size < max_bytes; ++i) {
      if (auto s = prod->send(rec, cb); !s) die("send: " + s.err().to_string());
      ++f.records;
      if ((i & 4095) == 4095 && elapsed_s(start) >= o.seconds) break;
    }
    if (auto s = prod->flush(); !s) die("flush: " + s.err().to_string());
    f.seconds = elapsed_s(start);
  }
  if (callbacks && acked != f.records)
    die("produce: " + std::to_string(acked) + " of " + std::to_string(f.records) + " acknowledged");
  f.bytes = be.topic_bytes();
  return f;
}

struct latency_figures {
  double p50_us = 0, p99_us = 0, p999_us = 0, max_us = 0;
  double ack_p50_us = 0, ack_p99_us = 0, ack_p999_us = 0, ack_max_us = 0;
  double late_p50_us = 0, late_p99_us = 0;  // the sender's own lateness (included above)
  uint64_t samples = 0;
  double achieved_rate = 0;
};

/// Percentiles of a sample of nanosecond latencies, in microseconds (sorts `ns`).
struct percentiles {
  double p50_us = 0, p99_us = 0, p999_us = 0, max_us = 0;
};

percentiles percentiles_of(std::vector<int64_t>& ns) {
  percentiles p;
  if (ns.empty()) return p;
  std::sort(ns.begin(), ns.end());
  auto at = [&](double q) { return ns[std::min(ns.size() - 1, size_t(q * ns.size()))] / 1e3; };
  p.p50_us = at(0.50);
  p.p99_us = at(0.99);
  p.p999_us = at(0.999);
  p.max_us = ns.back() / 1e3;
  return p;
}

/// The e2e and sender-lateness percentiles of one latency run.
latency_figures latency_of(std::vector<int64_t>& lat_ns, std::vector<int64_t>& late_ns,
                           double achieved_rate) {
  latency_figures lf;
  lf.samples = lat_ns.size();
  auto e2e = percentiles_of(lat_ns);
  lf.p50_us = e2e.p50_us;
  lf.p99_us = e2e.p99_us;
  lf.p999_us = e2e.p999_us;
  lf.max_us = e2e.max_us;
  auto late = percentiles_of(late_ns);
  lf.late_p50_us = late.p50_us;
  lf.late_p99_us = late.p99_us;
  lf.achieved_rate = achieved_rate;
  return lf;
}

/// The fixed-rate sender of the latency runs: record i is due at start + i * interval; the
/// thread sleeps until the next one is due (timer slack is 1 ns, see main) and then sends
/// every record that is due, each stamped with its *scheduled* time (so a late sender shows
/// up as latency: no coordinated omission). `late_ns` gets how late the sender itself was for
/// each record due from `measured_from` on.
void paced_send(clock_type::time_point start, std::chrono::nanoseconds interval, uint64_t total,
                clock_type::time_point measured_from, std::vector<int64_t>& late_ns,
                const std::function<void(int64_t scheduled_ns)>& send) {
  late_ns.reserve(total);
  for (uint64_t i = 0; i < total;) {
    auto now = clock_type::now();
    for (; i < total && start + i * interval <= now; ++i) {
      if (start + i * interval >= measured_from)
        late_ns.push_back((clock_type::now() - (start + i * interval)).count());
      send((start + i * interval).time_since_epoch().count());
    }
    if (i < total) {
      auto next = std::chrono::duration_cast<std::chrono::nanoseconds>(
          (start + i * interval).time_since_epoch());
      timespec ts{static_cast<time_t>(next.count() / 1000000000),
                  static_cast<long>(next.count() % 1000000000)};
      clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, nullptr);
    }
  }
}

/// The platform's floor for the e2e figure: the same sender and pacing, the same two thread
/// hand-offs an engine record makes (sender -> CAF worker -> consumer thread; `hops` = 2), and
/// nothing else: no log, no actor, no batch encoding. `hops` = 1 is sender -> consumer thread,
/// the least any design with the consumer on its own thread can do. Each stage takes everything queued at once and
/// wakes the next only if it sleeps, as the engine does. What the engine adds on top of this
/// is its own cost; what this shows is the machine's (thread wake-up latency).
latency_figures handoff_floor(int hops, double rate, std::chrono::milliseconds duration,
                              std::chrono::milliseconds warmup) {
  struct stage {
    std::mutex m;
    std::condition_variable cv;
    std::vector<int64_t> queue;  // scheduled times; -1 ends the run
    bool sleeping = false;
    void push(std::span<const int64_t> v) {
      std::lock_guard<std::mutex> g(m);
      queue.insert(queue.end(), v.begin(), v.end());
      if (sleeping) cv.notify_one();
    }
    void take(std::vector<int64_t>& out) {
      std::unique_lock<std::mutex> lk(m);
      sleeping = true;
      cv.wait(lk, [&] { return !queue.empty(); });
      sleeping = false;
      out.swap(queue);
    }
  };
  const uint64_t total = static_cast<uint64_t>(rate * (duration.count() / 1000.0));
  const auto interval = std::chrono::nanoseconds(static_cast<int64_t>(1e9 / rate));
  const auto start = clock_type::now() + std::chrono::milliseconds(50);
  const auto measured_from = start + warmup;
  stage worker, reader;
  std::vector<int64_t> lat_ns;
  lat_ns.reserve(total);
  stage& first = hops == 2 ? worker : reader;
  std::thread w([&] {
    if (hops != 2) return;
    std::vector<int64_t> got;
    for (bool done = false; !done;) {
      got.clear();
      worker.take(got);
      reader.push(got);
      done = got.back() < 0;
    }
  });
  std::thread r([&] {
    std::vector<int64_t> got;
    for (bool done = false; !done;) {
      got.clear();
      reader.take(got);
      const auto now = clock_type::now().time_since_epoch().count();
      for (int64_t t : got) {
        if (t < 0) done = true;
        else if (clock_type::time_point(clock_type::duration(t)) >= measured_from)
          lat_ns.push_back(now - t);
      }
    }
  });
  std::vector<int64_t> late_ns;
  paced_send(start, interval, total, measured_from, late_ns,
             [&](int64_t scheduled) { first.push({&scheduled, 1}); });
  const double send_seconds = elapsed_s(start);
  const int64_t end = -1;
  first.push({&end, 1});
  w.join();
  r.join();
  return latency_of(lat_ns, late_ns, total / send_seconds);
}

/// Producer -> consumer in one process at a fixed rate. Each value carries the time its send
/// was *scheduled* (steady clock, ns), so a stalled sender shows up as latency instead of
/// being hidden (coordinated omission). The first `warmup` is not measured.
latency_figures e2e_latency(const options& o, double rate, std::chrono::milliseconds duration,
                            std::chrono::milliseconds warmup) {
  bench_engine be(o, fsync_policy::never, "latency");
  lkstream::consumer_options copts;
  copts.enable_auto_commit = false;
  auto cons = be.eng->make_consumer(copts);
  if (!cons) die("make_consumer: " + cons.err().to_string());
  if (auto s = (*cons)->assign({{"bench", lkstream::partition_id{0}}}); !s)
    die("assign: " + s.err().to_string());
  if (auto s = (*cons)->seek_to_beginning(); !s) die("seek: " + s.err().to_string());

  const uint64_t total = static_cast<uint64_t>(rate * (duration.count() / 1000.0));
  const auto interval = std::chrono::nanoseconds(static_cast<int64_t>(1e9 / rate));
  const auto start = clock_type::now() + std::chrono::milliseconds(50);
  const auto measured_from = start + warmup;
  std::vector<int64_t> lat_ns;
  lat_ns.reserve(total);
  std::atomic<uint64_t> received{0};
  std::thread reader([&] {
    auto until = start + duration + std::chrono::seconds(10);
    while (received < total && clock_type::now() < until) {
      auto recs = (*cons)->poll(std::chrono::milliseconds(100));
      if (!recs) die("poll: " + recs.err().to_string());
      auto now = clock_type::now().time_since_epoch().count();
      for (auto& r : *recs) {
        int64_t scheduled = 0;
        std::memcpy(&scheduled, r.value->data(), sizeof scheduled);
        if (clock_type::time_point(clock_type::duration(scheduled)) >= measured_from)
          lat_ns.push_back(now - scheduled);
      }
      received += recs->size();
    }
  });

  // Publish-ack latency: one partition acknowledges in order, so the n-th delivery report is
  // the n-th record's (scheduled at start + n * interval).
  struct ack_state {
    std::atomic<uint64_t> next{0};
    std::vector<int64_t> ns;
    clock_type::time_point start, measured_from;
    std::chrono::nanoseconds interval;
  } acks;
  acks.ns.reserve(total);
  acks.start = start;
  acks.measured_from = measured_from;
  acks.interval = interval;
  auto on_ack = [a = &acks](const lkstream::delivery_report&) {
    const auto sched = a->start + a->next.fetch_add(1, std::memory_order_relaxed) * a->interval;
    if (sched >= a->measured_from) a->ns.push_back((clock_type::now() - sched).count());
  };

  std::vector<int64_t> late_ns;
  lkstream::producer_options popts;
  popts.linger_ms = 0;
  auto prod = be.eng->make_producer(popts);
  std::string value(100, 'l');
  paced_send(start, interval, total, measured_from, late_ns, [&](int64_t scheduled) {
    std::memcpy(value.data(), &scheduled, sizeof scheduled);
    if (auto s = prod->send(
            {.topic = "bench", .key = std::nullopt, .value = lkstream::as_bytes(value)}, on_ack);
        !s)
      die("send: " + s.err().to_string());
  });
  const double send_seconds = elapsed_s(start);
  if (auto s = prod->flush(); !s) die("flush: " + s.err().to_string());
  reader.join();
  prod.reset();
  (void)(*cons)->close();
  cons->reset();
  if (received != total)
    die("latency run: received " + std::to_string(received.load()) + " of " +
        std::to_string(total));

  latency_figures lf = latency_of(lat_ns, late_ns, total / send_seconds);
  auto ack = percentiles_of(acks.ns);
  lf.ack_p50_us = ack.p50_us;
  lf.ack_p99_us = ack.p99_us;
  lf.ack_p999_us = ack.p999_us;
  lf.ack_max_us = ack.max_us;
  return lf;
}

struct commit_figures {
  double p50_ms = 0, p99_ms = 0, max_ms = 0;
  uint64_t commits = 0;
  uint64_t records = 0;  // appended to the always topic meanwhile
};

/// commit_sync() latency of a group consumer while a producer keeps an fsync = "always" topic
/// busy (every append waits for its fdatasync): offset commits compete with data syncs for the
/// disk, and must not wait behind them for a CAF worker (offset syncs run on their own thread,
/// several commits share one sync).
commit_figures commit_latency(const options& o, std::chrono::milliseconds duration) {
  bench_engine be(o, fsync_policy::always, "commit");
  if (auto s = be.eng->create_topic("offsets-bench", 1); !s)
    die("create_topic: " + s.err().to_string());
  std::atomic<bool> stop{false};
  std::atomic<uint64_t> sent{0};
  std::thread load([&] {
    auto prod = be.eng->make_producer();
    std::string value(1024, 'c');
    const lkstream::producer_record rec{.topic = "bench", .value = lkstream::as_bytes(value)};
    while (!stop) {
      if (auto s = prod->send(rec); !s) die("send: " + s.err().to_string());
      if ((sent.fetch_add(1) & 1023) == 1023) std::this_thread::yield();
    }
    if (auto s = prod->flush(); !s) die("flush: " + s.err().to_string());
  });
  lkstream::consumer_options copts;
  copts.group_id = "bench-group";
  copts.enable_auto_commit = false;
  auto cons = be.eng->make_consumer(copts);
  if (!cons) die("make_consumer: " + cons.err().to_string());
  const lkstream::topic_partition tp{"offsets-bench", lkstream::partition_id{0}};
  if (auto s = (*cons)->assign({tp}); !s) die("assign: " + s.err().to_string());
  std::vector<double> ms;
  std::this_thread::sleep_for(std::chrono::milliseconds(200));  // let the load build up
  const auto until = clock_type::now() + duration;
  for (int64_t i = 1; clock_type::now() < until; ++i) {
    auto t0 = clock_type::now();
    if (auto s = (*cons)->commit_sync({{tp, i}}); !s) die("commit_sync: " + s.err().to_string());
    ms.push_back(std::chrono::duration<double, std::milli>(clock_type::now() - t0).count());
  }
  stop = true;
  load.join();
  (void)(*cons)->close();
  cons->reset();
  commit_figures f;
  std::sort(ms.begin(), ms.end());
  auto pct = [&](double q) { return ms.empty() ? 0.0 : ms[std::min(ms.size() - 1, size_t(q * ms.size()))]; };
  f.p50_ms = pct(0.5);
  f.p99_ms = pct(0.99);
  f.max_ms = ms.empty() ? 0 : ms.back();
  f.commits = ms.size();
  f.records = sent;
  return f;
}

std::string tier_name(fsync_policy t) {
  return std::string(lkstream::storage::to_string(t));
}

struct json_out {
  std::string text = "{";
  void num(const std::string& key, double v) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.6g", v);
    add(key, buf);
  }
  void boolean(const std::string& key, bool v) { add(key, v ? "true" : "false"); }
  void str(const std::string& key, const std::string& v) { add(key, "\"" + v + "\""); }
  void add(const std::string& key, const std::string& v) {
    if (text.size() > 1) text += ", ";
    text += "\"" + key + "\": " + v;
  }
};

std::string cpu_model() {
  FILE* f = std::fopen("/proc/cpuinfo", "r");
  if (!f) return "unknown";
  char line[512];
  std::string model = "unknown";
  while (std::fgets(line, sizeof line, f)) {
    if (std::strncmp(line, "model name", 10) == 0) {
      const char* c = std::strchr(line, ':');
      if (c) model = std::string(c + 2, std::strcspn(c + 2, "\n"));
      break;
    }
  }
  std::fclose(f);
  for (auto& ch : model)
    if (ch == '"' || ch == '\\') ch = ' ';
  return model;
}

}  // namespace

int main(int argc, char** argv) {
  options o;
  std::string parent;
  if (const char* t = std::getenv("TMPDIR"); t && *t)
    parent = t;
  else
    parent = "/tmp";
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) die("flag " + a + " needs a value");
      return argv[++i];
    };
    if (a == "--dir")
      parent = value();
    else if (a == "--seconds")
      o.seconds = std::stod(value());
    else if (a == "--max-mib")
      o.max_bytes = std::stoull(value()) << 20;
    else if (a == "--only")
      o.only = value();
    else
      die("unknown flag " + a + " (flags: --dir DIR, --seconds S, --max-mib N, --only SECTION)");
  }
  std::setvbuf(stdout, nullptr, _IOLBF, 0);  // progress shows up as it happens, even in a pipe
  prctl(PR_SET_TIMERSLACK, 1UL);             // precise sleeps for the fixed-rate sender
  std::string templ = parent + "/lkstream-bench-XXXXXX";
  if (!mkdtemp(templ.data())) die("mkdtemp in " + parent + ": " + std::strerror(errno));
  o.base_dir = templ;
  const auto bench_start = clock_type::now();
  double load[1] = {0};
  getloadavg(load, 1);  // other work on the machine skews every figure: print it
  std::printf(
      "lkstream_bench: dir %s, %u cpus, %s, load average %.2f; each throughput = median of 3 "
      "runs of <= %.1f s or <= %" PRIu64 " MiB; MB = 10^6 bytes\n",
      o.base_dir.c_str(), std::thread::hardware_concurrency(), cpu_model().c_str(), load[0],
      o.seconds, o.max_bytes >> 20);
  std::fflush(stdout);

  json_out js;
  const fsync_policy tiers[] = {fsync_policy::never, fsync_policy::interval, fsync_policy::always};
  std::map<std::string, double> fig;
  for (size_t size : {size_t{100}, size_t{1024}}) {
    if (!o.run("append")) break;
    const std::string sz = size == 100 ? "100b" : "1k";
    batch_set set = build_batches(size);
    auto raw = median_of_3([&] { return raw_write(o, set, false); });
    auto raw_synced = median_of_3([&] { return raw_write(o, set, true); });
    std::printf("\n%s records (%d per 256 KiB batch)\n", sz.c_str(), set.records[0]);
    std::printf(
        "  raw write()                     %9.1f MB/s   (%.1f MB/s with a final fdatasync timed)\n",
        raw.mbps(), raw_synced.mbps());
    js.num("raw_write_" + sz + "_mbps", raw.mbps());
    js.num("raw_write_synced_" + sz + "_mbps", raw_synced.mbps());
    if (size == 1024) js.num("raw_write_mbps", raw.mbps());
    auto report = [&](const std::string& key, const std::string& label, const run_figures& f) {
      std::printf("  %-31s %9.1f MB/s %12.0f rec/s   %.2fx raw\n", label.c_str(), f.mbps(), f.rps(),
                  f.mbps() / raw.mbps());
      js.num(key + "_mbps", f.mbps());
      js.num(key + "_rps", f.rps());
      js.num(key + "_ratio", f.mbps() / raw.mbps());
      fig[key + "_mbps"] = f.mbps();
      fig[key + "_ratio"] = f.mbps() / raw.mbps();
    };
    for (auto tier : tiers) {
      auto f = median_of_3([&] { return append_direct(o, set, tier); });
      report("append_" + sz + "_" + tier_name(tier), "log append, " + tier_name(tier), f);
    }
    auto unvalidated =
        median_of_3([&] { return append_direct(o, set, fsync_policy::never, false); });
    report("append_" + sz + "_never_novalidate", "log append, never, unvalidated", unvalidated);
    for (auto tier : tiers) {
      auto f = median_of_3([&] { return produce(o, tier, size, true, o.max_bytes); });
      report("produce_" + sz + "_" + tier_name(tier), "producer API, " + tier_name(tier), f);
    }
    std::fflush(stdout);
  }

  run_figures send_plain, send_cb;
  if (o.run("send")) {
    std::printf("\nsingle-record send, 100 B values, fsync never, send() loop then flush()\n");
    send_plain = median_of_3([&] { return produce(o, fsync_policy::never, 100, false, 1ull << 40); });
    send_cb = median_of_3([&] { return produce(o, fsync_policy::never, 100, true, 1ull << 40); });
    std::printf("  without callbacks          %12.0f rec/s\n", send_plain.rps());
    std::printf("  with a delivery callback   %12.0f rec/s\n", send_cb.rps());
    js.num("send_100b_rps", send_plain.rps());
    js.num("send_100b_cb_rps", send_cb.rps());
    std::fflush(stdout);
  }

  // The target rate, then a tenth of it: how latency behaves when the pipeline is not at its
  // limit. Keys of the second run carry "_10k".
  latency_figures lat;
  for (double rate : {100000.0, 10000.0}) {
    if (!o.run("e2e")) break;
    // The throughput sections leave gigabytes of dirty page cache behind; without this their
    // writeback (and the reclaim it causes) lands in the latency run and stalls the sender.
    ::sync();
    std::printf(
        "\nend-to-end latency producer -> consumer, 100 B, %.0f rec/s, linger_ms 0, "
        "fsync never\n",
        rate);
    auto l = e2e_latency(o, rate, std::chrono::milliseconds(3000), std::chrono::milliseconds(500));
    std::printf("  p50 %.1f us, p99 %.1f us, p99.9 %.1f us, max %.1f us (%" PRIu64
                " samples, sent at %.0f rec/s)\n",
                l.p50_us, l.p99_us, l.p999_us, l.max_us, l.samples, l.achieved_rate);
    std::printf("  publish-ack: p50 %.1f us, p99 %.1f us, p99.9 %.1f us, max %.1f us\n",
                l.ack_p50_us, l.ack_p99_us, l.ack_p999_us, l.ack_max_us);
    std::printf("  of which the sender's own lateness (timer wake-ups): p50 %.1f us, p99 %.1f us\n",
                l.late_p50_us, l.late_p99_us);
    auto fl = handoff_floor(2, rate, std::chrono::milliseconds(3000), std::chrono::milliseconds(500));
    auto fl1 = handoff_floor(1, rate, std::chrono::milliseconds(3000), std::chrono::milliseconds(500));
    std::printf("  floor, two bare thread hand-offs paced the same way: p50 %.1f us, p99 %.1f us, "
                "p99.9 %.1f us (sender late p99 %.1f us)\n",
                fl.p50_us, fl.p99_us, fl.p999_us, fl.late_p99_us);
    std::printf("  floor, one bare thread hand-off paced the same way:  p50 %.1f us, p99 %.1f us, "
                "p99.9 %.1f us (sender late p99 %.1f us)\n",
                fl1.p50_us, fl1.p99_us, fl1.p999_us, fl1.late_p99_us);
    std::printf("  engine / two-hand-off floor: p50 %.2fx, p99 %.2fx\n", l.p50_us / fl.p50_us,
                l.p99_us / fl.p99_us);
    const std::string k = rate == 100000.0 ? "e2e_" : "e2e_10k_";
    js.num(k + "floor_p50_us", fl.p50_us);
    js.num(k + "floor_p99_us", fl.p99_us);
    js.num(k + "floor_p999_us", fl.p999_us);
    js.num(k + "floor1_p50_us", fl1.p50_us);
    js.num(k + "floor1_p99_us", fl1.p99_us);
    js.num(k + "rate", rate);
    js.num(k + "achieved_rate", l.achieved_rate);
    js.num(k + "p50_us", l.p50_us);
    js.num(k + "p99_us", l.p99_us);
    js.num(k + "p999_us", l.p999_us);
    js.num(k + "max_us", l.max_us);
    js.num(k + "ack_p50_us", l.ack_p50_us);
    js.num(k + "ack_p99_us", l.ack_p99_us);
    js.num(k + "ack_max_us", l.ack_max_us);
    js.num(k + "sender_late_p99_us", l.late_p99_us);
    if (rate == 100000.0) lat = l;
  }

  if (o.run("commit")) {
    std::printf(
        "\ncommit_sync latency, one group consumer, while a producer loads an fsync = always "
        "topic (1 KiB)\n");
    auto cl = commit_latency(o, std::chrono::milliseconds(3000));
    std::printf("  p50 %.2f ms, p99 %.2f ms, max %.2f ms (%" PRIu64 " commits, %" PRIu64
                " records appended meanwhile)\n",
                cl.p50_ms, cl.p99_ms, cl.max_ms, cl.commits, cl.records);
    js.num("commit_always_load_p50_ms", cl.p50_ms);
    js.num("commit_always_load_p99_ms", cl.p99_ms);
    js.num("commit_always_load_max_ms", cl.max_ms);
    js.num("commit_always_load_commits", static_cast<double>(cl.commits));
  }

  const bool t1 = fig["append_1k_never_ratio"] >= 0.5;
  const bool t2 = send_plain.rps() >= 2e6;
  const bool t3 = lat.samples > 0 && lat.p99_us <= 50;  // a skipped section is no pass
  std::printf("\ntargets\n");
  std::printf("  append_1k_never >= 0.5x raw write    %.2fx          %s\n",
              fig["append_1k_never_ratio"], t1 ? "pass" : "miss");
  std::printf("  send_100b >= 2M rec/s                %.2fM rec/s    %s\n", send_plain.rps() / 1e6,
              t2 ? "pass" : "miss");
  std::printf("  e2e p99 <= 50 us at 100k rec/s       %.1f us        %s\n", lat.p99_us,
              t3 ? "pass" : "miss");
  js.boolean("target_append_1k_never_pass", t1);
  js.boolean("target_send_100b_pass", t2);
  js.boolean("target_e2e_p99_pass", t3);
  js.num("cpus", std::thread::hardware_concurrency());
  js.str("cpu", cpu_model());
  js.num("loadavg_1m_at_start", load[0]);
  js.num("bench_seconds", elapsed_s(bench_start));

  std::error_code ec;
  std::filesystem::remove_all(o.base_dir, ec);
  std::printf("%s}\n", js.text.c_str());
  return 0;
}

// compaction_bench: the log cleaner of compacted topics (issue 14), measured through the
// embedded engine in one run beside the raw sequential write() bandwidth of the same bytes on
// the same file system. Method and recorded figures: BENCHMARKS.md, "Log compaction".
//
//   compaction_bench [--dir DIR] [--mib N] [--keys K] [--dedupe-mib M] [--rate R]
//
// --dir         where the files go (default $TMPDIR or /tmp; a fresh subdirectory, removed after)
// --mib         dirty log written before each cleaning (default 128)
// --keys        distinct keys of the 1 KiB records (default 20000: ~85 % of the log superseded)
// --dedupe-mib  broker.cleaner_dedupe_buffer_bytes (default 16)
// --rate        records/s of the paced appender of the latency phase (default 20000)
//
// Figures:
// 1. cleaner throughput: bytes of closed segments cleaned by one engine::run_cleaning() (no
//    I/O limit) / its wall time, median of 3 fresh logs; as a ratio to raw write() of as many
//    bytes in 256 KiB chunks plus one fdatasync (the cleaner syncs its output), median of 3;
//    target >= 0.3x. The ratio to page-cache write() alone is printed beside it.
// 2. cleaner memory: the process's peak RSS growth during the cleaning (VmHWM reset through
//    /proc/self/clear_refs just before), against the configured dedupe buffer.
// 3. append latency: a paced producer (1 KiB keyed records into the compacted partition, ack
//    = delivery report, fsync never) p99 while nothing else runs vs while a cleaning of the
//    partition runs (target <= 1.5x).
// The last line of the output is one JSON object with every figure.
#include <fcntl.h>
#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <future>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "lkstream/engine.hpp"
#include "lkstream/producer.hpp"

namespace {

using clock_type = std::chrono::steady_clock;
namespace fs = std::filesystem;

struct options {
  std::string base_dir;
  uint64_t log_bytes = 128ull << 20;
  uint32_t keys = 20000;
  uint64_t dedupe_bytes = 16ull << 20;
  double rate = 20000;
};

[[noreturn]] void die(const std::string& what) {
  std::fprintf(stderr, "compaction_bench: %s\n", what.c_str());
  std::exit(1);
}

double elapsed_s(clock_type::time_point since) {
  return std::chrono::duration<double>(clock_type::now() - since).count();
}

double median3(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

/// write() of `bytes` in 256 KiB chunks to a fresh file, MB/s; with `synced` one final
/// fdatasync is timed too (the cleaner syncs its output before the swap, so that is the like
/// for like comparison; without it, page-cache writes, as lkstream_bench's raw figure).
double raw_write_mbps(const options& o, uint64_t bytes, bool synced) {
  std::string path = o.base_dir + "/raw.dat";
  std::vector<char> chunk(256 << 10, 'r');
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd < 0) die("open " + path + ": " + std::strerror(errno));
  auto start = clock_type::now();
  for (uint64_t done = 0; done < bytes;) {
    ssize_t n = ::write(fd, chunk.data(), std::min<uint64_t>(chunk.size(), bytes - done));
    if (n <= 0) die("write " + path + ": " + std::strerror(errno));
    done += static_cast<uint64_t>(n);
  }
  if (synced && ::fdatasync(fd) != 0) die("fdatasync " + path + ": " + std::strerror(errno));
  double s = elapsed_s(start);
  ::close(fd);
  ::unlink(path.c_str());
  return bytes / s / 1e6;
}

/// A /proc/self/status field in KiB (VmRSS, VmHWM).
uint64_t proc_status_kib(const std::string& field) {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind(field + ":", 0) == 0) return std::strtoull(line.c_str() + field.size() + 1, nullptr, 10);
  return 0;
}

/// Resets VmHWM to the current RSS (Linux >= 4.0).
bool reset_peak_rss() {
  std::ofstream out("/proc/self/clear_refs");
  out << "5";
  return static_cast<bool>(out.flush());
}

/// An engine with one compacted partition "prices" whose cleaner runs only when asked.
struct compacted_engine {
  std::unique_ptr<lkstream::engine> eng;
  std::string dir;

  compacted_engine(const options& o, const std::string& name) {
    dir = o.base_dir + "/" + name;
    auto cfg = lkstream::config::defaults();
    cfg.broker.data_dir = dir;
    cfg.broker.cleaner_dedupe_buffer_bytes = o.dedupe_bytes;
    cfg.broker.cleaner_io_max_bytes_per_second = -1;   // no I/O limit
    cfg.broker.cleaner_backoff_ms = 24LL * 3600 * 1000;  // only run_cleaning() cleans
    lkstream::engine_options opts;
    opts.config = cfg;
    opts.log = [](std::string_view) {};
    auto e = lkstream::engine::open(std::move(opts));
    if (!e) die("engine::open: " + e.err().to_string());
    eng = std::move(*e);
    auto s = eng->configuration().topic_defaults;
    s.partitions = 1;
    s.log.fsync = lkstream::storage::fsync_policy::never;
    s.log.cleanup = lkstream::storage::cleanup_policy::compact;
    s.log.segment_bytes = 16ull << 20;
    s.log.min_cleanable_dirty_ratio = 0.01;
    if (auto st = eng->create_topic("prices", s); !st) die("create_topic: " + st.err().to_string());
  }
  ~compacted_engine() {
    if (auto s = eng->close(); !s) std::fprintf(stderr, "close: %s\n", s.err().to_string().c_str());
    eng.reset();
    std::error_code ec;
    fs::remove_all(dir, ec);
  }

  /// Writes `bytes` of 1 KiB records over `keys` random keys (fixed seed), then flushes.
  void fill(const options& o) {
    lkstream::producer_options po;
    po.linger_ms = 5;
    auto prod = eng->make_producer(po);
    std::mt19937 rng(7);
    std::string value(1024, 'v');
    char key[16];
    for (uint64_t written = 0; written < o.log_bytes; written += value.size() + 16) {
      int n = std::snprintf(key, sizeof key, "key-%08u", static_cast<unsigned>(rng() % o.keys));
      std::memcpy(value.data(), &written, sizeof written);
      if (auto s = prod->send({.topic = "prices",
                               .key = lkstream::bytes_view(reinterpret_cast<const std::byte*>(key),
                                                           static_cast<size_t>(n)),
                               .value = lkstream::as_bytes(value)});
          !s)
        die("send: " + s.err().to_string());
    }
    if (auto s = prod->flush(); !s) die("flush: " + s.err().to_string());
  }

  /// Bytes of the closed segments (every .log but the newest): what a cleaning reads.
  uint64_t closed_segment_bytes() const {
    std::vector<std::pair<std::string, uint64_t>> logs;
    for (auto& f : fs::directory_iterator(dir + "/prices-0"))
      if (f.path().extension() == ".log") logs.emplace_back(f.path().filename(), f.file_size());
    std::sort(logs.begin(), logs.end());
    uint64_t n = 0;
    for (size_t i = 0; i + 1 < logs.size(); ++i) n += logs[i].second;
    return n;
  }
  uint64_t log_bytes() const {
    auto info = eng->describe_topic("prices");
    return info ? info->size_bytes() : 0;
  }
};

struct cleaning_figures {
  double mbps = 0;
  double seconds = 0;
  uint64_t cleaned_bytes = 0;
  uint64_t after_bytes = 0;
  double peak_rss_growth_mib = 0;
};

cleaning_figures one_cleaning(const options& o, int run) {
  compacted_engine ce(o, "clean-" + std::to_string(run));
  ce.fill(o);
  cleaning_figures f;
  f.cleaned_bytes = ce.closed_segment_bytes();
  const bool peak_ok = reset_peak_rss();
  const uint64_t rss_before = proc_status_kib("VmRSS");
  auto start = clock_type::now();
  auto cleaned = ce.eng->run_cleaning();
  f.seconds = elapsed_s(start);
  if (!cleaned) die("run_cleaning: " + cleaned.err().to_string());
  if (*cleaned != 1) die("run_cleaning cleaned " + std::to_string(*cleaned) + " partitions, not 1");
  const uint64_t hwm = proc_status_kib("VmHWM");
  f.peak_rss_growth_mib = peak_ok && hwm > rss_before ? (hwm - rss_before) / 1024.0 : 0;
  f.mbps = f.cleaned_bytes / f.seconds / 1e6;
  f.after_bytes = ce.log_bytes();
  return f;
}

struct percentiles {
  double p50_us = 0, p99_us = 0, max_us = 0;
  size_t samples = 0;
};

percentiles percentiles_of(std::vector<int64_t> ns) {
  percentiles p;
  p.samples = ns.size();
  if (ns.empty()) return p;
  std::sort(ns.begin(), ns.end());
  auto at = [&](double q) { return ns[std::min(ns.size() - 1, size_t(q * ns.size()))] / 1e3; };
  p.p50_us = at(0.50);
  p.p99_us = at(0.99);
  p.max_us = ns.back() / 1e3;
  return p;
}

struct latency_figures {
  percentiles idle, cleaning;
  double cleaning_seconds = 0;
};

/// Paced appends into the compacted partition: `idle_s` seconds with nothing else, then a
/// cleaning of the filled log started, appends going on until it ends. The records scheduled
/// inside each window are that window's samples (scheduled time -> delivery report, so a late
/// sender counts as latency).
latency_figures append_latency(const options& o, double idle_s) {
  compacted_engine ce(o, "latency");
  ce.fill(o);
  ::sync();  // the fill's writeback must not land in the idle window
  lkstream::producer_options po;
  po.linger_ms = 0;
  auto prod = ce.eng->make_producer(po);
  const auto interval = std::chrono::nanoseconds(static_cast<int64_t>(1e9 / o.rate));
  // One partition acknowledges in order: the n-th report is the n-th record's.
  std::vector<int64_t> sched_ns, ack_ns;
  const size_t max_records = static_cast<size_t>(o.rate * (idle_s + 120));
  sched_ns.reserve(max_records);
  ack_ns.assign(max_records, -1);
  std::atomic<size_t> acked{0};
  auto on_ack = [&](const lkstream::delivery_report& r) {
    if (r.code != lkstream::errc::ok) die("append failed: " + std::string(r.message));
    size_t i = acked.fetch_add(1, std::memory_order_relaxed);
    if (i < ack_ns.size()) ack_ns[i] = clock_type::now().time_since_epoch().count();
  };
  std::string value(1024, 'l');
  char key[16];
  std::mt19937 rng(11);
  const auto start = clock_type::now() + std::chrono::milliseconds(50);
  const auto warmup = start + std::chrono::milliseconds(500);
  const auto idle_end = warmup + std::chrono::duration_cast<clock_type::duration>(
                                     std::chrono::duration<double>(idle_s));
  std::future<lkstream::result<uint64_t>> cleaning;
  clock_type::time_point clean_start{}, clean_end{};
  size_t i = 0;
  for (;;) {
    auto now = clock_type::now();
    if (!cleaning.valid() && now >= idle_end) {
      clean_start = clock_type::now();
      cleaning = std::async(std::launch::async, [&] {
        auto r = ce.eng->run_cleaning();
        clean_end = clock_type::now();
        return r;
      });
    }
    if (cleaning.valid() && cleaning.wait_for(std::chrono::seconds(0)) == std::future_status::ready)
      break;
    for (; start + i * interval <= now && i < max_records; ++i) {
      int n = std::snprintf(key, sizeof key, "key-%08u", static_cast<unsigned>(rng() % o.keys));
      sched_ns.push_back((start + i * interval).time_since_epoch().count());
      if (auto s = prod->send({.topic = "prices",
                               .key = lkstream::bytes_view(reinterpret_cast<const std::byte*>(key),
                                                           static_cast<size_t>(n)),
                               .value = lkstream::as_bytes(value)},
                              on_ack);
          !s)
        die("send: " + s.err().to_string());
    }
    if (i >= max_records) die("the cleaning did not end within two minutes");
    auto next = std::chrono::duration_cast<std::chrono::nanoseconds>(
        (start + i * interval).time_since_epoch());
    timespec ts{static_cast<time_t>(next.count() / 1000000000),
                static_cast<long>(next.count() % 1000000000)};
    clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, nullptr);
  }
  if (auto s = prod->flush(); !s) die("flush: " + s.err().to_string());
  auto cleaned = cleaning.get();
  if (!cleaned) die("run_cleaning: " + cleaned.err().to_string());
  std::vector<int64_t> idle, during;
  const int64_t w = warmup.time_since_epoch().count(), ie = idle_end.time_since_epoch().count();
  const int64_t cs = clean_start.time_since_epoch().count(), cend = clean_end.time_since_epoch().count();
  for (size_t k = 0; k < sched_ns.size(); ++k) {
    if (ack_ns[k] < 0) die("a record was not acknowledged");
    const int64_t lat = ack_ns[k] - sched_ns[k];
    if (sched_ns[k] >= w && sched_ns[k] < ie) idle.push_back(lat);
    else if (sched_ns[k] >= cs && sched_ns[k] < cend) during.push_back(lat);
  }
  prod.reset();
  latency_figures lf;
  lf.idle = percentiles_of(std::move(idle));
  lf.cleaning = percentiles_of(std::move(during));
  lf.cleaning_seconds = std::chrono::duration<double>(clean_end - clean_start).count();
  return lf;
}

}  // namespace

int main(int argc, char** argv) {
  options o;
  std::string parent = std::getenv("TMPDIR") && *std::getenv("TMPDIR") ? std::getenv("TMPDIR") : "/tmp";
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) die("flag " + a + " needs a value");
      return argv[++i];
    };
    if (a == "--dir") parent = value();
    else if (a == "--mib") o.log_bytes = std::stoull(value()) << 20;
    else if (a == "--keys") o.keys = static_cast<uint32_t>(std::stoul(value()));
    else if (a == "--dedupe-mib") o.dedupe_bytes = std::stoull(value()) << 20;
    else if (a == "--rate") o.rate = std::stod(value());
    else die("unknown flag " + a + " (flags: --dir, --mib, --keys, --dedupe-mib, --rate)");
  }
  if (o.keys == 0 || o.log_bytes < (16ull << 20) || o.rate <= 0)
    die("--keys and --rate must be positive, --mib at least 16");
  std::setvbuf(stdout, nullptr, _IOLBF, 0);
  prctl(PR_SET_TIMERSLACK, 1UL);
  std::string templ = parent + "/lkstream-compaction-XXXXXX";
  if (!mkdtemp(templ.data())) die("mkdtemp in " + parent + ": " + std::strerror(errno));
  o.base_dir = templ;
  double load[1] = {0};
  getloadavg(load, 1);
  std::printf("compaction_bench: dir %s, %u cpus, load average %.2f; %" PRIu64
              " MiB dirty log of 1 KiB records over %u keys, dedupe buffer %" PRIu64
              " MiB; MB = 10^6 bytes\n",
              o.base_dir.c_str(), std::thread::hardware_concurrency(), load[0], o.log_bytes >> 20,
              o.keys, o.dedupe_bytes >> 20);

  std::vector<double> raw, raw_synced, mbps, secs, rss;
  for (int run = 0; run < 3; ++run) {
    auto f = one_cleaning(o, run);
    raw.push_back(raw_write_mbps(o, f.cleaned_bytes, false));
    raw_synced.push_back(raw_write_mbps(o, f.cleaned_bytes, true));
    mbps.push_back(f.mbps);
    secs.push_back(f.seconds);
    rss.push_back(f.peak_rss_growth_mib);
    std::printf("  run %d: cleaned %.1f MB in %.2f s = %.1f MB/s (log %.1f MB after), raw write "
                "%.1f MB/s (%.1f MB/s with fdatasync), peak RSS +%.1f MiB\n",
                run + 1, f.cleaned_bytes / 1e6, f.seconds, f.mbps, f.after_bytes / 1e6, raw.back(),
                raw_synced.back(), f.peak_rss_growth_mib);
  }
  const double raw_m = median3(raw), raw_sync_m = median3(raw_synced), clean_m = median3(mbps),
               rss_m = median3(rss);
  const double ratio = clean_m / raw_sync_m;  // the target's ratio: both sides synced
  const double ratio_cache = clean_m / raw_m;
  const double dedupe_mib = o.dedupe_bytes / 1048576.0;
  std::printf("\ncleaner throughput   %9.1f MB/s of log cleaned; raw write() + fdatasync %.1f MB/s: "
              "%.2fx raw (page-cache raw write() %.1f MB/s: %.2fx)\n",
              clean_m, raw_sync_m, ratio, raw_m, ratio_cache);
  std::printf("cleaner memory       peak RSS +%.1f MiB during a cleaning, dedupe buffer %.1f MiB "
              "(%.2fx)\n",
              rss_m, dedupe_mib, rss_m / dedupe_mib);

  auto lat = append_latency(o, 3.0);
  const double lat_ratio = lat.idle.p99_us > 0 ? lat.cleaning.p99_us / lat.idle.p99_us : 0;
  std::printf("append ack latency   %.0f rec/s of 1 KiB, fsync never\n", o.rate);
  std::printf("  idle:              p50 %.1f us, p99 %.1f us, max %.1f us (%zu samples)\n",
              lat.idle.p50_us, lat.idle.p99_us, lat.idle.max_us, lat.idle.samples);
  std::printf("  while cleaning:    p50 %.1f us, p99 %.1f us, max %.1f us (%zu samples, cleaning "
              "%.2f s)\n",
              lat.cleaning.p50_us, lat.cleaning.p99_us, lat.cleaning.max_us, lat.cleaning.samples,
              lat.cleaning_seconds);
  std::printf("  p99 while cleaning / idle: %.2fx\n", lat_ratio);

  const bool t1 = ratio >= 0.3;
  const bool t2 = lat.cleaning.samples > 0 && lat_ratio <= 1.5;
  std::printf("\ntargets\n");
  std::printf("  cleaner >= 0.3x raw write            %.2fx          %s\n", ratio, t1 ? "pass" : "miss");
  std::printf("  append p99 cleaning/idle <= 1.5x     %.2fx          %s\n", lat_ratio,
              t2 ? "pass" : "miss");
  std::error_code ec;
  fs::remove_all(o.base_dir, ec);
  std::printf(
      "{\"cleaner_mbps\": %.1f, \"raw_write_mbps\": %.1f, \"raw_write_synced_mbps\": %.1f, "
      "\"cleaner_ratio\": %.3f, \"cleaner_ratio_page_cache\": %.3f, "
      "\"cleaner_seconds\": %.3f, \"cleaner_peak_rss_growth_mib\": %.1f, \"dedupe_buffer_mib\": "
      "%.1f, \"append_idle_p50_us\": %.1f, \"append_idle_p99_us\": %.1f, "
      "\"append_cleaning_p50_us\": %.1f, \"append_cleaning_p99_us\": %.1f, "
      "\"append_cleaning_samples\": %zu, \"append_p99_ratio\": %.3f, \"loadavg_1m_at_start\": "
      "%.2f, \"target_cleaner_ratio_pass\": %s, \"target_append_p99_pass\": %s}\n",
      clean_m, raw_m, raw_sync_m, ratio, ratio_cache, median3(secs), rss_m, dedupe_mib, lat.idle.p50_us, lat.idle.p99_us,
      lat.cleaning.p50_us, lat.cleaning.p99_us, lat.cleaning.samples, lat_ratio, load[0],
      t1 ? "true" : "false", t2 ? "true" : "false");
  return 0;
}

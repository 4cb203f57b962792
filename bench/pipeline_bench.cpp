// pipeline_bench: a pipeline from -> map -> filter -> to over 1 KiB records against the plain
// consumer -> transform -> producer loop of the embedded API, in the same run on the same
// machine: throughput (records/s) and end-to-end latency at a fixed rate. Method and figures:
// BENCHMARKS.md, section "Pipelines".
//
//   pipeline_bench [--dir DIR] [--records N] [--rate R] [--seconds S]
//
// --dir      parent of the fresh data directory (default $TMPDIR or /tmp; removed after)
// --records  records of each throughput run (default 200000; median of 3 runs per path)
// --rate     records/s of the latency runs (default 5000)
// --seconds  length of each latency run (default 3; the first 0.5 s is not counted)
//
// The last line of the output is one JSON object with every figure.
#include <sys/prctl.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <mutex>
#include <thread>

#include "lkstream/pipeline.hpp"
#include "lkstream/producer.hpp"

namespace {

using clock_type = std::chrono::steady_clock;
using namespace std::chrono_literals;
using lkstream::bytes;
using lkstream::bytes_view;

constexpr size_t value_size = 1024;

[[noreturn]] void die(const std::string& what) {
  std::fprintf(stderr, "pipeline_bench: %s\n", what.c_str());
  std::exit(1);
}

// Both paths: map = invert byte 8, filter = drop records whose byte 9 is 0xFF (1 in 16).
bytes transform(const bytes& v) {
  bytes out = v;
  out[8] = ~out[8];
  return out;
}
bool keep(const bytes& v) {
  return v[9] != std::byte{0xFF};
}

int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(clock_type::now().time_since_epoch())
      .count();
}

bytes make_value(int64_t stamp, bool dropped) {
  bytes v(value_size, std::byte{'x'});
  std::memcpy(v.data(), &stamp, 8);
  v[9] = dropped ? std::byte{0xFF} : std::byte{0};
  return v;
}

void create(lkstream::engine& eng, const std::string& topic) {
  auto s = eng.configuration().topic_defaults;
  s.partitions = 1;
  s.log.fsync = lkstream::storage::fsync_policy::never;
  if (!eng.create_topic(topic, s)) die("cannot create " + topic);
}

void fill(lkstream::engine& eng, const std::string& topic, uint64_t n) {
  create(eng, topic);
  auto prod = eng.make_producer();
  for (uint64_t i = 0; i < n; ++i) {
    auto v = make_value(0, i % 16 == 15);
    if (!prod->send({.topic = topic, .value = bytes_view(v)})) die("send");
  }
  if (!prod->flush()) die("flush");
}

// Plain path: poll, transform, send; flush and commit at the end (no per-batch durability wait).
double plain_throughput(lkstream::engine& eng, uint64_t n, int rep) {
  const std::string in = "plain.in." + std::to_string(rep),
                    out = "plain.out." + std::to_string(rep);
  fill(eng, in, n);
  create(eng, out);
  auto t0 = clock_type::now();
  auto cons = eng.make_consumer({.group_id = "plain." + std::to_string(rep),
                                 .auto_offset_reset = lkstream::offset_reset::earliest,
                                 .enable_auto_commit = false});
  if (!cons || !(*cons)->subscribe({in})) die("consumer");
  auto prod = eng.make_producer({.linger_ms = 1});
  uint64_t seen = 0;
  const auto deadline = t0 + 600s;
  while (seen < n) {
    if (clock_type::now() > deadline) die("plain path: no end after 600 s");
    auto rs = (*cons)->poll(100ms);
    if (!rs) die("poll: " + rs.err().to_string());
    for (auto& r : *rs) {
      ++seen;
      bytes v(r.value->begin(), r.value->end());
      if (!keep(v)) continue;
      auto o = transform(v);
      if (!prod->send({.topic = out, .value = bytes_view(o), .timestamp = r.timestamp}))
        die("send");
    }
  }
  if (!prod->flush() || !(*cons)->commit_sync()) die("flush/commit");
  return static_cast<double>(n) / std::chrono::duration<double>(clock_type::now() - t0).count();
}

void compose(lkstream::runtime& rt, const std::string& name, const std::string& in,
             const std::string& out, bool bounded) {
  lkstream::pipeline_options po;
  po.stop_at_end = bounded;
  rt.pipeline(name, po).from<bytes>(in).map(transform).filter(keep).to(out);
}

double pipeline_throughput(lkstream::runtime& rt, uint64_t n, int rep) {
  const std::string in = "pipe.in." + std::to_string(rep), out = "pipe.out." + std::to_string(rep);
  const std::string name = "tput" + std::to_string(rep);
  fill(rt.get_engine(), in, n);
  create(rt.get_engine(), out);
  compose(rt, name, in, out, true);
  auto t0 = clock_type::now();
  if (!rt.start()) die("start");
  auto st = rt.wait_for(
      name,
      [](auto& s) {
        return s.state != lkstream::pipeline_state::running &&
               s.state != lkstream::pipeline_state::starting;
      },
      600s);
  if (!st || st->state != lkstream::pipeline_state::finished)
    die("pipeline did not finish: " +
        (st ? std::string(lkstream::to_string(st->state)) + " " + st->last_error
            : st.err().to_string()));
  return static_cast<double>(n) / std::chrono::duration<double>(clock_type::now() - t0).count();
}

struct latency {
  double p50_us = 0, p99_us = 0, max_us = 0;
  size_t samples = 0;
};

// Sends at `rate` into `in` (value = scheduled send time) and measures until records appear in
// `out`; `transformer` (if any) runs the plain path in between.
latency measure(lkstream::engine& eng, const std::string& in, const std::string& out, double rate,
                double seconds, const std::function<void(std::atomic<bool>&)>& transformer) {
  std::atomic<bool> stop{false};
  std::vector<int64_t> lat;
  std::thread reader([&] {
    auto cons = eng.make_consumer({});
    if (!cons || !(*cons)->assign({{out, lkstream::partition_id{0}}})) die("reader");
    const int64_t skip_before = now_ns() + 500'000'000;
    while (!stop) {
      auto rs = (*cons)->poll(20ms);
      if (!rs) die("reader poll");
      const int64_t t = now_ns();
      for (auto& r : *rs) {
        int64_t sched;
        std::memcpy(&sched, r.value->data(), 8);
        if (sched >= skip_before) lat.push_back(t - sched);
      }
    }
  });
  std::thread middle;
  if (transformer) middle = std::thread([&] { transformer(stop); });
  {
    prctl(PR_SET_TIMERSLACK, 1);
    auto prod = eng.make_producer({.linger_ms = 0});
    const auto total = static_cast<uint64_t>(rate * seconds);
    const int64_t start = now_ns();
    for (uint64_t i = 0; i < total; ++i) {
      const int64_t sched = start + static_cast<int64_t>(static_cast<double>(i) * 1e9 / rate);
      while (now_ns() < sched)
        std::this_thread::sleep_for(std::chrono::nanoseconds(sched - now_ns()));
      auto v = make_value(sched, false);
      if (!prod->send({.topic = in, .value = bytes_view(v)})) die("send");
    }
    (void)prod->flush();
  }
  std::this_thread::sleep_for(500ms);  // let the tail arrive
  stop = true;
  reader.join();
  if (middle.joinable()) middle.join();
  std::sort(lat.begin(), lat.end());
  latency l;
  l.samples = lat.size();
  if (lat.empty()) return l;
  auto pct = [&](double p) {
    return lat[std::min(lat.size() - 1, static_cast<size_t>(p * lat.size()))] / 1e3;
  };
  l.p50_us = pct(0.5);
  l.p99_us = pct(0.99);
  l.max_us = lat.back() / 1e3;
  return l;
}

}  // namespace

int main(int argc, char** argv) {
  std::string base = std::getenv("TMPDIR") ? std::getenv("TMPDIR") : "/tmp";
  uint64_t records = 200000;
  double rate = 5000, seconds = 3;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string flag = argv[i];
    if (flag == "--dir")
      base = argv[i + 1];
    else if (flag == "--records")
      records = std::strtoull(argv[i + 1], nullptr, 10);
    else if (flag == "--rate")
      rate = std::atof(argv[i + 1]);
    else if (flag == "--seconds")
      seconds = std::atof(argv[i + 1]);
    else
      die("unknown flag " + flag);
  }
  const std::string dir = base + "/pipeline-bench-" + std::to_string(::getpid());
  double plain_rps = 0, pipe_rps = 0;
  latency plain_lat, pipe_lat;
  {
    auto rt = lkstream::runtime::open({.engine = {.data_dir = dir}});
    if (!rt) die(rt.err().to_string());
    auto& eng = (*rt)->get_engine();
    // Median of 3, the two paths alternating (the machine is shared and noisy).
    std::vector<double> plain, pipe;
    for (int rep = 0; rep < 3; ++rep) {
      plain.push_back(plain_throughput(eng, records, rep));
      pipe.push_back(pipeline_throughput(**rt, records, rep));
      std::printf("  repetition %d: plain %.0f rec/s, pipeline %.0f rec/s\n", rep + 1, plain.back(),
                  pipe.back());
    }
    std::sort(plain.begin(), plain.end());
    std::sort(pipe.begin(), pipe.end());
    plain_rps = plain[1];
    pipe_rps = pipe[1];

    for (auto t : {"lat.plain.in", "lat.plain.out", "lat.pipe.in", "lat.pipe.out"}) create(eng, t);
    plain_lat =
        measure(eng, "lat.plain.in", "lat.plain.out", rate, seconds, [&](std::atomic<bool>& stop) {
          auto cons = eng.make_consumer({.group_id = "plain.lat",
                                         .auto_offset_reset = lkstream::offset_reset::earliest,
                                         .enable_auto_commit = false});
          if (!cons || !(*cons)->subscribe({"lat.plain.in"})) die("consumer");
          auto prod = eng.make_producer({.linger_ms = 0});
          while (!stop) {
            auto rs = (*cons)->poll(20ms);
            if (!rs) die("poll");
            for (auto& r : *rs) {
              bytes v(r.value->begin(), r.value->end());
              if (!keep(v)) continue;
              auto o = transform(v);
              (void)prod->send({.topic = "lat.plain.out", .value = bytes_view(o)});
            }
            if (!rs->empty()) (void)(*cons)->commit_sync();
          }
        });
    lkstream::pipeline_options po;
    po.sink_linger_ms = 0;
    (*rt)
        ->pipeline("lat", po)
        .from<bytes>("lat.pipe.in")
        .map(transform)
        .filter(keep)
        .to("lat.pipe.out");
    if (!(*rt)->start()) die("start lat");
    pipe_lat = measure(eng, "lat.pipe.in", "lat.pipe.out", rate, seconds, {});
    (void)(*rt)->stop();
  }
  std::filesystem::remove_all(dir);

  std::printf("pipeline_bench: %llu records of 1 KiB, from -> map -> filter -> to (fsync never)\n",
              static_cast<unsigned long long>(records));
  std::printf("  throughput  plain %.0f rec/s, pipeline %.0f rec/s, ratio %.2f\n", plain_rps,
              pipe_rps, pipe_rps / plain_rps);
  std::printf("  e2e at %.0f rec/s  plain p50 %.0f us p99 %.0f us max %.0f us (%zu)\n", rate,
              plain_lat.p50_us, plain_lat.p99_us, plain_lat.max_us, plain_lat.samples);
  std::printf("  e2e at %.0f rec/s  pipeline p50 %.0f us p99 %.0f us max %.0f us (%zu)\n", rate,
              pipe_lat.p50_us, pipe_lat.p99_us, pipe_lat.max_us, pipe_lat.samples);
  std::printf(
      "{\"records\": %llu, \"plain_rps\": %.0f, \"pipeline_rps\": %.0f, \"ratio\": %.3f, "
      "\"rate\": %.0f, \"plain_p50_us\": %.0f, \"plain_p99_us\": %.0f, "
      "\"pipeline_p50_us\": %.0f, \"pipeline_p99_us\": %.0f}\n",
      static_cast<unsigned long long>(records), plain_rps, pipe_rps, pipe_rps / plain_rps, rate,
      plain_lat.p50_us, plain_lat.p99_us, pipe_lat.p50_us, pipe_lat.p99_us);
  return 0;
}

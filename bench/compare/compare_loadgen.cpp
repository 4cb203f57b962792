// compare_loadgen: one producer and one consumer (group member) against one broker, the same way
// for every system, in the shape of the OpenMessaging Benchmark. Started by run_compare.py once
// per system and workload; prints progress on stderr and one JSON object as the last line of
// stdout.
//
//   compare_loadgen --system kafka|redis|nats --address HOST:PORT [--topic T] [--partitions N]
//                   [--value-bytes B] [--keyed] [--rate R] [--warmup S] [--seconds S]
//                   [--drain-timeout S]
//   compare_loadgen --system ... --address ... --probe [--topic T] [--timeout S]
//   compare_loadgen --system kafka --address ... --transaction-records N [--topic T] ...
//
// --rate 0 (the default) sends as fast as the client accepts; --rate R follows a fixed schedule of
// R records/s. Every value starts with its scheduled send time (CLOCK_MONOTONIC ns) and a sequence
// number; publish-ack and end-to-end latency are measured from that scheduled time, so a sender or
// broker that falls behind shows up as latency instead of being hidden (no coordinated omission).
// Only records scheduled after the warm-up are counted. --probe creates the topic and produces one
// record until it is acknowledged, and reports when (CLOCK_BOOTTIME ns, comparable with a process's
// start time in /proc/PID/stat) for the start-to-first-produce figure.
//
// --transaction-records N (Kafka-protocol brokers): transactions of N records back to back for
// the measured time, from a transactional producer to a read_committed consumer: committed
// records/s, the latency of each commit_transaction() call (librdkafka flushes the records,
// then EndTxn) and end-to-end latency (a record is visible once its transaction committed).
//
// Exit status: 0 when the run completed (the JSON says how well), 1 on a setup error, 2 on a usage
// error.

#include <sys/prctl.h>
#include <time.h>

#include <atomic>
#include <cinttypes>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "latency_histogram.hpp"
#include "system_driver.hpp"

namespace lkstream::bench {
namespace {

int64_t clock_ns(clockid_t id) {
  timespec ts{};
  clock_gettime(id, &ts);
  return int64_t{ts.tv_sec} * 1'000'000'000 + ts.tv_nsec;
}
int64_t now_ns() { return clock_ns(CLOCK_MONOTONIC); }
int64_t boot_ns() { return clock_ns(CLOCK_BOOTTIME); }

void sleep_until_ns(int64_t t) {
  timespec ts{static_cast<time_t>(t / 1'000'000'000), static_cast<long>(t % 1'000'000'000)};
  while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, nullptr) == EINTR) {
  }
}

struct options {
  std::string system;
  std::string address;
  workload load{.topic = "bench"};
  double rate = 0;
  double warmup_s = 2;
  double seconds = 10;
  double drain_timeout_s = 60;
  bool probe = false;
  double probe_timeout_s = 120;
  int transaction_records = 0;  // > 0: the transactional workload
};

const char* usage =
    "usage: compare_loadgen --system kafka|redis|nats --address HOST:PORT [--topic T]\n"
    "         [--partitions N] [--value-bytes B] [--keyed] [--rate R] [--warmup S] [--seconds S]\n"
    "         [--drain-timeout S]\n"
    "       compare_loadgen --system ... --address ... --probe [--topic T] [--timeout S]\n"
    "       compare_loadgen --system kafka --address ... --transaction-records N [--topic T]\n"
    "         [--partitions N] [--value-bytes B] [--keyed] [--warmup S] [--seconds S]\n";

std::optional<std::string> parse(int argc, char** argv, options& o) {
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&]() -> std::optional<std::string> {
      if (i + 1 >= argc) return std::nullopt;
      return std::string(argv[++i]);
    };
    auto number = [&](double lo, double hi, double& out) -> std::optional<std::string> {
      auto v = value();
      if (!v) return a + " needs a value";
      char* end = nullptr;
      double d = std::strtod(v->c_str(), &end);
      if (end == v->c_str() || *end != '\0' || !(d >= lo && d <= hi))
        return a + ": expected a number in " + std::to_string(lo) + ".." + std::to_string(hi) +
               ", got \"" + *v + "\"";
      out = d;
      return std::nullopt;
    };
    double d = 0;
    if (a == "--system" || a == "--address" || a == "--topic") {
      auto v = value();
      if (!v || v->empty()) return a + " needs a value";
      (a == "--system" ? o.system : a == "--address" ? o.address : o.load.topic) = *v;
    } else if (a == "--partitions") {
      if (auto e = number(1, 1024, d)) return e;
      o.load.partitions = static_cast<int>(d);
    } else if (a == "--value-bytes") {
      if (auto e = number(16, 1 << 20, d)) return e;
      o.load.value_bytes = static_cast<size_t>(d);
    } else if (a == "--keyed") {
      o.load.keyed = true;
    } else if (a == "--rate") {
      if (auto e = number(0, 1e8, o.rate)) return e;
    } else if (a == "--warmup") {
      if (auto e = number(0, 3600, o.warmup_s)) return e;
    } else if (a == "--seconds") {
      if (auto e = number(0.1, 36000, o.seconds)) return e;
    } else if (a == "--drain-timeout") {
      if (auto e = number(0, 3600, o.drain_timeout_s)) return e;
    } else if (a == "--timeout") {
      if (auto e = number(1, 3600, o.probe_timeout_s)) return e;
    } else if (a == "--probe") {
      o.probe = true;
    } else if (a == "--transaction-records") {
      if (auto e = number(1, 1000000, d)) return e;
      o.transaction_records = static_cast<int>(d);
    } else {
      return "unknown argument \"" + a + "\"";
    }
  }
  if (o.system != "kafka" && o.system != "redis" && o.system != "nats")
    return "--system must be kafka, redis or nats";
  if (o.address.empty()) return "--address is required";
  if (o.transaction_records > 0 && o.system != "kafka")
    return "--transaction-records needs --system kafka (the Kafka protocol's transactions)";
  return std::nullopt;
}

std::unique_ptr<system_driver> make_driver(const options& o, ack_fn on_ack, std::string& error) {
  if (o.system == "kafka") return make_kafka_driver(o.address, std::move(on_ack), error);
  if (o.system == "redis") return make_redis_driver(o.address, std::move(on_ack), error);
  return make_nats_driver(o.address, std::move(on_ack), error);
}

/// Latencies and counts shared by the producer (acks) and consumer threads.
struct run_stats {
  int64_t window_start = 0;  // scheduled times in [window_start, window_end) are counted
  int64_t window_end = 0;

  std::mutex ack_mutex;
  latency_histogram ack_latency;
  std::atomic<uint64_t> acked{0}, failed{0}, acked_in_window{0};

  std::mutex value_mutex;
  latency_histogram e2e_latency;
  std::vector<bool> seen;
  uint64_t consumed_total = 0, consumed_unique = 0, consumed_in_window = 0;
  std::atomic<uint64_t> consumed_unique_atomic{0};
  bool bad_values = false;

  void on_ack(int64_t scheduled, bool ok) {
    int64_t now = now_ns();
    if (!ok) {
      ++failed;
      return;
    }
    ++acked;
    if (now >= window_start && now < window_end) ++acked_in_window;
    if (scheduled >= window_start && scheduled < window_end) {
      std::lock_guard g{ack_mutex};
      ack_latency.record(now - scheduled);
    }
  }

  void on_value(std::span<const uint8_t> v) {
    int64_t now = now_ns();
    if (v.size() < 16) {
      bad_values = true;
      return;
    }
    int64_t scheduled = 0;
    uint64_t seq = 0;
    std::memcpy(&scheduled, v.data(), 8);
    std::memcpy(&seq, v.data() + 8, 8);
    std::lock_guard g{value_mutex};
    ++consumed_total;
    if (seq > (uint64_t{1} << 34)) {
      bad_values = true;
      return;
    }
    if (seq >= seen.size()) seen.resize(std::max<size_t>(seq + 1, seen.size() * 2));
    if (seen[seq]) return;
    seen[seq] = true;
    ++consumed_unique;
    consumed_unique_atomic.store(consumed_unique, std::memory_order_relaxed);
    if (now >= window_start && now < window_end) ++consumed_in_window;
    if (scheduled >= window_start && scheduled < window_end) e2e_latency.record(now - scheduled);
  }
};

std::string latency_json(const latency_histogram& h) {
  static constexpr double curve[] = {0,    50,    75,    90,     95,     99,
                                     99.5, 99.9,  99.95, 99.99,  99.999, 100};
  auto us = [](uint64_t ns) { return static_cast<double>(ns) / 1000.0; };
  std::ostringstream o;
  o.precision(10);
  o << "{\"count\":" << h.count() << ",\"p50_us\":" << us(h.percentile(50))
    << ",\"p99_us\":" << us(h.percentile(99)) << ",\"p999_us\":" << us(h.percentile(99.9))
    << ",\"max_us\":" << us(h.max()) << ",\"curve\":[";
  for (size_t i = 0; i < std::size(curve); ++i) {
    uint64_t v = curve[i] == 0 ? h.min() : curve[i] == 100 ? h.max() : h.percentile(curve[i]);
    o << (i ? "," : "") << "[" << curve[i] << "," << us(v) << "]";
  }
  o << "]}";
  return o.str();
}

/// Fills a value: scheduled time, sequence number, then fixed pseudo-random (incompressible) bytes.
struct value_maker {
  explicit value_maker(size_t size) : bytes(size) {
    uint64_t x = 0x9E3779B97F4A7C15ull;
    for (size_t i = 16; i < size; ++i) {
      x ^= x << 13, x ^= x >> 7, x ^= x << 17;
      bytes[i] = static_cast<uint8_t>(x);
    }
  }
  std::span<const uint8_t> make(int64_t scheduled, uint64_t seq) {
    std::memcpy(bytes.data(), &scheduled, 8);
    std::memcpy(bytes.data() + 8, &seq, 8);
    return bytes;
  }
  std::vector<uint8_t> bytes;
};

/// 10 000 distinct 16-byte keys, chosen pseudo-randomly per record (as the OMB key distributor
/// "RANDOM_NANO" spreads keys), and the partition a key maps to for Redis and NATS.
struct key_maker {
  explicit key_maker(int partitions) : partitions_(partitions) {
    char buf[32];
    for (int i = 0; i < 10000; ++i) {
      std::snprintf(buf, sizeof buf, "key-%012d", i);
      keys_.emplace_back(buf);
    }
  }
  std::pair<std::string_view, int> next() {
    x_ ^= x_ << 13, x_ ^= x_ >> 7, x_ ^= x_ << 17;
    size_t k = x_ % keys_.size();
    return {keys_[k], static_cast<int>(k % static_cast<size_t>(partitions_))};
  }
  int partitions_;
  uint64_t x_ = 88172645463325252ull;
  std::vector<std::string> keys_;
};

/// The next record's key and partition: a random key (keyed) or round robin over the
/// partitions (`rr`, the caller's counter).
std::pair<std::string_view, int> next_target(const options& o, key_maker& keys, int& rr) {
  if (o.load.keyed) return keys.next();
  const int partition = rr;
  rr = (rr + 1) % o.load.partitions;
  return {std::string_view{}, partition};
}

int run_probe(const options& o) {
  int64_t deadline = now_ns() + static_cast<int64_t>(o.probe_timeout_s * 1e9);
  std::atomic<int> result{0};  // 0 waiting, 1 ok, -1 failed
  std::atomic<int64_t> ack_boot{0};
  std::string last_error;
  int attempts = 0;
  while (now_ns() < deadline) {
    ++attempts;
    std::string error;
    auto driver = make_driver(o, [&](int64_t, bool ok) {
      if (ok) ack_boot = boot_ns();
      result = ok ? 1 : -1;
    }, error);
    if (!driver) {
      last_error = error;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
      continue;
    }
    workload w = o.load;
    if (auto e = driver->setup(w)) {
      last_error = *e;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
      continue;
    }
    value_maker values(o.load.value_bytes);
    while (now_ns() < deadline && result.load() != 1) {
      result = 0;
      auto r = driver->send({}, 0, values.make(now_ns(), 0), now_ns());
      if (r != send_result::sent) {
        last_error = "send refused";
        driver->poll(20);
        continue;
      }
      while (result.load() == 0 && now_ns() < deadline) driver->poll(1);
      if (result.load() != 1) last_error = "the record was not acknowledged";
    }
    driver->flush(5000);
    if (result.load() == 1) {
      std::printf("{\"probe\":true,\"system\":\"%s\",\"first_ack_boot_ns\":%" PRId64
                  ",\"attempts\":%d}\n",
                  o.system.c_str(), ack_boot.load(), attempts);
      return 0;
    }
  }
  std::cerr << "compare_loadgen: no record acknowledged within " << o.probe_timeout_s
            << " s: " << last_error << "\n";
  return 1;
}

int run(const options& o) {
  run_stats stats;
  stats.window_start = INT64_MAX;  // nothing counts until the schedule is set
  std::string error;
  auto driver = make_driver(o, [&](int64_t s, bool ok) { stats.on_ack(s, ok); }, error);
  if (!driver) {
    std::cerr << "compare_loadgen: " << error << "\n";
    return 1;
  }
  int64_t t_setup = now_ns();
  if (auto e = driver->setup(o.load)) {
    std::cerr << "compare_loadgen: setup: " << *e << "\n";
    return 1;
  }
  int64_t t_consumer = now_ns();
  if (auto e = driver->start_consumer([&](std::span<const uint8_t> v) { stats.on_value(v); })) {
    std::cerr << "compare_loadgen: consumer: " << *e << "\n";
    return 1;
  }
  int64_t t_ready = now_ns();

  value_maker values(o.load.value_bytes);
  key_maker keys(o.load.partitions);
  const int64_t t0 = now_ns() + 5'000'000;
  const int64_t warmup_ns = static_cast<int64_t>(o.warmup_s * 1e9);
  const int64_t t_end = t0 + warmup_ns + static_cast<int64_t>(o.seconds * 1e9);
  stats.window_end = t_end;
  stats.window_start = t0 + warmup_ns;
  const double interval_ns = o.rate > 0 ? 1e9 / o.rate : 0;
  uint64_t sent = 0, send_failed = 0;
  int64_t max_behind = 0;
  int rr = 0;
  // Fixed rate: the phase ends at t_end even when the sender is behind. The records it had not
  // sent by then are not sent; they count (below) with the latency they had reached at t_end, a
  // lower bound, so that a broker that cannot keep up is not flattered by the records it
  // never had to take.
  uint64_t first_unsent = UINT64_MAX;
  sleep_until_ns(t0);
  for (uint64_t i = 0;; ++i) {
    int64_t scheduled;
    if (o.rate > 0) {
      scheduled = t0 + static_cast<int64_t>(static_cast<double>(i) * interval_ns);
      if (scheduled >= t_end) break;
      if (now_ns() >= t_end) {
        first_unsent = i;
        break;
      }
      for (int64_t now = now_ns(); now < scheduled; now = now_ns()) {
        int64_t wait = scheduled - now;
        if (wait > 1'500'000) {
          driver->poll(1);
        } else {
          driver->poll(0);
          sleep_until_ns(scheduled);
        }
      }
      max_behind = std::max(max_behind, now_ns() - scheduled);
    } else {
      scheduled = now_ns();
      if (scheduled >= t_end) break;
    }
    auto [key, partition] = next_target(o, keys, rr);
    for (;;) {
      auto r = driver->send(key, partition, values.make(scheduled, i), scheduled);
      if (r == send_result::sent) {
        ++sent;
        break;
      }
      if (r == send_result::failed) {
        ++send_failed;
        break;
      }
      driver->poll(1);
      if (o.rate == 0) {
        scheduled = now_ns();  // max rate: the record is "scheduled" when the client takes it
        if (scheduled >= t_end) break;
      } else if (now_ns() >= t_end) {
        first_unsent = i;
        break;
      }
    }
    if ((i % 64) == 63) driver->poll(0);  // serve acks (and, for Redis, write) while behind
    if (o.rate == 0 && scheduled >= t_end) break;
    if (first_unsent != UINT64_MAX) break;
  }
  int64_t t_stop = now_ns();
  uint64_t unsent = 0;
  if (first_unsent != UINT64_MAX) {
    std::scoped_lock g{stats.ack_mutex, stats.value_mutex};
    for (uint64_t i = first_unsent;; ++i) {
      int64_t scheduled = t0 + static_cast<int64_t>(static_cast<double>(i) * interval_ns);
      if (scheduled >= t_end) break;
      ++unsent;
      if (scheduled < stats.window_start) continue;
      stats.ack_latency.record(t_stop - scheduled);
      stats.e2e_latency.record(t_stop - scheduled);
    }
  }
  bool flushed = driver->flush(static_cast<int>(o.drain_timeout_s * 1000) + 1000);
  int64_t drain_deadline = now_ns() + static_cast<int64_t>(o.drain_timeout_s * 1e9);
  while (stats.consumed_unique_atomic.load() < stats.acked.load() && now_ns() < drain_deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  int64_t t_drained = now_ns();
  driver->stop_consumer();

  const double window_s = static_cast<double>(t_end - stats.window_start) / 1e9;
  const double publish_rps = static_cast<double>(stats.acked_in_window.load()) / window_s;
  uint64_t consumed_unique, consumed_total, consumed_in_window;
  bool bad_values;
  {
    std::lock_guard g{stats.value_mutex};
    consumed_unique = stats.consumed_unique;
    consumed_total = stats.consumed_total;
    consumed_in_window = stats.consumed_in_window;
    bad_values = stats.bad_values;
  }
  std::lock_guard g1{stats.ack_mutex};
  std::lock_guard g2{stats.value_mutex};
  auto ms = [](int64_t ns) { return static_cast<double>(ns) / 1e6; };
  std::ostringstream out;
  out.precision(10);
  out << "{\"system\":\"" << o.system << "\",\"topic\":\"" << o.load.topic
      << "\",\"partitions\":" << o.load.partitions << ",\"value_bytes\":" << o.load.value_bytes
      << ",\"keyed\":" << (o.load.keyed ? "true" : "false") << ",\"target_rate\":" << o.rate
      << ",\"warmup_s\":" << o.warmup_s << ",\"seconds\":" << o.seconds << ",\"sent\":" << sent
      << ",\"unsent\":" << unsent << ",\"send_failed\":" << send_failed
      << ",\"acked\":" << stats.acked.load()
      << ",\"ack_failed\":" << stats.failed.load() << ",\"consumed_unique\":" << consumed_unique
      << ",\"consumed_total\":" << consumed_total
      << ",\"missing\":" << (stats.acked.load() - std::min(stats.acked.load(), consumed_unique))
      << ",\"bad_values\":" << (bad_values ? "true" : "false")
      << ",\"flushed\":" << (flushed ? "true" : "false") << ",\"publish_rps\":" << publish_rps
      << ",\"publish_mbps\":" << publish_rps * static_cast<double>(o.load.value_bytes) / 1e6
      << ",\"consume_rps\":" << static_cast<double>(consumed_in_window) / window_s
      << ",\"max_behind_schedule_ms\":" << ms(max_behind)
      << ",\"setup_ms\":" << ms(t_consumer - t_setup)
      << ",\"consumer_ready_ms\":" << ms(t_ready - t_consumer)
      << ",\"send_ms\":" << ms(t_stop - t0) << ",\"drain_ms\":" << ms(t_drained - t_stop)
      << ",\"ack\":" << latency_json(stats.ack_latency)
      << ",\"e2e\":" << latency_json(stats.e2e_latency) << "}";
  std::cout << out.str() << std::endl;
  return 0;
}


std::string json_string(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    if (static_cast<unsigned char>(c) < 0x20) c = ' ';
    out += c;
  }
  return out + "\"";
}

// Transactions of o.transaction_records records back to back at full speed (see the top).
int run_transactions(const options& o) {
  run_stats stats;
  stats.window_start = INT64_MAX;
  std::string error;
  auto driver = make_kafka_driver(o.address, [&](int64_t s, bool ok) { stats.on_ack(s, ok); },
                                  error, "compare-loadgen-" + o.load.topic);
  if (!driver) {
    std::cerr << "compare_loadgen: " << error << "\n";
    return 1;
  }
  if (auto e = driver->setup(o.load)) {
    std::cerr << "compare_loadgen: setup: " << *e << "\n";
    return 1;
  }
  if (auto e = driver->start_consumer([&](std::span<const uint8_t> v) { stats.on_value(v); })) {
    std::cerr << "compare_loadgen: consumer: " << *e << "\n";
    return 1;
  }
  value_maker values(o.load.value_bytes);
  key_maker keys(o.load.partitions);
  const int64_t t0 = now_ns() + 5'000'000;
  const int64_t t_end = t0 + static_cast<int64_t>((o.warmup_s + o.seconds) * 1e9);
  stats.window_start = t0 + static_cast<int64_t>(o.warmup_s * 1e9);
  stats.window_end = t_end;
  latency_histogram commit_latency;
  uint64_t transactions = 0, committed = 0, committed_in_window = 0, seq = 0;
  std::string failure;
  int rr = 0;
  sleep_until_ns(t0);
  while (failure.empty() && now_ns() < t_end) {
    if (auto e = driver->begin_transaction()) {
      failure = *e;
      break;
    }
    for (int i = 0; i < o.transaction_records && failure.empty(); ++i) {
      auto [key, partition] = next_target(o, keys, rr);
      const int64_t scheduled = now_ns();
      for (;;) {
        auto r = driver->send(key, partition, values.make(scheduled, seq), scheduled);
        if (r == send_result::sent) break;
        if (r == send_result::failed) {
          failure = "a send failed";
          break;
        }
        driver->poll(1);
      }
      ++seq;
    }
    if (!failure.empty()) break;
    const int64_t c0 = now_ns();
    if (auto e = driver->commit_transaction(120000)) {
      failure = *e;
      break;
    }
    const int64_t c1 = now_ns();
    ++transactions;
    committed += static_cast<uint64_t>(o.transaction_records);
    if (c0 >= stats.window_start) {
      commit_latency.record(c1 - c0);
      committed_in_window += static_cast<uint64_t>(o.transaction_records);
    }
  }
  const int64_t t_stop = now_ns();
  const int64_t drain_deadline = now_ns() + static_cast<int64_t>(o.drain_timeout_s * 1e9);
  while (stats.consumed_unique_atomic.load() < committed && now_ns() < drain_deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  driver->stop_consumer();
  const double window_s = static_cast<double>(t_end - stats.window_start) / 1e9;
  std::lock_guard g1{stats.ack_mutex};
  std::lock_guard g2{stats.value_mutex};
  std::ostringstream out;
  out.precision(10);
  out << "{\"system\":\"" << o.system << "\",\"topic\":\"" << o.load.topic
      << "\",\"partitions\":" << o.load.partitions << ",\"value_bytes\":" << o.load.value_bytes
      << ",\"keyed\":" << (o.load.keyed ? "true" : "false")
      << ",\"transaction_records\":" << o.transaction_records << ",\"warmup_s\":" << o.warmup_s
      << ",\"seconds\":" << o.seconds << ",\"transactions\":" << transactions
      << ",\"committed\":" << committed << ",\"ack_failed\":" << stats.failed.load()
      << ",\"consumed_unique\":" << stats.consumed_unique
      << ",\"consumed_total\":" << stats.consumed_total
      << ",\"missing\":" << (committed - std::min<uint64_t>(committed, stats.consumed_unique))
      << ",\"bad_values\":" << (stats.bad_values ? "true" : "false")
      << ",\"failure\":" << json_string(failure)
      << ",\"committed_rps\":" << static_cast<double>(committed_in_window) / window_s
      << ",\"send_ms\":" << static_cast<double>(t_stop - t0) / 1e6
      << ",\"commit\":" << latency_json(commit_latency)
      << ",\"e2e\":" << latency_json(stats.e2e_latency) << "}";
  std::cout << out.str() << std::endl;
  return failure.empty() ? 0 : 1;
}

}  // namespace
}  // namespace lkstream::bench

int main(int argc, char** argv) {
  using namespace lkstream::bench;
  options o;
  if (auto e = parse(argc, argv, o)) {
    std::cerr << "compare_loadgen: " << *e << "\n" << usage;
    return 2;
  }
  prctl(PR_SET_TIMERSLACK, 1UL, 0, 0, 0);  // precise sleeps for the fixed-rate schedule
  if (o.probe) return run_probe(o);
  return o.transaction_records > 0 ? run_transactions(o) : run(o);
}

// Mirroring LKSTREAM -> Apache Kafka: the kafka_bridge (direction out) against the plain
// MirrorMaker-style loop (consume from LKSTREAM, produce to Kafka idempotently with acks=all,
// flush, commit: what the bridge does, without the connector host), in the same run on the
// same broker: the loop with librdkafka, and with --java the same loop with the Java client
// (kafka-clients 4.4, bench/java/MirrorLoop.java: what MirrorMaker-style tools run). Not a
// test: figures go to BENCHMARKS.md ("Mirroring to Kafka").
//
//   bridge_bench --serve PATH_TO_LKSTREAM --kafka-script scripts/apache-kafka.sh
//                [--records N] [--size BYTES] [--rate R] [--seconds S] [--java CLASSPATH]
//
// --java  a classpath holding MirrorLoop.class and kafka-clients (make bench-bridge builds it);
//         the Java loop mirrors "bulk3" -> "java.bulk3" and "lag3" -> "java.lag3".
//
// 1. Throughput: N records of BYTES are produced into LKSTREAM as fast as it takes them; the
//    time until all of them are in Kafka gives records/s and MB/s (the bridge mirrors topic
//    "bulk", the loop topic "bulk2").
// 2. Lag: R records/s for S seconds, each value carrying its send time; a Kafka consumer of
//    the mirror records receive time - send time; p50/p99/max per mirror ("lag" / "lag2").
// Both mirrors use 3 partitions, partition p -> p, and the bridge's defaults (linger.ms 5,
// sink batches of 500 records). Prints one JSON line at the end.
#include <librdkafka/rdkafka.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <functional>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

namespace {

using clock_type = std::chrono::steady_clock;

[[noreturn]] void die(const std::string& m) {
  std::fprintf(stderr, "bridge_bench: %s\n", m.c_str());
  std::exit(1);
}

int64_t now_us() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

void quiet_log(const rd_kafka_t*, int, const char*, const char*) {}

rd_kafka_t* client(rd_kafka_type_t type, const std::string& bootstrap,
                   const std::vector<std::pair<std::string, std::string>>& props) {
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  char err[512];
  auto set = [&](const std::string& k, const std::string& v) {
    if (rd_kafka_conf_set(conf, k.c_str(), v.c_str(), err, sizeof err) != RD_KAFKA_CONF_OK)
      die(k + ": " + err);
  };
  set("bootstrap.servers", bootstrap);
  for (auto& [k, v] : props) set(k, v);
  rd_kafka_conf_set_log_cb(conf, &quiet_log);
  rd_kafka_t* rk = rd_kafka_new(type, conf, err, sizeof err);
  if (!rk) die(err);
  return rk;
}

// A child process whose stdout is read line by line until `ready` returns a non-empty text.
std::string run_until(const std::vector<std::string>& argv, pid_t& pid,
                      const std::function<std::string(const std::string&)>& ready, bool drain) {
  int out[2];
  if (::pipe(out) != 0) die("pipe failed");
  pid = ::fork();
  if (pid == 0) {
    ::prctl(PR_SET_PDEATHSIG, SIGTERM);
    ::dup2(out[1], 1);
    ::close(out[0]);
    std::vector<char*> args;
    for (auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    ::execv(args[0], args.data());
    std::perror("exec");
    ::_exit(127);
  }
  ::close(out[1]);
  FILE* f = ::fdopen(out[0], "r");
  char line[4096];
  std::string result;
  while (result.empty() && std::fgets(line, sizeof line, f)) result = ready(line);
  if (drain) {
    std::thread([f] {
      char sink[4096];
      while (std::fgets(sink, sizeof sink, f)) {
      }
      std::fclose(f);
    }).detach();
  } else {
    std::fclose(f);
  }
  return result;
}

int64_t end_offsets(rd_kafka_t* rk, const std::string& topic) {
  int64_t sum = 0;
  for (int p = 0; p < 3; ++p) {
    int64_t lo = 0, hi = 0;
    if (rd_kafka_query_watermark_offsets(rk, topic.c_str(), p, &lo, &hi, 10000)) return -1;
    sum += hi;
  }
  return sum;
}

void create_topic(const std::string& bootstrap, const std::string& topic) {
  rd_kafka_t* rk = client(RD_KAFKA_PRODUCER, bootstrap, {});
  char err[256];
  rd_kafka_NewTopic_t* nt = rd_kafka_NewTopic_new(topic.c_str(), 3, 1, err, sizeof err);
  rd_kafka_queue_t* q = rd_kafka_queue_new(rk);
  rd_kafka_CreateTopics(rk, &nt, 1, nullptr, q);
  if (rd_kafka_event_t* ev = rd_kafka_queue_poll(q, 60000)) rd_kafka_event_destroy(ev);
  rd_kafka_NewTopic_destroy(nt);
  rd_kafka_queue_destroy(q);
  rd_kafka_destroy(rk);
}

// Produces `count` records of `size` bytes to LKSTREAM (partition i % 3); at `rate` per second
// when rate > 0, each value starting with its send time in microseconds.
void produce(const std::string& bootstrap, const std::string& topic, int64_t count, size_t size,
             int64_t rate) {
  rd_kafka_t* rk = client(RD_KAFKA_PRODUCER, bootstrap,
                          {{"linger.ms", rate > 0 ? "0" : "5"}, {"acks", "all"}});
  std::string value(std::max<size_t>(size, 24), 'x');
  const auto start = clock_type::now();
  for (int64_t i = 0; i < count; ++i) {
    if (rate > 0) {
      std::this_thread::sleep_until(start + std::chrono::microseconds(i * 1000000 / rate));
      const std::string ts = std::to_string(now_us());
      std::memcpy(value.data(), ts.data(), ts.size());
      value[ts.size()] = ' ';
    }
    while (rd_kafka_producev(rk, RD_KAFKA_V_TOPIC(topic.c_str()),
                             RD_KAFKA_V_PARTITION(static_cast<int32_t>(i % 3)),
                             RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
                             RD_KAFKA_V_VALUE(value.data(), value.size()),
                             RD_KAFKA_V_END) == RD_KAFKA_RESP_ERR__QUEUE_FULL)
      rd_kafka_poll(rk, 10);
    rd_kafka_poll(rk, 0);
  }
  rd_kafka_flush(rk, 120000);
  rd_kafka_destroy(rk);
}

// The MirrorMaker-style loop: LKSTREAM `from` -> Kafka `to`, batch by batch (up to 500 records:
// produce, flush, commit), until `stop`.
void mirror_loop(const std::string& lk, const std::string& kafka, const std::string& from,
                 const std::string& to, std::atomic<bool>& stop) {
  rd_kafka_t* cons = client(RD_KAFKA_CONSUMER, lk,
                            {{"group.id", "bench-loop-" + from}, {"enable.auto.commit", "false"},
                             {"auto.offset.reset", "earliest"}});
  rd_kafka_t* prod = client(RD_KAFKA_PRODUCER, kafka,
                            {{"enable.idempotence", "true"}, {"acks", "all"}, {"linger.ms", "5"}});
  rd_kafka_poll_set_consumer(cons);
  auto* list = rd_kafka_topic_partition_list_new(1);
  rd_kafka_topic_partition_list_add(list, from.c_str(), RD_KAFKA_PARTITION_UA);
  rd_kafka_subscribe(cons, list);
  rd_kafka_topic_partition_list_destroy(list);
  std::vector<rd_kafka_message_t*> batch;
  while (!stop) {
    batch.clear();
    while (batch.size() < 500) {
      rd_kafka_message_t* m = rd_kafka_consumer_poll(cons, batch.empty() ? 100 : 0);
      if (!m) break;
      if (m->err) {
        rd_kafka_message_destroy(m);
        continue;
      }
      batch.push_back(m);
    }
    if (batch.empty()) continue;
    for (auto* m : batch)
      while (rd_kafka_producev(prod, RD_KAFKA_V_TOPIC(to.c_str()),
                               RD_KAFKA_V_PARTITION(m->partition),
                               RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
                               RD_KAFKA_V_VALUE(m->payload, m->len),
                               RD_KAFKA_V_END) == RD_KAFKA_RESP_ERR__QUEUE_FULL)
        rd_kafka_poll(prod, 10);
    rd_kafka_flush(prod, 60000);
    auto* offsets = rd_kafka_topic_partition_list_new(static_cast<int>(batch.size()));
    for (auto* m : batch)
      rd_kafka_topic_partition_list_add(offsets, from.c_str(), m->partition)->offset =
          m->offset + 1;
    rd_kafka_commit(cons, offsets, 0);
    rd_kafka_topic_partition_list_destroy(offsets);
    for (auto* m : batch) rd_kafka_message_destroy(m);
  }
  rd_kafka_consumer_close(cons);
  rd_kafka_destroy(cons);
  rd_kafka_destroy(prod);
}

struct lag_result {
  double p50_ms = 0, p99_ms = 0, max_ms = 0;
  size_t received = 0;
};

// Reads Kafka `topic` from its end (assigned before the load starts) until `expected` records
// arrived or `until`; lag = receive time - the send time in the value.
lag_result measure_lag(const std::string& kafka, const std::string& topic, size_t expected,
                       clock_type::time_point until, std::atomic<bool>& assigned) {
  rd_kafka_t* cons = client(RD_KAFKA_CONSUMER, kafka,
                            {{"group.id", "bench-lag-" + topic}, {"enable.auto.commit", "false"},
                             {"fetch.wait.max.ms", "10"}});
  rd_kafka_poll_set_consumer(cons);
  auto* list = rd_kafka_topic_partition_list_new(3);
  for (int p = 0; p < 3; ++p)
    rd_kafka_topic_partition_list_add(list, topic.c_str(), p)->offset = RD_KAFKA_OFFSET_END;
  rd_kafka_assign(cons, list);
  rd_kafka_topic_partition_list_destroy(list);
  for (int i = 0; i < 20; ++i) rd_kafka_consumer_poll(cons, 50);  // settle the positions
  assigned = true;
  std::vector<double> lags;
  lags.reserve(expected);
  while (lags.size() < expected && clock_type::now() < until) {
    rd_kafka_message_t* m = rd_kafka_consumer_poll(cons, 100);
    if (!m) continue;
    if (!m->err && m->len > 0) {
      const int64_t sent = std::strtoll(static_cast<const char*>(m->payload), nullptr, 10);
      if (sent > 0) lags.push_back(static_cast<double>(now_us() - sent) / 1000.0);
    }
    rd_kafka_message_destroy(m);
  }
  rd_kafka_consumer_close(cons);
  rd_kafka_destroy(cons);
  lag_result r;
  r.received = lags.size();
  if (lags.empty()) return r;
  std::sort(lags.begin(), lags.end());
  r.p50_ms = lags[lags.size() / 2];
  r.p99_ms = lags[std::min(lags.size() - 1, lags.size() * 99 / 100)];
  r.max_ms = lags.back();
  return r;
}

}  // namespace

int main(int argc, char** argv) {
  std::string serve, script, java_cp;
  int64_t records = 500000, rate = 5000, seconds = 20;
  size_t size = 100;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i], v = argv[i + 1];
    if (flag == "--serve") serve = v;
    else if (flag == "--kafka-script") script = v;
    else if (flag == "--records") records = std::stoll(v);
    else if (flag == "--size") size = std::stoul(v);
    else if (flag == "--rate") rate = std::stoll(v);
    else if (flag == "--seconds") seconds = std::stoll(v);
    else if (flag == "--java") java_cp = v;
    else die("unknown flag " + flag);
  }
  if (serve.empty() || script.empty())
    die("usage: bridge_bench --serve LKSTREAM --kafka-script scripts/apache-kafka.sh "
        "[--records N] [--size B] [--rate R] [--seconds S] [--java CLASSPATH]");
  char tmpl[] = "/tmp/bridge-bench-XXXXXX";
  if (!::mkdtemp(tmpl)) die("mkdtemp failed");
  const std::string dir = tmpl;

  pid_t kafka_pid = -1;
  // The address is the script's last line; the broker it starts keeps the pipe open, so the
  // reading stops there.
  const std::string kafka = run_until(
      {"/bin/bash", script, "start", dir + "/kafka"}, kafka_pid,
      [&](const std::string& l) {
        return l.rfind("127.0.0.1:", 0) == 0 ? l.substr(0, l.find_first_of("\r\n"))
                                             : std::string();
      },
      true);
  int status = 0;
  ::waitpid(kafka_pid, &status, 0);
  if (kafka.empty()) die("apache-kafka.sh start failed");
  for (const char* t : {"bulk", "lag", "loop.bulk2", "loop.lag2", "java.bulk3", "java.lag3"})
    create_topic(kafka, t);

  std::ofstream(dir + "/lkstream.toml")
      << "[broker]\ndata_dir = \"" << dir << "/data\"\n"
      << "[topic_defaults]\npartitions = 3\nretention_ms = \"1h\"\n"
      << "[[topic]]\nname = \"bulk\"\n[[topic]]\nname = \"lag\"\n"
      << "[[topic]]\nname = \"bulk2\"\n[[topic]]\nname = \"lag2\"\n"
      << "[[topic]]\nname = \"bulk3\"\n[[topic]]\nname = \"lag3\"\n"
      << "[[connector]]\nname = \"to-kafka\"\nplugin = \"kafka_bridge\"\n"
      << "topics = [\"bulk\", \"lag\"]\n[connector.config]\ndirection = \"out\"\n"
      << "\"bootstrap.servers\" = \"" << kafka << "\"\n";
  pid_t serve_pid = -1;
  const std::string lk = run_until(
      {serve, "serve", "--config", dir + "/lkstream.toml", "--listen", "127.0.0.1:0"}, serve_pid,
      [](const std::string& l) {
        auto at = l.find("Kafka on ");
        if (l.find("ready") == std::string::npos || at == std::string::npos) return std::string();
        return l.substr(at + 9, l.find(')', at) - at - 9);
      },
      true);
  if (lk.empty()) die("lkstream serve did not start");
  rd_kafka_t* watcher = client(RD_KAFKA_PRODUCER, kafka, {});

  // 1. Throughput.
  auto throughput = [&](const std::string& from, const std::string& to) {
    const auto t0 = clock_type::now();
    produce(lk, from, records, size, 0);
    while (end_offsets(watcher, to) < records)
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    return std::chrono::duration<double>(clock_type::now() - t0).count();
  };
  const double bridge_s = throughput("bulk", "bulk");
  std::atomic<bool> stop{false};
  std::thread loop1([&] { mirror_loop(lk, kafka, "bulk2", "loop.bulk2", stop); });
  const double loop_s = throughput("bulk2", "loop.bulk2");
  // The Java loop: one JVM per mirrored topic, started (and ready) before its phase.
  const bool java = !java_cp.empty();
  std::vector<pid_t> jvms;
  auto start_java = [&](const std::string& from, const std::string& to) {
    pid_t pid = -1;
    auto ready = run_until({"/usr/bin/env", "java", "-cp", java_cp, "MirrorLoop", lk, kafka, from, to},
                           pid, [](const std::string& l) {
                             return l.rfind("ready", 0) == 0 ? std::string("ready") : std::string();
                           }, true);
    if (ready.empty()) die("the Java MirrorLoop did not start (classpath " + java_cp + ")");
    jvms.push_back(pid);
  };
  double java_s = 0;
  if (java) {
    start_java("bulk3", "java.bulk3");
    java_s = throughput("bulk3", "java.bulk3");
  }

  // 2. Lag at a fixed rate, every mirror at once (each gets `rate`).
  std::thread loop2([&] { mirror_loop(lk, kafka, "lag2", "loop.lag2", stop); });
  if (java) start_java("lag3", "java.lag3");
  const auto until = clock_type::now() + std::chrono::seconds(seconds + 60);
  std::atomic<bool> a1{false}, a2{false}, a3{!java};
  lag_result bridge_lag, loop_lag, java_lag;
  std::thread m1([&] { bridge_lag = measure_lag(kafka, "lag", rate * seconds, until, a1); });
  std::thread m2([&] { loop_lag = measure_lag(kafka, "loop.lag2", rate * seconds, until, a2); });
  std::thread m3([&] {
    if (java) java_lag = measure_lag(kafka, "java.lag3", rate * seconds, until, a3);
  });
  while (!a1 || !a2 || !a3) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  std::thread p1([&] { produce(lk, "lag", rate * seconds, size, rate); });
  std::thread p2([&] { produce(lk, "lag2", rate * seconds, size, rate); });
  std::thread p3([&] {
    if (java) produce(lk, "lag3", rate * seconds, size, rate);
  });
  p1.join();
  p2.join();
  p3.join();
  m1.join();
  m2.join();
  m3.join();
  stop = true;
  loop1.join();
  loop2.join();
  for (pid_t pid : jvms) {
    ::kill(pid, SIGTERM);
    ::waitpid(pid, &status, 0);
  }
  rd_kafka_destroy(watcher);

  const double mb = static_cast<double>(records) * static_cast<double>(size) / 1e6;
  std::printf("throughput (%lld records of %zu B): bridge %.0f rec/s %.1f MB/s | loop %.0f rec/s "
              "%.1f MB/s\n",
              static_cast<long long>(records), size, records / bridge_s, mb / bridge_s,
              records / loop_s, mb / loop_s);
  std::printf("lag at %lld rec/s for %llds: bridge p50 %.1f ms p99 %.1f ms max %.1f ms (%zu) | "
              "loop p50 %.1f ms p99 %.1f ms max %.1f ms (%zu)\n",
              static_cast<long long>(rate), static_cast<long long>(seconds), bridge_lag.p50_ms,
              bridge_lag.p99_ms, bridge_lag.max_ms, bridge_lag.received, loop_lag.p50_ms,
              loop_lag.p99_ms, loop_lag.max_ms, loop_lag.received);
  if (java) {
    std::printf("java client loop: throughput %.0f rec/s %.1f MB/s | lag p50 %.1f ms p99 %.1f ms "
                "max %.1f ms (%zu)\n",
                records / java_s, mb / java_s, java_lag.p50_ms, java_lag.p99_ms, java_lag.max_ms,
                java_lag.received);
  }
  std::printf("{\"records\":%lld,\"size\":%zu,\"bridge_rps\":%.0f,\"bridge_mbps\":%.2f,"
              "\"loop_rps\":%.0f,\"loop_mbps\":%.2f,\"rate\":%lld,\"bridge_lag_p50_ms\":%.2f,"
              "\"bridge_lag_p99_ms\":%.2f,\"loop_lag_p50_ms\":%.2f,\"loop_lag_p99_ms\":%.2f",
              static_cast<long long>(records), size, records / bridge_s, mb / bridge_s,
              records / loop_s, mb / loop_s, static_cast<long long>(rate), bridge_lag.p50_ms,
              bridge_lag.p99_ms, loop_lag.p50_ms, loop_lag.p99_ms);
  if (java)
    std::printf(",\"java_rps\":%.0f,\"java_mbps\":%.2f,\"java_lag_p50_ms\":%.2f,"
                "\"java_lag_p99_ms\":%.2f,\"java_lag_received\":%zu",
                records / java_s, mb / java_s, java_lag.p50_ms, java_lag.p99_ms, java_lag.received);
  std::printf("}\n");
  ::kill(serve_pid, SIGTERM);
  ::waitpid(serve_pid, &status, 0);
  pid_t stopper = -1;
  run_until({"/bin/bash", script, "stop", dir + "/kafka"}, stopper,
            [](const std::string&) { return std::string(); }, false);
  ::waitpid(stopper, &status, 0);
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
  return 0;
}

// kafka_bench: the Kafka-protocol side of LKSTREAM measured with a real client (librdkafka, C
// API): produce throughput, produce-ack latency at a fixed rate, end-to-end latency, and offset
// commits per second with many consumers committing after every record they poll. Method and
// recorded figures: BENCHMARKS.md, section "Kafka protocol (bench-kafka)".
//
//   kafka_bench --serve PATH_TO_LKSTREAM [options]   starts `lkstream serve` on a fresh data
//                                                    directory and a free port, stops it after
//   kafka_bench --bootstrap HOST:PORT [options]      any Kafka broker (e.g. Apache Kafka), so
//                                                    the same run compares brokers
// Options:
//   --seconds S         cap of one throughput repetition (default 3); figures are medians of 3
//   --records N         records per throughput repetition (default 1000000; the cap applies)
//   --rate R            records/s of the latency runs (default 5000)
//   --latency-seconds S length of each latency run after a 1 s warm-up (default 5)
//   --acks A            producer acks (default all)
//   --topic-prefix P    topic name prefix (default kbench-<pid>)
//   --commit-consumers N consumers of the commit runs, one partition each (default 8; 0 skips)
//   --commit-seconds S  length of each commit run (default 5)
//
// Each run uses its own new topic (1 partition) created through the Admin API. The last line of
// the output is one JSON object with every figure.
#include <librdkafka/rdkafka.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
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
#include <map>
#include <string>
#include <thread>
#include <vector>

namespace {

using clock_type = std::chrono::steady_clock;

struct options {
  std::string serve;       // path of the lkstream binary, or empty
  std::string bootstrap;   // HOST:PORT, or empty
  double seconds = 3;
  long records = 1000000;
  int rate = 5000;
  double latency_seconds = 5;
  std::string acks = "all";
  std::string prefix;
  int commit_consumers = 8;
  double commit_seconds = 5;
};

[[noreturn]] void die(const std::string& what) {
  std::fprintf(stderr, "kafka_bench: %s\n", what.c_str());
  std::exit(1);
}

int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(clock_type::now().time_since_epoch())
      .count();
}

void set(rd_kafka_conf_t* conf, const char* key, const std::string& value) {
  char err[512];
  if (rd_kafka_conf_set(conf, key, value.c_str(), err, sizeof err) != RD_KAFKA_CONF_OK)
    die(std::string("librdkafka config ") + key + "=" + value + ": " + err);
}

// ---- the broker under test ---------------------------------------------------------------

// `lkstream serve` on a fresh data directory and port 0; the address comes from its ready line.
struct served_broker {
  pid_t pid = -1;
  std::string data_dir;
  std::string address;

  void start(const std::string& binary) {
    char tmpl[] = "/tmp/kafka-bench-XXXXXX";
    if (!::mkdtemp(tmpl)) die("mkdtemp failed");
    data_dir = tmpl;
    int out[2];
    if (::pipe(out) != 0) die("pipe failed");
    pid = ::fork();
    if (pid == 0) {
      ::prctl(PR_SET_PDEATHSIG, SIGTERM);
      ::dup2(out[1], 1);
      ::close(out[0]);
      ::execl(binary.c_str(), binary.c_str(), "serve", "--data-dir", data_dir.c_str(),
              "--listen", "127.0.0.1:0", static_cast<char*>(nullptr));
      std::perror("exec lkstream");
      ::_exit(127);
    }
    ::close(out[1]);
    FILE* f = ::fdopen(out[0], "r");
    char line[4096];
    while (std::fgets(line, sizeof line, f)) {
      std::string l = line;
      auto at = l.find("Kafka on ");
      if (l.find("ready") == std::string::npos || at == std::string::npos) continue;
      auto end = l.find(')', at);
      address = l.substr(at + 9, end - at - 9);
      break;
    }
    if (address.empty()) die("lkstream serve did not report ready (" + binary + ")");
    std::thread([f] {  // keep draining its output so it never blocks on a full pipe
      char sink[4096];
      while (std::fgets(sink, sizeof sink, f)) {
      }
      std::fclose(f);
    }).detach();
  }

  void stop() {
    if (pid <= 0) return;
    ::kill(pid, SIGTERM);
    int status = 0;
    ::waitpid(pid, &status, 0);
    std::error_code ec;
    std::filesystem::remove_all(data_dir, ec);
    pid = -1;
  }
};

void create_topic(const std::string& bootstrap, const std::string& topic, int partitions = 1) {
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  set(conf, "bootstrap.servers", bootstrap);
  char err[512];
  rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
  if (!rk) die(std::string("admin client: ") + err);
  rd_kafka_NewTopic_t* nt = rd_kafka_NewTopic_new(topic.c_str(), partitions, 1, err, sizeof err);
  rd_kafka_queue_t* q = rd_kafka_queue_new(rk);
  rd_kafka_CreateTopics(rk, &nt, 1, nullptr, q);
  rd_kafka_event_t* ev = rd_kafka_queue_poll(q, 30000);
  if (!ev) die("CreateTopics timed out for " + topic);
  const rd_kafka_CreateTopics_result_t* res = rd_kafka_event_CreateTopics_result(ev);
  size_t n = 0;
  const rd_kafka_topic_result_t** results = rd_kafka_CreateTopics_result_topics(res, &n);
  if (rd_kafka_event_error(ev) || n != 1 || rd_kafka_topic_result_error(results[0]))
    die("CreateTopics " + topic + ": " +
        (n == 1 ? rd_kafka_topic_result_error_string(results[0]) : rd_kafka_event_error_string(ev)));
  rd_kafka_event_destroy(ev);
  rd_kafka_queue_destroy(q);
  rd_kafka_NewTopic_destroy(nt);
  rd_kafka_destroy(rk);
}

// ---- producer ------------------------------------------------------------------------------

struct delivery_state {
  std::atomic<long> delivered{0};
  std::atomic<long> failed{0};
  std::vector<int64_t>* latencies = nullptr;  // ack latency per record, when measured
  int64_t warmup_until = 0;
};

void on_delivery(rd_kafka_t*, const rd_kafka_message_t* m, void* opaque) {
  auto* st = static_cast<delivery_state*>(opaque);
  if (m->err) {
    st->failed++;
    return;
  }
  st->delivered++;
  if (st->latencies) {
    const auto scheduled = reinterpret_cast<intptr_t>(m->_private);
    if (scheduled >= st->warmup_until) st->latencies->push_back(now_ns() - scheduled);
  }
}

rd_kafka_t* make_producer(const options& o, const std::string& bootstrap, delivery_state& st,
                          bool low_latency) {
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  set(conf, "bootstrap.servers", bootstrap);
  set(conf, "acks", o.acks);
  set(conf, "linger.ms", low_latency ? "0" : "5");
  set(conf, "batch.size", "1048576");
  set(conf, "compression.type", "none");
  set(conf, "queue.buffering.max.messages", "1000000");
  set(conf, "queue.buffering.max.kbytes", "1048576");
  rd_kafka_conf_set_opaque(conf, &st);
  rd_kafka_conf_set_dr_msg_cb(conf, on_delivery);
  char err[512];
  rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
  if (!rk) die(std::string("producer: ") + err);
  return rk;
}

void produce_one(rd_kafka_t* rk, const std::string& topic, const std::string& value,
                 intptr_t opaque) {
  for (;;) {
    auto e = rd_kafka_producev(rk, RD_KAFKA_V_TOPIC(topic.c_str()), RD_KAFKA_V_PARTITION(0),
                               RD_KAFKA_V_VALUE(const_cast<char*>(value.data()), value.size()),
                               RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
                               RD_KAFKA_V_OPAQUE(reinterpret_cast<void*>(opaque)), RD_KAFKA_V_END);
    if (e == RD_KAFKA_RESP_ERR_NO_ERROR) return;
    if (e != RD_KAFKA_RESP_ERR__QUEUE_FULL) die(std::string("produce: ") + rd_kafka_err2str(e));
    rd_kafka_poll(rk, 10);
  }
}

struct throughput {
  double records_per_s = 0;
  double mb_per_s = 0;
};

// One repetition: as many records as fit in o.records / o.seconds, all acknowledged.
throughput produce_run(const options& o, const std::string& bootstrap, const std::string& topic,
                       size_t value_size) {
  delivery_state st;
  rd_kafka_t* rk = make_producer(o, bootstrap, st, false);
  const std::string value(value_size, 'x');
  const auto start = clock_type::now();
  const auto cap = start + std::chrono::duration<double>(o.seconds);
  long sent = 0;
  while (sent < o.records && (sent % 1024 != 0 || clock_type::now() < cap)) {
    produce_one(rk, topic, value, 0);
    ++sent;
    if (sent % 256 == 0) rd_kafka_poll(rk, 0);
  }
  if (rd_kafka_flush(rk, 120000) != RD_KAFKA_RESP_ERR_NO_ERROR) die("flush timed out");
  const double secs = std::chrono::duration<double>(clock_type::now() - start).count();
  if (st.failed || st.delivered != sent) die("not every record was acknowledged");
  rd_kafka_destroy(rk);
  return {sent / secs, sent * static_cast<double>(value_size) / secs / 1e6};
}

// ---- latency -------------------------------------------------------------------------------

struct percentiles {
  double p50_us = 0, p99_us = 0, p999_us = 0, max_us = 0;
  size_t samples = 0;
};

percentiles summarize(std::vector<int64_t>& ns) {
  percentiles p;
  if (ns.empty()) return p;
  std::sort(ns.begin(), ns.end());
  auto at = [&](double q) {
    return ns[std::min(ns.size() - 1, static_cast<size_t>(q * static_cast<double>(ns.size())))] /
           1e3;
  };
  p.p50_us = at(0.50);
  p.p99_us = at(0.99);
  p.p999_us = at(0.999);
  p.max_us = ns.back() / 1e3;
  p.samples = ns.size();
  return p;
}

void sleep_until_ns(int64_t t) {
  for (;;) {
    const int64_t left = t - now_ns();
    if (left <= 0) return;
    if (left > 200000) std::this_thread::sleep_for(std::chrono::nanoseconds(left - 100000));
  }
}

// A fixed schedule of o.rate records/s: each record carries its scheduled send time (as the
// delivery opaque, and in its value for the consumer), so a sender or broker that falls behind
// shows as latency instead of fewer samples (no coordinated omission).
void fixed_rate(const options& o, rd_kafka_t* rk, const std::string& topic, int64_t start,
                int64_t end, size_t value_size) {
  const int64_t interval = 1000000000LL / o.rate;
  std::string value(value_size, 'x');
  for (int64_t i = 0;; ++i) {
    const int64_t at = start + i * interval;
    if (at >= end) break;
    sleep_until_ns(at);
    std::memcpy(value.data(), &at, sizeof at);
    produce_one(rk, topic, value, static_cast<intptr_t>(at));
    rd_kafka_poll(rk, 0);
  }
  rd_kafka_flush(rk, 60000);
}

percentiles ack_latency(const options& o, const std::string& bootstrap, const std::string& topic) {
  std::vector<int64_t> lat;
  lat.reserve(static_cast<size_t>(o.rate * (o.latency_seconds + 2)));
  delivery_state st;
  st.latencies = &lat;
  rd_kafka_t* rk = make_producer(o, bootstrap, st, true);
  const int64_t start = now_ns() + 100000000;
  st.warmup_until = start + 1000000000LL;
  fixed_rate(o, rk, topic, start, st.warmup_until + static_cast<int64_t>(o.latency_seconds * 1e9),
             100);
  if (st.failed) die("records failed in the ack-latency run");
  rd_kafka_destroy(rk);
  return summarize(lat);
}

percentiles e2e_latency(const options& o, const std::string& bootstrap, const std::string& topic) {
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  set(conf, "bootstrap.servers", bootstrap);
  set(conf, "group.id", "kafka-bench");
  set(conf, "enable.auto.commit", "false");
  set(conf, "fetch.wait.max.ms", "100");
  set(conf, "fetch.min.bytes", "1");
  set(conf, "enable.partition.eof", "false");
  char err[512];
  rd_kafka_t* consumer = rd_kafka_new(RD_KAFKA_CONSUMER, conf, err, sizeof err);
  if (!consumer) die(std::string("consumer: ") + err);
  rd_kafka_poll_set_consumer(consumer);
  rd_kafka_topic_partition_list_t* tps = rd_kafka_topic_partition_list_new(1);
  rd_kafka_topic_partition_list_add(tps, topic.c_str(), 0)->offset = 0;
  rd_kafka_assign(consumer, tps);
  rd_kafka_topic_partition_list_destroy(tps);

  delivery_state st;
  rd_kafka_t* producer = make_producer(o, bootstrap, st, true);
  const int64_t start = now_ns() + 500000000;  // the consumer's first fetch is under way
  const int64_t warmup_until = start + 1000000000LL;
  const int64_t end = warmup_until + static_cast<int64_t>(o.latency_seconds * 1e9);
  const long expected = static_cast<long>((end - start + 1000000000LL / o.rate - 1) /
                                          (1000000000LL / o.rate));
  std::vector<int64_t> lat;
  lat.reserve(static_cast<size_t>(expected));
  long received = 0;
  std::thread reader([&] {
    const int64_t give_up = end + 30000000000LL;
    while (received < expected && now_ns() < give_up) {
      rd_kafka_message_t* m = rd_kafka_consumer_poll(consumer, 100);
      if (!m) continue;
      if (!m->err && m->len >= sizeof(int64_t)) {
        int64_t scheduled = 0;
        std::memcpy(&scheduled, m->payload, sizeof scheduled);
        if (scheduled >= warmup_until) lat.push_back(now_ns() - scheduled);
        ++received;
      }
      rd_kafka_message_destroy(m);
    }
  });
  fixed_rate(o, producer, topic, start, end, 100);
  reader.join();
  if (received < expected)
    die("end-to-end run: consumer received " + std::to_string(received) + " of " +
        std::to_string(expected));
  rd_kafka_destroy(producer);
  rd_kafka_consumer_close(consumer);
  rd_kafka_destroy(consumer);
  return summarize(lat);
}

// ---- commits -------------------------------------------------------------------------------

struct commit_state {
  std::atomic<long> acked{0};
  std::atomic<long> failed{0};
  std::atomic<long> nothing_new{0};  // librdkafka's local _NO_OFFSET: no new offsets to send
  std::atomic<int> first_error{0};   // rd_kafka_resp_err_t of the first failure
};

void on_commit(rd_kafka_t*, rd_kafka_resp_err_t err, rd_kafka_topic_partition_list_t* offsets,
               void* opaque) {
  auto* st = static_cast<commit_state*>(opaque);
  // A partition-level error counts too (the request as a whole may have succeeded).
  for (int i = 0; !err && offsets && i < offsets->cnt; ++i) err = offsets->elems[i].err;
  if (err == RD_KAFKA_RESP_ERR__NO_OFFSET) {  // answered by the client itself, not a failure
    st->nothing_new++;
  } else if (err) {
    int none = 0;
    st->first_error.compare_exchange_strong(none, static_cast<int>(err));
    st->failed++;
  } else {
    st->acked++;
  }
}

struct commit_figures {
  double acked_per_s = 0;
  long failed = 0;
  std::string first_error;
};

// `consumers` consumers of one group, consumer i assigned partition i of `topic` (filled
// beforehand), each committing its position after every record it polls: asynchronously
// (librdkafka pipelines them) or synchronously (one at a time per consumer). Returns the
// commits acknowledged per second over o.commit_seconds.
commit_figures commit_run(const options& o, const std::string& bootstrap, const std::string& topic,
                  int consumers, bool async) {
  std::vector<commit_state> states(static_cast<size_t>(consumers));
  std::vector<rd_kafka_t*> handles;
  for (int i = 0; i < consumers; ++i) {
    rd_kafka_conf_t* conf = rd_kafka_conf_new();
    set(conf, "bootstrap.servers", bootstrap);
    set(conf, "group.id", topic + "-committers");
    set(conf, "enable.auto.commit", "false");
    set(conf, "enable.auto.offset.store", "true");
    set(conf, "fetch.wait.max.ms", "100");
    rd_kafka_conf_set_opaque(conf, &states[static_cast<size_t>(i)]);
    rd_kafka_conf_set_offset_commit_cb(conf, on_commit);
    char err[512];
    rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, err, sizeof err);
    if (!rk) die(std::string("consumer: ") + err);
    rd_kafka_poll_set_consumer(rk);
    rd_kafka_topic_partition_list_t* tps = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(tps, topic.c_str(), i)->offset = 0;
    rd_kafka_assign(rk, tps);
    rd_kafka_topic_partition_list_destroy(tps);
    handles.push_back(rk);
  }
  std::atomic<bool> measuring{false}, stop{false};
  std::atomic<long> sync_acked{0}, sync_failed{0};
  std::atomic<int> sync_first_error{0};
  std::vector<std::thread> threads;
  for (auto* rk : handles) {
    threads.emplace_back([&, rk] {
      while (!stop) {
        rd_kafka_message_t* m = rd_kafka_consumer_poll(rk, 100);
        if (!m) continue;
        const bool record = !m->err;
        rd_kafka_message_destroy(m);
        if (!record) continue;
        if (async) {
          rd_kafka_commit(rk, nullptr, 1);
        } else {
          auto e = rd_kafka_commit(rk, nullptr, 0);
          if (e) {
            int none = 0;
            sync_first_error.compare_exchange_strong(none, static_cast<int>(e));
          }
          if (measuring) (e ? sync_failed : sync_acked)++;
        }
      }
    });
  }
  std::this_thread::sleep_for(std::chrono::seconds(1));  // assignments and first fetches
  long before = 0;
  for (auto& st : states) before += st.acked;
  sync_acked = 0;
  measuring = true;
  const auto start = clock_type::now();
  std::this_thread::sleep_for(std::chrono::duration<double>(o.commit_seconds));
  long after = 0, failed = 0;
  int first_error = sync_first_error;
  for (auto& st : states) {
    after += st.acked;
    failed += st.failed;
    if (!first_error) first_error = st.first_error;
  }
  const long sync_done = sync_acked;
  const double secs = std::chrono::duration<double>(clock_type::now() - start).count();
  stop = true;
  for (auto& t : threads) t.join();
  for (auto* rk : handles) {
    rd_kafka_consumer_close(rk);
    rd_kafka_destroy(rk);
  }
  commit_figures out;
  out.acked_per_s = (async ? after - before : sync_done) / secs;
  out.failed = async ? failed : static_cast<long>(sync_failed);
  if (first_error) out.first_error = rd_kafka_err2name(static_cast<rd_kafka_resp_err_t>(first_error));
  return out;
}

void fill(const options& o, const std::string& bootstrap, const std::string& topic,
          int partitions, long per_partition) {
  delivery_state st;
  rd_kafka_t* rk = make_producer(o, bootstrap, st, false);
  const std::string value(100, 'x');
  for (long i = 0; i < per_partition; ++i)
    for (int p = 0; p < partitions; ++p) {
      for (;;) {
        auto e = rd_kafka_producev(rk, RD_KAFKA_V_TOPIC(topic.c_str()), RD_KAFKA_V_PARTITION(p),
                                   RD_KAFKA_V_VALUE(const_cast<char*>(value.data()), value.size()),
                                   RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_END);
        if (e == RD_KAFKA_RESP_ERR_NO_ERROR) break;
        if (e != RD_KAFKA_RESP_ERR__QUEUE_FULL) die(std::string("produce: ") + rd_kafka_err2str(e));
        rd_kafka_poll(rk, 10);
      }
    }
  if (rd_kafka_flush(rk, 120000) != RD_KAFKA_RESP_ERR_NO_ERROR) die("flush timed out");
  if (st.failed) die("records failed while filling " + topic);
  rd_kafka_destroy(rk);
}

double median3(double a, double b, double c) {
  return std::max(std::min(a, b), std::min(std::max(a, b), c));
}

options parse(int argc, char** argv) {
  options o;
  o.prefix = "kbench-" + std::to_string(::getpid());
  for (int i = 1; i < argc; ++i) {
    std::string flag = argv[i];
    if (flag == "--help" || flag == "-h") {
      std::printf("usage: kafka_bench (--serve LKSTREAM | --bootstrap HOST:PORT) [--seconds S]\n"
                  "       [--records N] [--rate R] [--latency-seconds S] [--acks A]\n"
                  "       [--topic-prefix P] [--commit-consumers N] [--commit-seconds S]\n");
      std::exit(0);
    }
    if (i + 1 >= argc) die("missing value after " + flag);
    std::string v = argv[++i];
    if (flag == "--serve") o.serve = v;
    else if (flag == "--bootstrap") o.bootstrap = v;
    else if (flag == "--seconds") o.seconds = std::stod(v);
    else if (flag == "--records") o.records = std::stol(v);
    else if (flag == "--rate") o.rate = std::stoi(v);
    else if (flag == "--latency-seconds") o.latency_seconds = std::stod(v);
    else if (flag == "--acks") o.acks = v;
    else if (flag == "--topic-prefix") o.prefix = v;
    else if (flag == "--commit-consumers") o.commit_consumers = std::stoi(v);
    else if (flag == "--commit-seconds") o.commit_seconds = std::stod(v);
    else die("unknown flag " + flag + " (see --help)");
  }
  if (o.serve.empty() == o.bootstrap.empty()) die("give exactly one of --serve and --bootstrap");
  if (o.rate <= 0 || o.seconds <= 0 || o.latency_seconds <= 0 || o.commit_seconds <= 0)
    die("rates and times must be > 0");
  if (o.commit_consumers < 0 || o.commit_consumers > 256) die("--commit-consumers: 0..256");
  return o;
}

}  // namespace

int main(int argc, char** argv) {
  options o = parse(argc, argv);
  ::prctl(PR_SET_TIMERSLACK, 1UL);  // precise sleeps for the fixed-rate sender
  served_broker served;
  std::string bootstrap = o.bootstrap;
  if (!o.serve.empty()) {
    served.start(o.serve);
    bootstrap = served.address;
  }
  std::printf("kafka_bench: broker %s (%s), librdkafka %s, acks=%s\n", bootstrap.c_str(),
              o.serve.empty() ? "external" : "lkstream serve, fresh data dir",
              rd_kafka_version_str(), o.acks.c_str());
  std::map<std::string, double> figures;
  int topic_no = 0;
  auto topic = [&] {
    auto t = o.prefix + "-" + std::to_string(topic_no++);
    create_topic(bootstrap, t);
    return t;
  };

  for (size_t size : {size_t{100}, size_t{1024}}) {
    throughput r[3];
    for (auto& rep : r) rep = produce_run(o, bootstrap, topic(), size);
    const std::string name = size == 100 ? "100b" : "1kib";
    figures["produce_" + name + "_rps"] =
        median3(r[0].records_per_s, r[1].records_per_s, r[2].records_per_s);
    figures["produce_" + name + "_mbps"] = median3(r[0].mb_per_s, r[1].mb_per_s, r[2].mb_per_s);
    std::printf("produce %-5s  %12.0f records/s  %8.1f MB/s   (median of 3: %.0f %.0f %.0f)\n",
                name.c_str(), figures["produce_" + name + "_rps"],
                figures["produce_" + name + "_mbps"], r[0].records_per_s, r[1].records_per_s,
                r[2].records_per_s);
  }
  auto report = [&](const std::string& name, const percentiles& p) {
    figures[name + "_p50_us"] = p.p50_us;
    figures[name + "_p99_us"] = p.p99_us;
    figures[name + "_p999_us"] = p.p999_us;
    figures[name + "_max_us"] = p.max_us;
    std::printf("%-10s at %d/s  p50 %8.0f us  p99 %8.0f us  p99.9 %8.0f us  max %8.0f us  (%zu)\n",
                name.c_str(), o.rate, p.p50_us, p.p99_us, p.p999_us, p.max_us, p.samples);
  };
  report("ack", ack_latency(o, bootstrap, topic()));
  report("e2e", e2e_latency(o, bootstrap, topic()));
  figures["rate"] = o.rate;

  if (o.commit_consumers > 0) {
    for (bool async : {true, false}) {
      // A commit per record polled: the topic holds more records than any run can consume.
      const auto t = o.prefix + "-" + std::to_string(topic_no++);
      create_topic(bootstrap, t, o.commit_consumers);
      fill(o, bootstrap, t, o.commit_consumers, 40000);
      const auto c = commit_run(o, bootstrap, t, o.commit_consumers, async);
      const std::string name = async ? "commit_async" : "commit_sync";
      figures[name + "_per_s"] = c.acked_per_s;
      figures[name + "_failed"] = static_cast<double>(c.failed);
      std::printf("commits %-5s %12.0f acknowledged/s  (%d consumers, a commit after every poll)",
                  async ? "async" : "sync", c.acked_per_s, o.commit_consumers);
      if (c.failed) std::printf("  %ld FAILED, first: %s", c.failed, c.first_error.c_str());
      std::printf("\n");
    }
  }

  served.stop();
  std::printf("{");
  bool first = true;
  for (auto& [k, v] : figures) {
    std::printf("%s\"%s\": %.1f", first ? "" : ", ", k.c_str(), v);
    first = false;
  }
  std::printf("}\n");
  return 0;
}

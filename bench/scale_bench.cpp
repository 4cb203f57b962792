// scale_bench: one machine at many partitions (issue 23, item 7), `lkstream serve` next to Apache
// Kafka 4.4 in the same run, both through a real client (librdkafka, C API). For each N:
//
//   create     N partitions as N/4 topics of 4 partitions, CreateTopics of 200 topics at a time
//   rss, fds   the broker's resident memory and open descriptors after creation (/proc)
//   produce    one record to every partition (acks=all), until every one is acknowledged
//   assign     one consumer group member subscribing to all the topics, until it is assigned
//              every partition
//   restart    SIGTERM, start again on the same data, until the Kafka port answers; rss and
//              fds once more after it
//
// Figures: none recorded yet (issue 23, item 7: to go to BENCHMARKS.md, "Many partitions
// (bench-scale)", from a run on an idle machine).
//
//   scale_bench --serve PATH_TO_LKSTREAM [--kafka PATH_TO_apache-kafka.sh] [options]
// Options:
//   --partitions N,N,...   default 1000,10000,100000
//   --kafka-max N          largest N run against Kafka too (default 10000)
//   --per-topic P          partitions per topic (default 4)
//   --batch T              topics per CreateTopics request (default 200)
//   --only-create          create (and measure rss/fds), skip produce, assign and restart
//
// The last line of the output is one JSON object with every figure.
#include <librdkafka/rdkafka.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace {

using clock_type = std::chrono::steady_clock;

[[noreturn]] void die(const std::string& what) {
  std::fprintf(stderr, "scale_bench: %s\n", what.c_str());
  std::exit(1);
}

double seconds_since(clock_type::time_point t) {
  return std::chrono::duration<double>(clock_type::now() - t).count();
}

void set(rd_kafka_conf_t* conf, const char* key, const std::string& value) {
  char err[512];
  if (rd_kafka_conf_set(conf, key, value.c_str(), err, sizeof err) != RD_KAFKA_CONF_OK)
    die(std::string("librdkafka config ") + key + "=" + value + ": " + err);
}

struct options {
  std::string serve;
  std::string kafka_script;
  std::vector<long> partitions{1000, 10000, 100000};
  long kafka_max = 10000;
  int per_topic = 4;
  int batch = 200;
  bool only_create = false;
};

// ---- process figures -----------------------------------------------------------------------

double rss_mib(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  for (std::string line; std::getline(in, line);)
    if (line.rfind("VmRSS:", 0) == 0) return std::stod(line.substr(6)) / 1024.0;  // kB
  return -1;
}

long open_files(pid_t pid) {
  std::error_code ec;
  long n = 0;
  for (auto it = std::filesystem::directory_iterator("/proc/" + std::to_string(pid) + "/fd", ec);
       !ec && it != std::filesystem::directory_iterator(); it.increment(ec))
    ++n;
  return ec ? -1 : n;
}

// ---- the brokers ---------------------------------------------------------------------------

struct broker {
  virtual ~broker() = default;
  virtual std::string name() const = 0;
  virtual void start() = 0;  // returns once the Kafka port answers
  virtual void stop() = 0;
  virtual pid_t pid() const = 0;
  std::string address;
};

// `lkstream serve` on its own data directory and port 0; the address comes from its ready line.
struct lkstream_broker final : broker {
  std::string binary, data_dir, listen = "127.0.0.1:0";
  pid_t child = -1;

  explicit lkstream_broker(std::string bin) : binary(std::move(bin)) {
    char tmpl[] = "/tmp/scale-bench-XXXXXX";
    if (!::mkdtemp(tmpl)) die("mkdtemp failed");
    data_dir = tmpl;
  }
  ~lkstream_broker() override {
    stop();
    std::error_code ec;
    std::filesystem::remove_all(data_dir, ec);
  }
  std::string name() const override { return "lkstream"; }
  pid_t pid() const override { return child; }

  void start() override {
    int out[2];
    if (::pipe(out) != 0) die("pipe failed");
    child = ::fork();
    if (child == 0) {
      ::prctl(PR_SET_PDEATHSIG, SIGTERM);
      ::dup2(out[1], 1);
      ::close(out[0]);
      ::execl(binary.c_str(), binary.c_str(), "serve", "--data-dir", data_dir.c_str(), "--listen",
              listen.c_str(), static_cast<char*>(nullptr));
      std::perror("exec lkstream");
      ::_exit(127);
    }
    ::close(out[1]);
    FILE* f = ::fdopen(out[0], "r");
    char line[4096];
    address.clear();
    while (std::fgets(line, sizeof line, f)) {
      std::string l = line;
      auto at = l.find("Kafka on ");
      if (l.find("ready") == std::string::npos || at == std::string::npos) continue;
      address = l.substr(at + 9, l.find(')', at) - at - 9);
      break;
    }
    if (address.empty()) die("lkstream serve did not report ready (" + binary + ")");
    listen = address;  // a restart comes back on the same port
    std::thread([f] {
      char sink[4096];
      while (std::fgets(sink, sizeof sink, f)) {
      }
      std::fclose(f);
    }).detach();
  }

  void stop() override {
    if (child <= 0) return;
    ::kill(child, SIGTERM);
    int status = 0;
    ::waitpid(child, &status, 0);
    child = -1;
  }
};

std::string run_capture(const std::string& cmd) {
  FILE* p = ::popen(cmd.c_str(), "r");
  if (!p) die("popen " + cmd);
  std::string out;
  char buf[4096];
  while (std::fgets(buf, sizeof buf, p)) out += buf;
  if (::pclose(p) != 0) die("failed: " + cmd + "\n" + out);
  return out;
}

// Apache Kafka through scripts/apache-kafka.sh (KRaft, one node), on its own work directory.
struct kafka_broker final : broker {
  std::string script, workdir;
  explicit kafka_broker(std::string s) : script(std::move(s)) {
    char tmpl[] = "/tmp/scale-bench-kafka-XXXXXX";
    if (!::mkdtemp(tmpl)) die("mkdtemp failed");
    workdir = tmpl;
  }
  ~kafka_broker() override {
    stop();
    std::error_code ec;
    std::filesystem::remove_all(workdir, ec);
  }
  std::string name() const override { return "kafka"; }
  pid_t pid() const override {
    std::ifstream in(workdir + "/kafka.pid");
    long p = -1;
    in >> p;
    return static_cast<pid_t>(p);
  }
  void start() override {
    // Kafka's defaults allow far more partitions than the bench creates; only the heap is set.
    std::string out = run_capture("KAFKA_HEAP=${KAFKA_HEAP:-2g} bash '" + script + "' start '" +
                                  workdir + "' 2>&1");
    std::istringstream lines(out);
    for (std::string l; std::getline(lines, l);)
      if (!l.empty()) address = l;
  }
  void stop() override {
    if (pid() > 0 && ::kill(pid(), 0) == 0) run_capture("bash '" + script + "' stop '" + workdir + "' 2>&1");
  }
};

// ---- the client side -----------------------------------------------------------------------

std::string topic_name(long i) { return "scale-" + std::to_string(i); }

rd_kafka_t* make_client(rd_kafka_type_t type, const std::string& bootstrap,
                        std::map<std::string, std::string> extra = {}) {
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  set(conf, "bootstrap.servers", bootstrap);
  for (auto& [k, v] : extra) set(conf, k.c_str(), v);
  char err[512];
  rd_kafka_t* rk = rd_kafka_new(type, conf, err, sizeof err);
  if (!rk) die(std::string("client: ") + err);
  return rk;
}

// Creates `topics` topics of `per_topic` partitions, `batch` per CreateTopics; seconds taken.
double create_topics(const std::string& bootstrap, long topics, int per_topic, int batch) {
  rd_kafka_t* rk = make_client(RD_KAFKA_PRODUCER, bootstrap);
  rd_kafka_queue_t* q = rd_kafka_queue_new(rk);
  rd_kafka_AdminOptions_t* opts = rd_kafka_AdminOptions_new(rk, RD_KAFKA_ADMIN_OP_CREATETOPICS);
  char err[512];
  rd_kafka_AdminOptions_set_operation_timeout(opts, 600000, err, sizeof err);
  rd_kafka_AdminOptions_set_request_timeout(opts, 600000, err, sizeof err);
  const auto start = clock_type::now();
  for (long first = 0; first < topics; first += batch) {
    std::vector<rd_kafka_NewTopic_t*> nts;
    for (long i = first; i < std::min(topics, first + batch); ++i)
      nts.push_back(rd_kafka_NewTopic_new(topic_name(i).c_str(), per_topic, 1, err, sizeof err));
    rd_kafka_CreateTopics(rk, nts.data(), nts.size(), opts, q);
    rd_kafka_event_t* ev = rd_kafka_queue_poll(q, 600000);
    if (!ev) die("CreateTopics timed out");
    size_t n = 0;
    auto** results = rd_kafka_CreateTopics_result_topics(rd_kafka_event_CreateTopics_result(ev), &n);
    if (rd_kafka_event_error(ev)) die(std::string("CreateTopics: ") + rd_kafka_event_error_string(ev));
    for (size_t i = 0; i < n; ++i)
      if (rd_kafka_topic_result_error(results[i]))
        die(std::string("CreateTopics ") + rd_kafka_topic_result_name(results[i]) + ": " +
            rd_kafka_topic_result_error_string(results[i]));
    rd_kafka_event_destroy(ev);
    for (auto* nt : nts) rd_kafka_NewTopic_destroy(nt);
  }
  const double took = seconds_since(start);
  rd_kafka_AdminOptions_destroy(opts);
  rd_kafka_queue_destroy(q);
  rd_kafka_destroy(rk);
  return took;
}

struct delivered {
  long ok = 0, failed = 0;
};

void on_delivery(rd_kafka_t*, const rd_kafka_message_t* m, void* opaque) {
  auto* d = static_cast<delivered*>(opaque);
  (m->err ? d->failed : d->ok)++;
}

// One record to every partition; seconds until all are acknowledged (from the first send,
// metadata included).
double produce_everywhere(const std::string& bootstrap, long topics, int per_topic) {
  delivered d;
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  set(conf, "bootstrap.servers", bootstrap);
  set(conf, "acks", "all");
  set(conf, "linger.ms", "5");
  set(conf, "queue.buffering.max.messages", "2000000");
  set(conf, "message.timeout.ms", "600000");
  rd_kafka_conf_set_opaque(conf, &d);
  rd_kafka_conf_set_dr_msg_cb(conf, on_delivery);
  char err[512];
  rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
  if (!rk) die(std::string("producer: ") + err);
  const std::string value = "reading";
  const auto start = clock_type::now();
  for (long t = 0; t < topics; ++t) {
    const std::string name = topic_name(t);
    for (int p = 0; p < per_topic; ++p) {
      for (;;) {
        auto e = rd_kafka_producev(rk, RD_KAFKA_V_TOPIC(name.c_str()), RD_KAFKA_V_PARTITION(p),
                                   RD_KAFKA_V_VALUE(const_cast<char*>(value.data()), value.size()),
                                   RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_END);
        if (e == RD_KAFKA_RESP_ERR_NO_ERROR) break;
        if (e != RD_KAFKA_RESP_ERR__QUEUE_FULL) die(std::string("produce: ") + rd_kafka_err2str(e));
        rd_kafka_poll(rk, 10);
      }
    }
    rd_kafka_poll(rk, 0);
  }
  rd_kafka_flush(rk, 600000);
  const double took = seconds_since(start);
  rd_kafka_destroy(rk);
  if (d.ok != topics * per_topic)
    die("produce: " + std::to_string(d.ok) + " acknowledged, " + std::to_string(d.failed) + " failed");
  return took;
}

struct assignment_state {
  long assigned = 0;
};

void on_rebalance(rd_kafka_t* rk, rd_kafka_resp_err_t err, rd_kafka_topic_partition_list_t* parts,
                  void* opaque) {
  auto* st = static_cast<assignment_state*>(opaque);
  if (err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
    st->assigned = parts->cnt;
    rd_kafka_assign(rk, parts);
  } else {
    st->assigned = 0;
    rd_kafka_assign(rk, nullptr);
  }
}

// One group member subscribing to every topic by name; seconds until it holds all partitions.
double assign_everything(const std::string& bootstrap, long topics, int per_topic, int round) {
  assignment_state st;
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  set(conf, "bootstrap.servers", bootstrap);
  set(conf, "group.id", "scale-bench-" + std::to_string(::getpid()) + "-" + std::to_string(round));
  set(conf, "enable.auto.commit", "false");
  set(conf, "session.timeout.ms", "45000");
  rd_kafka_conf_set_opaque(conf, &st);
  rd_kafka_conf_set_rebalance_cb(conf, on_rebalance);
  char err[512];
  rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, err, sizeof err);
  if (!rk) die(std::string("consumer: ") + err);
  rd_kafka_poll_set_consumer(rk);
  rd_kafka_topic_partition_list_t* subs = rd_kafka_topic_partition_list_new(static_cast<int>(topics));
  for (long t = 0; t < topics; ++t)
    rd_kafka_topic_partition_list_add(subs, topic_name(t).c_str(), RD_KAFKA_PARTITION_UA);
  const auto start = clock_type::now();
  if (auto e = rd_kafka_subscribe(rk, subs)) die(std::string("subscribe: ") + rd_kafka_err2str(e));
  rd_kafka_topic_partition_list_destroy(subs);
  while (st.assigned < topics * per_topic) {
    if (seconds_since(start) > 900) die("group assignment took over 15 minutes");
    if (rd_kafka_message_t* m = rd_kafka_consumer_poll(rk, 100)) rd_kafka_message_destroy(m);
  }
  const double took = seconds_since(start);
  rd_kafka_consumer_close(rk);
  rd_kafka_destroy(rk);
  return took;
}

struct figures {
  std::string broker;
  long partitions = 0;
  double create_s = -1, rss_mib = -1, produce_s = -1, assign_s = -1, restart_s = -1,
         rss_after_restart_mib = -1;
  long open_files = -1, open_files_after_restart = -1;
};

figures measure(broker& b, long partitions, const options& o, int round) {
  figures f;
  f.broker = b.name();
  f.partitions = partitions;
  const long topics = partitions / o.per_topic;
  b.start();
  std::fprintf(stderr, "%s, %ld partitions: creating\n", b.name().c_str(), partitions);
  f.create_s = create_topics(b.address, topics, o.per_topic, o.batch);
  std::this_thread::sleep_for(std::chrono::seconds(2));  // let creation-time work settle
  f.rss_mib = rss_mib(b.pid());
  f.open_files = open_files(b.pid());
  if (!o.only_create) {
    std::fprintf(stderr, "%s, %ld partitions: producing\n", b.name().c_str(), partitions);
    f.produce_s = produce_everywhere(b.address, topics, o.per_topic);
    std::fprintf(stderr, "%s, %ld partitions: assigning\n", b.name().c_str(), partitions);
    f.assign_s = assign_everything(b.address, topics, o.per_topic, round);
    std::fprintf(stderr, "%s, %ld partitions: restarting\n", b.name().c_str(), partitions);
    b.stop();
    const auto start = clock_type::now();
    b.start();
    f.restart_s = seconds_since(start);
    std::this_thread::sleep_for(std::chrono::seconds(2));
    f.rss_after_restart_mib = rss_mib(b.pid());
    f.open_files_after_restart = open_files(b.pid());
  }
  b.stop();
  std::fprintf(stderr,
               "%s, %ld partitions: create %.2f s, rss %.0f MiB, open files %ld, produce %.2f s, "
               "assign %.2f s, restart %.2f s (rss %.0f MiB, open files %ld)\n",
               f.broker.c_str(), partitions, f.create_s, f.rss_mib, f.open_files, f.produce_s,
               f.assign_s, f.restart_s, f.rss_after_restart_mib, f.open_files_after_restart);
  return f;
}

options parse(int argc, char** argv) {
  options o;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) die("missing value for " + a);
      return argv[++i];
    };
    if (a == "--serve") o.serve = value();
    else if (a == "--kafka") o.kafka_script = value();
    else if (a == "--kafka-max") o.kafka_max = std::stol(value());
    else if (a == "--per-topic") o.per_topic = std::stoi(value());
    else if (a == "--batch") o.batch = std::stoi(value());
    else if (a == "--only-create") o.only_create = true;
    else if (a == "--partitions") {
      o.partitions.clear();
      std::stringstream in(value());
      for (std::string n; std::getline(in, n, ',');) o.partitions.push_back(std::stol(n));
    } else die("unknown option " + a);
  }
  if (o.serve.empty()) die("usage: scale_bench --serve PATH_TO_LKSTREAM [--kafka apache-kafka.sh]");
  if (o.per_topic < 1 || o.batch < 1) die("--per-topic and --batch must be positive");
  return o;
}

}  // namespace

int main(int argc, char** argv) {
  const options o = parse(argc, argv);
  std::vector<figures> all;
  int round = 0;
  for (long n : o.partitions) {
    {
      lkstream_broker lk(o.serve);
      all.push_back(measure(lk, n, o, round++));
    }
    if (!o.kafka_script.empty() && n <= o.kafka_max) {
      kafka_broker k(o.kafka_script);
      all.push_back(measure(k, n, o, round++));
    }
  }
  std::printf("%-9s %10s %9s %9s %10s %10s %9s %10s %9s %10s\n", "broker", "partitions",
              "create s", "RSS MiB", "open files", "produce s", "assign s", "restart s",
              "RSS MiB", "open files");
  for (auto& f : all)
    std::printf("%-9s %10ld %9.2f %9.0f %10ld %10.2f %9.2f %10.2f %9.0f %10ld\n",
                f.broker.c_str(), f.partitions, f.create_s, f.rss_mib, f.open_files, f.produce_s,
                f.assign_s, f.restart_s, f.rss_after_restart_mib, f.open_files_after_restart);
  std::printf("{\"runs\": [");
  for (size_t i = 0; i < all.size(); ++i) {
    auto& f = all[i];
    std::printf("%s{\"broker\": \"%s\", \"partitions\": %ld, \"create_s\": %.3f, \"rss_mib\": %.1f, "
                "\"open_files\": %ld, \"produce_s\": %.3f, \"assign_s\": %.3f, \"restart_s\": %.3f, "
                "\"rss_after_restart_mib\": %.1f, \"open_files_after_restart\": %ld}",
                i ? ", " : "", f.broker.c_str(), f.partitions, f.create_s, f.rss_mib, f.open_files,
                f.produce_s, f.assign_s, f.restart_s, f.rss_after_restart_mib,
                f.open_files_after_restart);
  }
  std::printf("]}\n");
  return 0;
}

// The client scenario with librdkafka (Debian's 2.0.2, C++ API plus the C admin API):
// create a 3-partition topic, produce 10,000 keyed records idempotently with acks=all, consume
// them in a group of two, stop one consumer and watch its partitions move, commit, restart a
// consumer and see it resume at the committed offsets; keys land where Kafka's murmur2
// partitioner puts them.
#include "kafka_test_support.hpp"

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafkacpp.h>

#include <map>
#include <set>
#include <thread>

#include "lkstream/model/partitioner.hpp"

using namespace lkstream;
using namespace lkstream::kafka_test;
using namespace std::chrono_literals;

namespace {

constexpr int partitions = 3;
const std::string topic = "orders";

std::unique_ptr<RdKafka::Conf> make_conf(const std::string& bootstrap,
                                         std::map<std::string, std::string> extra) {
  std::unique_ptr<RdKafka::Conf> conf(RdKafka::Conf::create(RdKafka::Conf::CONF_GLOBAL));
  std::string err;
  extra["bootstrap.servers"] = bootstrap;
  if (const char* dbg = std::getenv("LKSTREAM_TEST_RDKAFKA_DEBUG")) extra["debug"] = dbg;
  for (auto& [k, v] : extra) REQUIRE_MESSAGE(conf->set(k, v, err) == RdKafka::Conf::CONF_OK, k << ": " << err);
  return conf;
}

void create_topic_with_admin_api(const std::string& bootstrap) {
  char err[512];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  rd_kafka_conf_set(conf, "bootstrap.servers", bootstrap.c_str(), err, sizeof err);
  rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
  REQUIRE(rk);
  rd_kafka_NewTopic_t* nt = rd_kafka_NewTopic_new(topic.c_str(), partitions, 1, err, sizeof err);
  REQUIRE(nt);
  rd_kafka_queue_t* q = rd_kafka_queue_new(rk);
  rd_kafka_CreateTopics(rk, &nt, 1, nullptr, q);
  rd_kafka_event_t* ev = rd_kafka_queue_poll(q, 20000);
  REQUIRE(ev);
  REQUIRE(rd_kafka_event_type(ev) == RD_KAFKA_EVENT_CREATETOPICS_RESULT);
  CHECK(rd_kafka_event_error(ev) == RD_KAFKA_RESP_ERR_NO_ERROR);
  size_t n = 0;
  auto* results = rd_kafka_CreateTopics_result_topics(rd_kafka_event_CreateTopics_result(ev), &n);
  REQUIRE(n == 1);
  CHECK(rd_kafka_topic_result_error(results[0]) == RD_KAFKA_RESP_ERR_NO_ERROR);
  rd_kafka_event_destroy(ev);
  rd_kafka_queue_destroy(q);
  rd_kafka_NewTopic_destroy(nt);
  rd_kafka_destroy(rk);
}

struct delivery_log : RdKafka::DeliveryReportCb {
  int ok = 0;
  int failed = 0;
  std::string first_error;
  std::map<std::string, std::set<int32_t>> partitions_of_key;
  void dr_cb(RdKafka::Message& m) override {
    if (m.err()) {
      if (!failed++) first_error = m.errstr();
      return;
    }
    ++ok;
    partitions_of_key[*m.key()].insert(m.partition());
  }
};

std::string key_of(int i) { return "customer-" + std::to_string(i % 701); }

void produce_records(const std::string& bootstrap, int first, int count) {
  delivery_log log;
  auto conf = make_conf(bootstrap, {{"acks", "all"},
                                    {"enable.idempotence", "true"},
                                    {"partitioner", "murmur2_random"},
                                    {"linger.ms", "5"}});
  std::string err;
  REQUIRE(conf->set("dr_cb", &log, err) == RdKafka::Conf::CONF_OK);
  std::unique_ptr<RdKafka::Producer> p(RdKafka::Producer::create(conf.get(), err));
  REQUIRE_MESSAGE(p, err);
  for (int i = first; i < first + count; ++i) {
    std::string key = key_of(i), value = "order-" + std::to_string(i);
    while (true) {
      auto e = p->produce(topic, RdKafka::Topic::PARTITION_UA, RdKafka::Producer::RK_MSG_COPY,
                          value.data(), value.size(), key.data(), key.size(), 0, nullptr);
      if (e == RdKafka::ERR__QUEUE_FULL) {
        p->poll(10);
        continue;
      }
      REQUIRE(e == RdKafka::ERR_NO_ERROR);
      break;
    }
    p->poll(0);
  }
  REQUIRE(p->flush(60000) == RdKafka::ERR_NO_ERROR);
  CHECK_MESSAGE(log.failed == 0, log.first_error);
  CHECK(log.ok == count);
  // Every key went to exactly the partition Kafka's default partitioner picks.
  for (auto& [key, parts] : log.partitions_of_key) {
    REQUIRE(parts.size() == 1);
    CHECK(*parts.begin() == model::partition_for_key(as_bytes(key), partitions).value());
  }
}

struct consumed {
  std::string key;
  int32_t partition;
  int64_t offset;
};

class group_consumer {
 public:
  group_consumer(const std::string& bootstrap, const std::string& name) : name_(name) {
    auto conf = make_conf(bootstrap, {{"group.id", "order-processors"},
                                      {"client.id", name},
                                      {"enable.auto.commit", "false"},
                                      {"auto.offset.reset", "earliest"},
                                      {"session.timeout.ms", "6000"},
                                      {"heartbeat.interval.ms", "200"},
                                      {"fetch.wait.max.ms", "100"},
                                      {"partition.assignment.strategy", "range"}});
    std::string err;
    c_.reset(RdKafka::KafkaConsumer::create(conf.get(), err));
    REQUIRE_MESSAGE(c_, err);
    REQUIRE(c_->subscribe({topic}) == RdKafka::ERR_NO_ERROR);
  }
  ~group_consumer() { close(); }

  /// Takes what is queued (up to 500 messages), waiting at most timeout_ms for the first.
  void poll(int timeout_ms) {
    for (int i = 0; i < 500; ++i) {
      std::unique_ptr<RdKafka::Message> m(c_->consume(i == 0 ? timeout_ms : 0));
      if (!m || m->err() == RdKafka::ERR__TIMED_OUT || m->err() == RdKafka::ERR__PARTITION_EOF)
        return;
      REQUIRE_MESSAGE(m->err() == RdKafka::ERR_NO_ERROR, name_ << ": " << m->errstr());
      got.push_back({m->key() ? *m->key() : std::string(), m->partition(), m->offset()});
    }
  }

  std::set<int32_t> assignment() {
    std::vector<RdKafka::TopicPartition*> parts;
    c_->assignment(parts);
    std::set<int32_t> out;
    for (auto* p : parts) out.insert(p->partition());
    RdKafka::TopicPartition::destroy(parts);
    return out;
  }

  /// Commits explicit next-offsets per partition, synchronously.
  void commit(const std::map<int32_t, int64_t>& next) {
    std::vector<RdKafka::TopicPartition*> parts;
    for (auto& [p, off] : next) parts.push_back(RdKafka::TopicPartition::create(topic, p, off));
    auto e = c_->commitSync(parts);
    CHECK_MESSAGE(e == RdKafka::ERR_NO_ERROR, RdKafka::err2str(e));
    for (auto* p : parts) CHECK(p->err() == RdKafka::ERR_NO_ERROR);
    RdKafka::TopicPartition::destroy(parts);
  }

  void close() {
    if (c_) c_->close();
    c_.reset();
  }

  std::vector<consumed> got;

 private:
  std::string name_;
  std::unique_ptr<RdKafka::KafkaConsumer> c_;
};

template <class Pred, class Step>
bool poll_until(Pred done, Step step, std::chrono::seconds limit) {
  auto until = std::chrono::steady_clock::now() + limit;
  while (!done()) {
    if (std::chrono::steady_clock::now() > until) return false;
    step();
  }
  return true;
}

}  // namespace

TEST_CASE("kafka: librdkafka idempotent produce, group consume, failover and resume from commits") {
  broker b;
  const auto bootstrap = b.bootstrap();
  create_topic_with_admin_api(bootstrap);
  auto info = b.eng().describe_topic(topic);
  REQUIRE(info);
  REQUIRE(info->partitions.size() == partitions);

  produce_records(bootstrap, 0, 10000);
  info = b.eng().describe_topic(topic);
  int64_t total = 0;
  for (auto& p : info->partitions) total += p.end_offset;
  CHECK(total == 10000);  // idempotent retries appended nothing twice

  // Two consumers in one group split the three partitions.
  auto c1 = std::make_unique<group_consumer>(bootstrap, "c1");
  auto c2 = std::make_unique<group_consumer>(bootstrap, "c2");
  std::set<std::pair<int32_t, int64_t>> seen;
  size_t counted[2] = {0, 0};
  auto all_seen = [&] {
    group_consumer* cs[2] = {c1.get(), c2.get()};
    for (int i = 0; i < 2; ++i)
      for (; counted[i] < cs[i]->got.size(); ++counted[i])
        seen.insert({cs[i]->got[counted[i]].partition, cs[i]->got[counted[i]].offset});
    return seen.size() == 10000 && !c1->assignment().empty() && !c2->assignment().empty();
  };
  REQUIRE_MESSAGE(poll_until(all_seen, [&] { c1->poll(50); c2->poll(50); }, 90s),
                  "consumed " << seen.size() << " of 10000; assignments " << c1->assignment().size()
                              << "/" << c2->assignment().size() << "; broker log:\n"
                              << b.log_text());
  auto a1 = c1->assignment(), a2 = c2->assignment();
  CHECK(a1.size() + a2.size() == partitions);
  for (auto p : a1) CHECK(a2.count(p) == 0);
  for (auto* c : {c1.get(), c2.get()})
    for (auto& m : c->got) CHECK(m.partition == model::partition_for_key(as_bytes(m.key), partitions).value());

  // Commit everything consumed so far (next offsets = the partitions' end offsets).
  std::map<int32_t, int64_t> ends;
  for (auto& p : info->partitions) ends[p.partition] = p.end_offset;
  std::map<int32_t, int64_t> c1_part, c2_part;
  for (auto p : a1) c1_part[p] = ends[p];
  for (auto p : a2) c2_part[p] = ends[p];
  c1->commit(c1_part);
  c2->commit(c2_part);

  // c2 leaves: its partitions move to c1.
  c2->close();
  REQUIRE_MESSAGE(poll_until([&] { return c1->assignment().size() == partitions; },
                             [&] { c1->poll(50); }, 60s),
                  "partitions did not move to c1");

  // 1000 more records; c1 consumes them and commits only half of each partition's new part.
  produce_records(bootstrap, 10000, 1000);
  c1->got.clear();
  REQUIRE(poll_until([&] { return c1->got.size() == 1000; }, [&] { c1->poll(50); }, 60s));
  std::map<int32_t, std::vector<int64_t>> fresh;
  for (auto& m : c1->got) fresh[m.partition].push_back(m.offset);
  std::map<int32_t, int64_t> committed;
  int64_t expect_again = 0;
  for (auto& [p, offs] : fresh) {
    std::sort(offs.begin(), offs.end());
    CHECK(offs.front() == ends[p]);  // resumed right after the earlier commit, no gap
    committed[p] = offs[offs.size() / 2];
    expect_again += static_cast<int64_t>(offs.size() - offs.size() / 2);
  }
  c1->commit(committed);
  c1->close();

  // A restarted consumer resumes at the committed offsets: nothing lost, nothing before them.
  auto c3 = std::make_unique<group_consumer>(bootstrap, "c3");
  REQUIRE(poll_until([&] { return static_cast<int64_t>(c3->got.size()) >= expect_again; },
                     [&] { c3->poll(50); }, 60s));
  for (int i = 0; i < 10; ++i) c3->poll(50);  // anything extra would show up now
  CHECK(static_cast<int64_t>(c3->got.size()) == expect_again);
  std::map<int32_t, int64_t> first;
  for (auto& m : c3->got)
    if (!first.count(m.partition)) first[m.partition] = m.offset;
  for (auto& [p, off] : committed) CHECK(first[p] == off);
  c3->close();
}

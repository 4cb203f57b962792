// A compacted topic over the Kafka protocol with librdkafka: CreateTopics with
// cleanup.policy=compact and Kafka's compaction settings (a bad policy is INVALID_CONFIG),
// DescribeConfigs shows them, a keyless record is refused with INVALID_RECORD, an idempotent
// producer writes keyed updates, the engine cleans, and a consumer reading from the beginning
// crosses the offset gaps: the latest record of every key at the offset the producer was told;
// the same idempotent producer then goes on producing.
#include "kafka_test_support.hpp"

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafkacpp.h>

#include <map>
#include <optional>
#include <string>

using namespace lkstream;
using namespace lkstream::kafka_test;
using namespace std::chrono_literals;

namespace {

const std::string topic = "prices";

// CreateTopics with `configs`; the topic's error code and message.
std::pair<rd_kafka_resp_err_t, std::string> create_topic(
    const std::string& bootstrap, const std::string& name,
    const std::vector<std::pair<std::string, std::string>>& configs) {
  char err[512];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  rd_kafka_conf_set(conf, "bootstrap.servers", bootstrap.c_str(), err, sizeof err);
  rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
  REQUIRE(rk);
  rd_kafka_NewTopic_t* nt = rd_kafka_NewTopic_new(name.c_str(), 1, 1, err, sizeof err);
  REQUIRE(nt);
  for (auto& [k, v] : configs)
    REQUIRE(rd_kafka_NewTopic_set_config(nt, k.c_str(), v.c_str()) == RD_KAFKA_RESP_ERR_NO_ERROR);
  rd_kafka_queue_t* q = rd_kafka_queue_new(rk);
  rd_kafka_CreateTopics(rk, &nt, 1, nullptr, q);
  rd_kafka_event_t* ev = rd_kafka_queue_poll(q, 20000);
  REQUIRE(ev);
  REQUIRE(rd_kafka_event_type(ev) == RD_KAFKA_EVENT_CREATETOPICS_RESULT);
  size_t n = 0;
  auto* results = rd_kafka_CreateTopics_result_topics(rd_kafka_event_CreateTopics_result(ev), &n);
  REQUIRE(n == 1);
  std::pair<rd_kafka_resp_err_t, std::string> out{rd_kafka_topic_result_error(results[0]), ""};
  if (const char* m = rd_kafka_topic_result_error_string(results[0])) out.second = m;
  rd_kafka_event_destroy(ev);
  rd_kafka_queue_destroy(q);
  rd_kafka_NewTopic_destroy(nt);
  rd_kafka_destroy(rk);
  return out;
}

// DescribeConfigs of a topic: name -> value.
std::map<std::string, std::string> describe_topic(const std::string& bootstrap,
                                                  const std::string& name) {
  char err[512];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  rd_kafka_conf_set(conf, "bootstrap.servers", bootstrap.c_str(), err, sizeof err);
  rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
  REQUIRE(rk);
  rd_kafka_ConfigResource_t* res = rd_kafka_ConfigResource_new(RD_KAFKA_RESOURCE_TOPIC, name.c_str());
  rd_kafka_queue_t* q = rd_kafka_queue_new(rk);
  rd_kafka_DescribeConfigs(rk, &res, 1, nullptr, q);
  rd_kafka_event_t* ev = rd_kafka_queue_poll(q, 20000);
  REQUIRE(ev);
  REQUIRE(rd_kafka_event_error(ev) == RD_KAFKA_RESP_ERR_NO_ERROR);
  size_t n = 0;
  auto* rs = rd_kafka_DescribeConfigs_result_resources(rd_kafka_event_DescribeConfigs_result(ev), &n);
  REQUIRE(n == 1);
  size_t cn = 0;
  auto* entries = rd_kafka_ConfigResource_configs(rs[0], &cn);
  std::map<std::string, std::string> out;
  for (size_t i = 0; i < cn; ++i) {
    const char* v = rd_kafka_ConfigEntry_value(entries[i]);
    out[rd_kafka_ConfigEntry_name(entries[i])] = v ? v : "";
  }
  rd_kafka_event_destroy(ev);
  rd_kafka_queue_destroy(q);
  rd_kafka_ConfigResource_destroy(res);
  rd_kafka_destroy(rk);
  return out;
}

std::unique_ptr<RdKafka::Conf> make_conf(const std::string& bootstrap,
                                         std::map<std::string, std::string> extra) {
  std::unique_ptr<RdKafka::Conf> conf(RdKafka::Conf::create(RdKafka::Conf::CONF_GLOBAL));
  std::string err;
  extra["bootstrap.servers"] = bootstrap;
  for (auto& [k, v] : extra)
    REQUIRE_MESSAGE(conf->set(k, v, err) == RdKafka::Conf::CONF_OK, k << ": " << err);
  return conf;
}

struct sent_record {
  std::string key;
  std::string value;
  bool operator==(const sent_record&) const = default;
};

struct delivery_log : RdKafka::DeliveryReportCb {
  std::map<int64_t, sent_record> ok;
  std::vector<RdKafka::ErrorCode> errors;
  void dr_cb(RdKafka::Message& m) override {
    if (m.err()) {
      errors.push_back(m.err());
      return;
    }
    ok[m.offset()] = {m.key() ? *m.key() : "", std::string(static_cast<const char*>(m.payload()), m.len())};
  }
};

// Everything of prices-0 from the beginning up to offset `end` - 1, by a plain consumer.
std::map<int64_t, sent_record> consume_all(const std::string& bootstrap, int64_t end) {
  auto conf = make_conf(bootstrap, {{"group.id", "reader"}, {"enable.auto.commit", "false"},
                                    {"enable.partition.eof", "true"}});
  std::string err;
  std::unique_ptr<RdKafka::KafkaConsumer> c(RdKafka::KafkaConsumer::create(conf.get(), err));
  REQUIRE_MESSAGE(c, err);
  std::vector<RdKafka::TopicPartition*> parts{
      RdKafka::TopicPartition::create(topic, 0, RdKafka::Topic::OFFSET_BEGINNING)};
  REQUIRE(c->assign(parts) == RdKafka::ERR_NO_ERROR);
  RdKafka::TopicPartition::destroy(parts);
  std::map<int64_t, sent_record> out;
  int64_t last = -1;
  auto deadline = std::chrono::steady_clock::now() + 30s;
  while (last < end - 1 && std::chrono::steady_clock::now() < deadline) {
    std::unique_ptr<RdKafka::Message> m(c->consume(200));
    if (!m || m->err() == RdKafka::ERR__TIMED_OUT || m->err() == RdKafka::ERR__PARTITION_EOF)
      continue;
    REQUIRE_MESSAGE(m->err() == RdKafka::ERR_NO_ERROR, m->errstr());
    CHECK(m->offset() > last);
    last = m->offset();
    out[m->offset()] = {m->key() ? *m->key() : "",
                        std::string(static_cast<const char*>(m->payload()), m->len())};
  }
  CHECK(last == end - 1);
  c->close();
  return out;
}

}  // namespace

TEST_CASE("kafka: librdkafka on a compacted topic: create, refuse keyless, clean, read across gaps") {
  broker b;
  // A policy we do not know is INVALID_CONFIG naming it; compact is accepted with its settings.
  auto bad = create_topic(b.bootstrap(), "bad", {{"cleanup.policy", "compacted"}});
  CHECK(bad.first == RD_KAFKA_RESP_ERR_INVALID_CONFIG);
  CHECK(bad.second.find("cleanup.policy=compacted") != std::string::npos);
  auto lag = create_topic(b.bootstrap(), "lag", {{"cleanup.policy", "compact"},
                                                 {"min.compaction.lag.ms", "10"},
                                                 {"max.compaction.lag.ms", "5"}});
  CHECK(lag.first == RD_KAFKA_RESP_ERR_INVALID_CONFIG);
  auto ok = create_topic(b.bootstrap(), topic, {{"cleanup.policy", "compact"},
                                                {"segment.bytes", "1024"},
                                                {"min.cleanable.dirty.ratio", "0.01"},
                                                {"delete.retention.ms", "3600000"}});
  REQUIRE_MESSAGE(ok.first == RD_KAFKA_RESP_ERR_NO_ERROR, ok.second);
  auto described = describe_topic(b.bootstrap(), topic);
  CHECK(described["cleanup.policy"] == "compact");
  CHECK(described["min.cleanable.dirty.ratio"] == "0.01");
  CHECK(described["delete.retention.ms"] == "3600000");
  CHECK(described["min.compaction.lag.ms"] == "0");

  std::string err;
  // A keyless record: INVALID_RECORD (a plain producer, so the error is the record's own).
  {
    delivery_log log;
    auto conf = make_conf(b.bootstrap(), {{"linger.ms", "0"}, {"message.send.max.retries", "0"}});
    REQUIRE(conf->set("dr_cb", &log, err) == RdKafka::Conf::CONF_OK);
    std::unique_ptr<RdKafka::Producer> p(RdKafka::Producer::create(conf.get(), err));
    REQUIRE(p);
    std::string v = "no key";
    REQUIRE(p->produce(topic, 0, RdKafka::Producer::RK_MSG_COPY, v.data(), v.size(), nullptr, 0,
                       0, nullptr) == RdKafka::ERR_NO_ERROR);
    p->flush(20000);
    REQUIRE(log.errors.size() == 1);
    CHECK(log.errors[0] == RdKafka::ERR_INVALID_RECORD);
  }

  // Keyed updates from an idempotent producer, one batch per round.
  delivery_log log;
  auto conf = make_conf(b.bootstrap(), {{"enable.idempotence", "true"}, {"linger.ms", "5"}});
  REQUIRE(conf->set("dr_cb", &log, err) == RdKafka::Conf::CONF_OK);
  std::unique_ptr<RdKafka::Producer> p(RdKafka::Producer::create(conf.get(), err));
  REQUIRE(p);
  auto send = [&](const std::string& key, const std::string& value) {
    REQUIRE(p->produce(topic, 0, RdKafka::Producer::RK_MSG_COPY,
                       const_cast<char*>(value.data()), value.size(), key.data(), key.size(), 0,
                       nullptr) == RdKafka::ERR_NO_ERROR);
  };
  for (int round = 0; round < 20; ++round) {
    for (int k = 0; k < 15; ++k)
      send("sym-" + std::to_string(k), "px-" + std::to_string(round) + "-" + std::to_string(k));
    REQUIRE(p->flush(20000) == RdKafka::ERR_NO_ERROR);
  }
  REQUIRE(log.errors.empty());
  REQUIRE(log.ok.size() == 300);
  const int64_t end = 300;

  auto cleaned = b.eng().run_cleaning();
  REQUIRE_MESSAGE(cleaned, (cleaned ? "" : cleaned.err().to_string()));
  CHECK(*cleaned == 1);

  const auto seen = consume_all(b.bootstrap(), end);
  CHECK(seen.size() < log.ok.size());
  std::map<std::string, int64_t> last_of;
  for (const auto& [o, r] : log.ok) last_of[r.key] = o;
  for (const auto& [key, o] : last_of) CHECK(seen.count(o));
  for (const auto& [o, r] : seen) {
    REQUIRE(log.ok.count(o));
    CHECK(log.ok[o] == r);
  }
  for (int64_t o = 0; o < 15; ++o) CHECK_FALSE(seen.count(o));  // round 0 is superseded

  // The idempotent producer goes on after the cleaning (its sequence state survived).
  send("sym-0", "px-after");
  REQUIRE(p->flush(20000) == RdKafka::ERR_NO_ERROR);
  CHECK(log.errors.empty());
  CHECK(log.ok.count(end));
}

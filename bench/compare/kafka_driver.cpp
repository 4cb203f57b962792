// librdkafka (C API) driver: the same client, settings and code path for LKSTREAM and Apache Kafka,
// so that only the broker differs.
//
// Producer: acks=all, linger.ms=1, batch.size=1 MiB, no compression, murmur2_random partitioner
// (Java-compatible for keyed records, random/sticky for unkeyed), librdkafka's default queue of
// 100 000 messages. Consumer: one member of group `workload::group`, auto.offset.reset=earliest,
// periodic auto-commit (librdkafka default, 5 s), batches of up to 1000 messages per call.
// With a transactional id: the producer is transactional (init_transactions at init; each
// transaction begun and committed by the run loop) and the consumer reads read_committed.

#include <librdkafka/rdkafka.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

#include "system_driver.hpp"

namespace lkstream::bench {

namespace {

bool set(rd_kafka_conf_t* conf, const char* key, const std::string& value, std::string& error) {
  char errstr[512];
  if (rd_kafka_conf_set(conf, key, value.c_str(), errstr, sizeof errstr) != RD_KAFKA_CONF_OK) {
    error = std::string("librdkafka: ") + key + "=" + value + ": " + errstr;
    return false;
  }
  return true;
}

class kafka_driver final : public system_driver {
 public:
  kafka_driver(std::string bootstrap, ack_fn on_ack, std::string transactional_id)
      : bootstrap_(std::move(bootstrap)), on_ack_(std::move(on_ack)),
        transactional_id_(std::move(transactional_id)) {}

  ~kafka_driver() override {
    stop_consumer();
    for (auto* t : topics_) rd_kafka_topic_destroy(t);
    if (producer_) rd_kafka_destroy(producer_);
  }

  std::optional<std::string> init() {
    std::string error;
    rd_kafka_conf_t* conf = rd_kafka_conf_new();
    const std::pair<const char*, std::string> settings[] = {
        {"bootstrap.servers", bootstrap_}, {"acks", "all"}, {"linger.ms", "1"},
        {"batch.size", "1048576"},         {"compression.type", "none"},
        {"partitioner", "murmur2_random"}, {"message.timeout.ms", "120000"}};
    for (auto& [k, v] : settings)
      if (!set(conf, k, v, error)) {
        rd_kafka_conf_destroy(conf);
        return error;
      }
    // transaction.timeout.ms must be >= message.timeout.ms (librdkafka checks it).
    if (!transactional_id_.empty() &&
        (!set(conf, "transactional.id", transactional_id_, error) ||
         !set(conf, "transaction.timeout.ms", "120000", error))) {
      rd_kafka_conf_destroy(conf);
      return error;
    }
    rd_kafka_conf_set_opaque(conf, this);
    rd_kafka_conf_set_dr_msg_cb(conf, [](rd_kafka_t*, const rd_kafka_message_t* m, void* opaque) {
      auto* self = static_cast<kafka_driver*>(opaque);
      self->on_ack_(reinterpret_cast<intptr_t>(m->_private), m->err == RD_KAFKA_RESP_ERR_NO_ERROR);
    });
    char errstr[512];
    producer_ = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof errstr);
    if (!producer_) return std::string("librdkafka producer: ") + errstr;
    if (!transactional_id_.empty())
      if (auto e = txn_error("init_transactions", rd_kafka_init_transactions(producer_, 120000)))
        return e;
    return std::nullopt;
  }

  std::optional<std::string> begin_transaction() override {
    if (transactional_id_.empty()) return std::string("made without a transactional id");
    return txn_error("begin_transaction", rd_kafka_begin_transaction(producer_));
  }

  std::optional<std::string> commit_transaction(int timeout_ms) override {
    if (transactional_id_.empty()) return std::string("made without a transactional id");
    return txn_error("commit_transaction", rd_kafka_commit_transaction(producer_, timeout_ms));
  }

  std::optional<std::string> setup(const workload& w) override {
    workload_ = w;
    char errstr[512];
    rd_kafka_NewTopic_t* nt =
        rd_kafka_NewTopic_new(w.topic.c_str(), w.partitions, 1, errstr, sizeof errstr);
    if (!nt) return std::string("librdkafka NewTopic: ") + errstr;
    rd_kafka_queue_t* q = rd_kafka_queue_new(producer_);
    rd_kafka_AdminOptions_t* opts =
        rd_kafka_AdminOptions_new(producer_, RD_KAFKA_ADMIN_OP_CREATETOPICS);
    rd_kafka_AdminOptions_set_operation_timeout(opts, 30000, errstr, sizeof errstr);
    rd_kafka_AdminOptions_set_request_timeout(opts, 60000, errstr, sizeof errstr);
    rd_kafka_CreateTopics(producer_, &nt, 1, opts, q);
    std::optional<std::string> result = std::string("CreateTopics: no answer within 90 s");
    rd_kafka_event_t* ev = rd_kafka_queue_poll(q, 90000);
    if (ev) {
      if (rd_kafka_event_error(ev)) {
        result = std::string("CreateTopics: ") + rd_kafka_event_error_string(ev);
      } else {
        size_t n = 0;
        const rd_kafka_topic_result_t** res =
            rd_kafka_CreateTopics_result_topics(rd_kafka_event_CreateTopics_result(ev), &n);
        result = std::nullopt;
        for (size_t i = 0; i < n; ++i) {
          auto err = rd_kafka_topic_result_error(res[i]);
          if (err != RD_KAFKA_RESP_ERR_NO_ERROR && err != RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS)
            result = std::string("CreateTopics ") + w.topic + ": " + rd_kafka_err2str(err) +
                     (rd_kafka_topic_result_error_string(res[i])
                          ? std::string(" (") + rd_kafka_topic_result_error_string(res[i]) + ")"
                          : std::string());
        }
      }
      rd_kafka_event_destroy(ev);
    }
    rd_kafka_AdminOptions_destroy(opts);
    rd_kafka_queue_destroy(q);
    rd_kafka_NewTopic_destroy(nt);
    if (result) return result;
    topics_.push_back(rd_kafka_topic_new(producer_, w.topic.c_str(), nullptr));
    return wait_for_leaders(w);
  }

  // A created topic is usable once Metadata names a leader for every partition; until then the
  // first produce requests bounce and retry, which would be measured as latency of the phase.
  std::optional<std::string> wait_for_leaders(const workload& w) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(90);
    std::string last = "no metadata";
    while (std::chrono::steady_clock::now() < deadline) {
      const rd_kafka_metadata_t* md = nullptr;
      auto err = rd_kafka_metadata(producer_, 0, topics_.back(), &md, 5000);
      if (err == RD_KAFKA_RESP_ERR_NO_ERROR && md) {
        bool ready = md->topic_cnt == 1 && md->topics[0].err == RD_KAFKA_RESP_ERR_NO_ERROR &&
                     md->topics[0].partition_cnt == w.partitions;
        for (int p = 0; ready && p < md->topics[0].partition_cnt; ++p)
          ready = md->topics[0].partitions[p].err == RD_KAFKA_RESP_ERR_NO_ERROR &&
                  md->topics[0].partitions[p].leader >= 0;
        if (!ready && md->topic_cnt == 1) last = rd_kafka_err2str(md->topics[0].err);
        rd_kafka_metadata_destroy(md);
        if (ready) return std::nullopt;
      } else {
        last = rd_kafka_err2str(err);
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return "topic " + w.topic + " has no leader for every partition after 90 s (" + last + ")";
  }

  std::optional<std::string> start_consumer(value_fn on_value) override {
    std::string error;
    rd_kafka_conf_t* conf = rd_kafka_conf_new();
    const std::pair<const char*, std::string> settings[] = {
        {"bootstrap.servers", bootstrap_}, {"group.id", workload_.group},
        {"auto.offset.reset", "earliest"}, {"enable.auto.commit", "true"},
        {"max.partition.fetch.bytes", "10485760"},
        // librdkafka's default, stated for the transactional runs
        {"isolation.level", "read_committed"}};
    for (auto& [k, v] : settings)
      if (!set(conf, k, v, error)) {
        rd_kafka_conf_destroy(conf);
        return error;
      }
    char errstr[512];
    consumer_ = rd_kafka_new(RD_KAFKA_CONSUMER, conf, errstr, sizeof errstr);
    if (!consumer_) return std::string("librdkafka consumer: ") + errstr;
    rd_kafka_poll_set_consumer(consumer_);
    rd_kafka_topic_partition_list_t* subs = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(subs, workload_.topic.c_str(), RD_KAFKA_PARTITION_UA);
    auto err = rd_kafka_subscribe(consumer_, subs);
    rd_kafka_topic_partition_list_destroy(subs);
    if (err) return std::string("subscribe: ") + rd_kafka_err2str(err);
    on_value_ = std::move(on_value);
    queue_ = rd_kafka_queue_get_consumer(consumer_);
    // Wait for the assignment (group join + sync), serving whatever arrives meanwhile.
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(90);
    while (std::chrono::steady_clock::now() < deadline) {
      consume_once(200);
      rd_kafka_topic_partition_list_t* assigned = nullptr;
      if (rd_kafka_assignment(consumer_, &assigned) == RD_KAFKA_RESP_ERR_NO_ERROR && assigned) {
        int n = assigned->cnt;
        rd_kafka_topic_partition_list_destroy(assigned);
        if (n == workload_.partitions) {
          running_ = true;
          thread_ = std::thread([this] {
            while (running_.load(std::memory_order_relaxed)) consume_once(100);
          });
          return std::nullopt;
        }
      }
    }
    return std::string("the consumer got no assignment within 90 s");
  }

  void stop_consumer() override {
    running_ = false;
    if (thread_.joinable()) thread_.join();
    if (queue_) rd_kafka_queue_destroy(queue_);
    queue_ = nullptr;
    if (consumer_) {
      rd_kafka_consumer_close(consumer_);
      rd_kafka_destroy(consumer_);
    }
    consumer_ = nullptr;
  }

  send_result send(std::string_view key, int, std::span<const uint8_t> value,
                   int64_t scheduled_ns) override {
    int rc = rd_kafka_produce(topics_.back(), RD_KAFKA_PARTITION_UA, RD_KAFKA_MSG_F_COPY,
                              const_cast<uint8_t*>(value.data()), value.size(),
                              key.empty() ? nullptr : key.data(), key.size(),
                              reinterpret_cast<void*>(static_cast<intptr_t>(scheduled_ns)));
    if (rc == 0) return send_result::sent;
    return rd_kafka_last_error() == RD_KAFKA_RESP_ERR__QUEUE_FULL ? send_result::backpressure
                                                                   : send_result::failed;
  }

  void poll(int timeout_ms) override { rd_kafka_poll(producer_, timeout_ms); }

  bool flush(int timeout_ms) override {
    return rd_kafka_flush(producer_, timeout_ms) == RD_KAFKA_RESP_ERR_NO_ERROR;
  }

 private:
  static std::optional<std::string> txn_error(const char* what, rd_kafka_error_t* e) {
    if (!e) return std::nullopt;
    std::string msg = std::string(what) + ": " + rd_kafka_error_string(e);
    rd_kafka_error_destroy(e);
    return msg;
  }

  // Waits up to `timeout_ms` for one message, then takes whatever else is already queued without
  // waiting: rd_kafka_consume_batch_queue with a timeout would hold the messages it has until the
  // batch is full or the timeout passes, which would add up to the timeout to end-to-end latency.
  void consume_once(int timeout_ms) {
    rd_kafka_message_t* batch[1000];
    ssize_t n = 0;
    if (rd_kafka_message_t* first = rd_kafka_consumer_poll(consumer_, timeout_ms)) {
      batch[0] = first;
      ssize_t more = rd_kafka_consume_batch_queue(queue_, 0, batch + 1, 999);
      n = 1 + std::max<ssize_t>(more, 0);
    }
    for (ssize_t i = 0; i < n; ++i) {
      rd_kafka_message_t* m = batch[i];
      if (m->err == RD_KAFKA_RESP_ERR_NO_ERROR)
        on_value_({static_cast<const uint8_t*>(m->payload), m->len});
      rd_kafka_message_destroy(m);
    }
  }

  std::string bootstrap_;
  ack_fn on_ack_;
  std::string transactional_id_;
  value_fn on_value_;
  workload workload_;
  rd_kafka_t* producer_ = nullptr;
  std::vector<rd_kafka_topic_t*> topics_;
  rd_kafka_t* consumer_ = nullptr;
  rd_kafka_queue_t* queue_ = nullptr;
  std::atomic<bool> running_{false};
  std::thread thread_;
};

}  // namespace

std::unique_ptr<system_driver> make_kafka_driver(const std::string& bootstrap, ack_fn on_ack,
                                                 std::string& error,
                                                 const std::string& transactional_id) {
  return initialized(
      std::make_unique<kafka_driver>(bootstrap, std::move(on_ack), transactional_id), error);
}

}  // namespace lkstream::bench

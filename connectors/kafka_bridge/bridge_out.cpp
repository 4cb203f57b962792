#include "bridge_out.hpp"

#include <chrono>

namespace lkstream::connectors::kafka_bridge {
namespace {

const char empty_bytes[1] = {0};  // a non-null pointer for empty keys and values

const void* bytes_or_empty(const void* p, int64_t len) {
  if (len < 0) return nullptr;
  return len == 0 || !p ? static_cast<const void*>(empty_bytes) : p;
}

}  // namespace

bridge_out::bridge_out(plugin::host h)
    : plugin::sink(h),
      same_partition_(h.get_string(partitioning_key) == "same"),
      flush_timeout_ms_(h.get_int(flush_timeout_key, 30000)) {}

bridge_out::~bridge_out() {
  (void)stop();
}

plugin::status bridge_out::start() {
  if (auto st = topic_map::parse(host().get_string(topic_map_key), topics_); !st.ok()) return st;
  conf_ptr conf;
  auto st = make_conf(host(),
                      {{"enable.idempotence", "true", {"true"}},
                       {"acks", "all", {"all", "-1"}},
                       {"request.required.acks", "all", {"all", "-1"}}},
                      {{"linger.ms", "5"},
                       {"client.id", "lkstream-bridge." + std::string(host().connector_name())}},
                      conf);
  if (!st.ok()) return st;
  rd_kafka_conf_set_dr_msg_cb(conf.get(), &on_delivery);
  st = new_client(RD_KAFKA_PRODUCER, std::move(conf), {this, &on_error, &on_log}, producer_);
  if (!st.ok()) return st;
  host().info("mirroring to Kafka " + host().get_string("bootstrap.servers"));
  return plugin::ok();
}

void bridge_out::on_delivery(rd_kafka_t*, const rd_kafka_message_t* m, void* opaque) {
  auto& self = *static_cast<bridge_out*>(opaque);
  --self.outstanding_;
  if (m->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
    if (self.delivered_++ == 0 || self.unreachable_) {
      self.unreachable_ = false;
      self.host().set_condition("");
    }
    return;
  }
  if (self.first_failure_.empty())
    self.first_failure_ = "delivery to Kafka topic " + std::string(rd_kafka_topic_name(m->rkt)) +
                          " partition " + std::to_string(m->partition) +
                          " failed: " + describe(m->err);
}

void bridge_out::on_log(const rd_kafka_t* rk, int level, const char* facility, const char* text) {
  log_to_host(static_cast<bridge_out*>(rd_kafka_opaque(rk))->host(), level, facility, text);
}

void bridge_out::on_error(rd_kafka_t* rk, int err, const char* reason, void* opaque) {
  auto& self = *static_cast<bridge_out*>(opaque);
  self.last_error_ = reason;
  if (err == RD_KAFKA_RESP_ERR__FATAL) {
    char fatal[512];
    rd_kafka_fatal_error(rk, fatal, sizeof fatal);
    if (self.first_failure_.empty())
      self.first_failure_ = std::string("fatal producer error: ") + fatal;
  } else if (err == RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN && !self.unreachable_) {
    self.unreachable_ = true;
    self.host().set_condition(std::string("Kafka unreachable (all brokers down: ") + reason +
                              "); retrying, the LKSTREAM position waits");
  }
}

plugin::status bridge_out::failure_status() const {
  return plugin::retry(first_failure_ + " (the batch is sent again after a restart)");
}

plugin::status bridge_out::produce(const lks_record& r, int64_t deadline_ms) {
  const std::string topic = topics_.to(plugin::topic_of(r));
  rd_kafka_headers_t* headers = nullptr;
  if (r.header_count > 0) {
    headers = rd_kafka_headers_new(r.header_count);
    for (size_t i = 0; i < r.header_count; ++i) {
      const lks_header& h = r.headers[i];
      rd_kafka_header_add(headers, h.key, static_cast<ssize_t>(h.key_len),
                          bytes_or_empty(h.value, h.value_len),
                          h.value_len < 0 ? 0 : static_cast<ssize_t>(h.value_len));
    }
  }
  const int32_t partition = same_partition_ ? r.partition : RD_KAFKA_PARTITION_UA;
  void* key = const_cast<void*>(bytes_or_empty(r.key, r.key_len));
  const size_t key_len = r.key_len < 0 ? 0 : static_cast<size_t>(r.key_len);
  void* value = const_cast<void*>(bytes_or_empty(r.value, r.value_len));
  const size_t value_len = r.value_len < 0 ? 0 : static_cast<size_t>(r.value_len);
  for (;;) {
    rd_kafka_resp_err_t err = rd_kafka_producev(
        producer_, RD_KAFKA_V_TOPIC(topic.c_str()), RD_KAFKA_V_PARTITION(partition),
        RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_KEY(key, key_len),
        RD_KAFKA_V_VALUE(value, value_len), RD_KAFKA_V_TIMESTAMP(r.timestamp),
        RD_KAFKA_V_HEADERS(headers), RD_KAFKA_V_END);
    if (err == RD_KAFKA_RESP_ERR_NO_ERROR) {
      ++outstanding_;
      return plugin::ok();  // the producer owns the headers now
    }
    if (err != RD_KAFKA_RESP_ERR__QUEUE_FULL || host().now_ms() >= deadline_ms) {
      if (headers) rd_kafka_headers_destroy(headers);
      return plugin::retry("cannot send to Kafka topic " + topic + ": " + describe(err) +
                           (last_error_.empty() ? "" : " (last error: " + last_error_ + ")"));
    }
    rd_kafka_poll(producer_, 50);  // the local queue is full: let deliveries drain it
  }
}

plugin::status bridge_out::write(std::span<const lks_record> records) {
  const int64_t deadline = host().now_ms() + flush_timeout_ms_;
  for (const lks_record& r : records) {
    if (auto st = produce(r, deadline); !st.ok()) return st;
  }
  rd_kafka_poll(producer_, 0);  // serve delivery reports that are already in
  return first_failure_.empty() ? plugin::ok() : failure_status();
}

plugin::status bridge_out::flush() {
  const int64_t deadline = host().now_ms() + flush_timeout_ms_;
  while (outstanding_ > 0 && first_failure_.empty()) {
    const int64_t left = deadline - host().now_ms();
    if (left <= 0)
      return plugin::retry("Kafka did not acknowledge " + std::to_string(outstanding_) +
                           " records within " + std::to_string(flush_timeout_ms_) + " ms" +
                           (last_error_.empty() ? "" : " (last error: " + last_error_ + ")") +
                           "; they are sent again after a restart");
    rd_kafka_flush(producer_, static_cast<int>(std::min<int64_t>(left, 500)));
  }
  if (!first_failure_.empty()) return failure_status();
  return plugin::ok();
}

plugin::status bridge_out::stop() {
  if (!producer_) return plugin::ok();
  // Whatever is not acknowledged yet is not committed either: drop it, the next instance
  // sends it again.
  rd_kafka_purge(producer_, RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
  rd_kafka_flush(producer_, 1000);  // serves the purged messages' reports
  rd_kafka_destroy(producer_);
  producer_ = nullptr;
  return plugin::ok();
}

}  // namespace lkstream::connectors::kafka_bridge

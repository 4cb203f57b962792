#include "bridge_in.hpp"

#include <algorithm>
#include <cstring>
#include <vector>

#include "error_class.hpp"

namespace lkstream::connectors::kafka_bridge {

bridge_in::bridge_in(plugin::host h)
    : plugin::source(h),
      same_partition_(parse_partitioning(h.get_string(partitioning_key)) ==
                      partitioning::preserve),
      batch_records_(static_cast<size_t>(std::max<int64_t>(1, h.get_int(batch_records_key, 1000)))),
      commit_interval_ms_(h.get_int(commit_interval_key, 1000)) {}

bridge_in::~bridge_in() {
  (void)stop();
}

plugin::status bridge_in::start() {
  if (auto st = topic_map::parse(host().get_string(topic_map_key), topics_); !st.ok()) return st;
  if (auto st = topics_.set_template(host().get_string(topic_name_key, "{topic}")); !st.ok())
    return st;
  if (parse_partitioning(host().get_string(partitioning_key)) == partitioning::hash)
    return plugin::config_error(
        "partitioning = \"hash\" is for direction = \"out\"; \"in\" takes \"preserve\" "
        "or \"by-key\"");
  conf_ptr conf;
  auto st = make_conf(host(),
                      {{"enable.auto.commit", "false", {"false"}},
                       {"enable.auto.offset.store", "false", {"false"}}},
                      {{"group.id", "lkstream." + std::string(host().connector_name())},
                       {"auto.offset.reset", "earliest"},
                       {"client.id", "lkstream-bridge." + std::string(host().connector_name())}},
                      conf);
  if (!st.ok()) return st;
  st = new_client(RD_KAFKA_CONSUMER, std::move(conf), {this, &on_error, &on_log}, consumer_);
  if (!st.ok()) return st;
  rd_kafka_poll_set_consumer(consumer_);

  auto* list = rd_kafka_topic_partition_list_new(static_cast<int>(host().topics().size()));
  std::string names;
  for (std::string_view t : host().topics()) {
    const std::string kafka_topic = topics_.from(t);
    rd_kafka_topic_partition_list_add(list, kafka_topic.c_str(), RD_KAFKA_PARTITION_UA);
    names += (names.empty() ? "" : ", ") + kafka_topic + " -> " + std::string(t);
  }
  const rd_kafka_resp_err_t rc = rd_kafka_subscribe(consumer_, list);
  rd_kafka_topic_partition_list_destroy(list);
  if (rc != RD_KAFKA_RESP_ERR_NO_ERROR)
    return plugin::config_error("cannot subscribe to the Kafka topics: " + describe(rc));
  host().info("mirroring from Kafka " + host().get_string("bootstrap.servers") + ": " + names);
  last_commit_ms_ = host().now_ms();
  return plugin::ok();
}

void bridge_in::on_log(const rd_kafka_t* rk, int level, const char* facility, const char* text) {
  log_to_host(static_cast<bridge_in*>(rd_kafka_opaque(rk))->host(), level, facility, text);
}

void bridge_in::on_error(rd_kafka_t* rk, int err, const char* reason, void* opaque) {
  auto& self = *static_cast<bridge_in*>(opaque);
  if (err == RD_KAFKA_RESP_ERR__FATAL) {
    char fatal[512];
    rd_kafka_fatal_error(rk, fatal, sizeof fatal);
    self.fatal_ = fatal;
  } else if (err == RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN) {
    self.on_brokers_down(reason);
  } else if (err == RD_KAFKA_RESP_ERR__TRANSPORT || err == RD_KAFKA_RESP_ERR__RESOLVE) {
    self.transport_error_ = reason;  // probed at the next idle poll
  }
}

plugin::status bridge_in::poll(std::chrono::milliseconds timeout) {
  if (commit_due_ && host().now_ms() - last_commit_ms_ >= commit_interval_ms_) commit(true);
  std::vector<rd_kafka_message_t*> messages;
  messages.reserve(batch_records_);
  const int64_t deadline = host().now_ms() + timeout.count();
  plugin::status result = plugin::ok();
  while (messages.size() < batch_records_) {
    // Wait for the first record; then take only what is already there.
    const int64_t wait = messages.empty() ? std::max<int64_t>(0, deadline - host().now_ms()) : 0;
    rd_kafka_message_t* m = rd_kafka_consumer_poll(consumer_, static_cast<int>(wait));
    if (!m) {
      if (!messages.empty() || host().now_ms() >= deadline) break;
      continue;
    }
    if (m->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
      messages.push_back(m);
      continue;
    }
    const rd_kafka_resp_err_t err = m->err;
    std::string text = rd_kafka_message_errstr(m);
    rd_kafka_message_destroy(m);
    if (err == RD_KAFKA_RESP_ERR__PARTITION_EOF) continue;
    if (err == RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN) {
      on_brokers_down(text);
      break;
    }
    if (err == RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED ||
        err == RD_KAFKA_RESP_ERR_GROUP_AUTHORIZATION_FAILED) {
      result = plugin::fatal("Kafka consumer: " + describe(err) + ": " + text +
                             "; what to do: " + classify(err).what_to_do);
      break;
    }
    // A missing upstream topic may appear later: a restart after a backoff looks again.
    if (err == RD_KAFKA_RESP_ERR__FATAL || err == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART) {
      result = plugin::retry("Kafka consumer: " + describe(err) + ": " + text);
      break;
    }
    if (err == RD_KAFKA_RESP_ERR__TRANSPORT || err == RD_KAFKA_RESP_ERR__RESOLVE)
      transport_error_ = text;  // probed at the next idle poll
    host().warn("Kafka consumer: " + describe(err) + ": " + text);  // transient, retried inside
  }
  if (!messages.empty()) {
    auto st = emit_batch(messages);
    for (auto* m : messages) rd_kafka_message_destroy(m);
    if (!st.ok()) return st;
  }
  if (!result.ok()) return result;
  if (!fatal_.empty()) return plugin::retry("fatal Kafka consumer error: " + fatal_);
  if (!messages.empty()) {
    transport_error_.clear();
    set_unreachable(false);
  } else if ((unreachable_ || !transport_error_.empty()) && host().now_ms() >= next_probe_ms_) {
    // Idle with a connection failing or marked unreachable: ask for metadata to learn whether
    // Kafka is reachable.
    next_probe_ms_ = host().now_ms() + probe_interval_ms;
    if (probe(timeout)) {
      transport_error_.clear();
      set_unreachable(false);
    } else if (!unreachable_) {
      on_brokers_down(transport_error_);
    }
  }
  return plugin::ok();
}

bool bridge_in::probe(std::chrono::milliseconds timeout) {
  const rd_kafka_metadata_t* md = nullptr;
  if (rd_kafka_metadata(consumer_, 0, nullptr, &md,
                        static_cast<int>(std::max<int64_t>(timeout.count(), 1000))) !=
      RD_KAFKA_RESP_ERR_NO_ERROR)
    return false;
  rd_kafka_metadata_destroy(md);
  return true;
}

void bridge_in::on_brokers_down(const std::string& reason) {
  last_down_reason_ = reason;
  set_unreachable(true);
}

void bridge_in::set_unreachable(bool down) {
  if (down == unreachable_) return;
  unreachable_ = down;
  next_probe_ms_ = host().now_ms() + probe_interval_ms;
  if (down)
    host().set_condition("Kafka unreachable (all brokers down: " + last_down_reason_ +
                         "); retrying, nothing is committed meanwhile");
  else
    host().set_condition("");
  if (!down) host().info("Kafka reachable again");
}

plugin::status bridge_in::check_partition(const std::string& topic, int32_t partition) {
  auto it = partitions_.find(topic);
  if (it != partitions_.end() && partition < it->second) return plugin::ok();
  plugin::topic_info info;
  if (auto st = host().describe_topic(topic, info); !st.ok()) return st;
  partitions_[topic] = info.partitions;
  if (partition < info.partitions) return plugin::ok();
  return plugin::fatal("a record of Kafka partition " + std::to_string(partition) +
                       " has no LKSTREAM partition to go to: topic \"" + topic + "\" has " +
                       std::to_string(info.partitions) +
                       " (partitioning = \"preserve\" keeps partition numbers); what to do: "
                       "give the LKSTREAM topic at least " + std::to_string(partition + 1) +
                       " partitions, or set partitioning = \"by-key\"");
}

plugin::status bridge_in::emit_batch(std::vector<rd_kafka_message_t*>& messages) {
  std::vector<std::string> names;  // LKSTREAM topic per message (kept alive during emit)
  names.reserve(messages.size());
  std::vector<lks_record> records;
  records.reserve(messages.size());
  std::vector<std::vector<lks_header>> headers(messages.size());
  pending_batch batch{next_token_++, {}};
  for (size_t i = 0; i < messages.size(); ++i) {
    const rd_kafka_message_t* m = messages[i];
    names.push_back(topics_.to(rd_kafka_topic_name(m->rkt)));
    rd_kafka_timestamp_type_t ts_type;
    const int64_t ts = rd_kafka_message_timestamp(m, &ts_type);
    lks_record r{};
    r.topic = names.back().data();
    r.topic_len = names.back().size();
    r.partition = same_partition_ ? m->partition : -1;
    r.offset = -1;
    r.timestamp = ts >= 0 ? ts : -1;
    r.key = m->key;
    r.key_len = m->key ? static_cast<int64_t>(m->key_len) : -1;
    r.value = m->payload;
    r.value_len = m->payload ? static_cast<int64_t>(m->len) : -1;
    rd_kafka_headers_t* hdrs = nullptr;
    if (rd_kafka_message_headers(m, &hdrs) == RD_KAFKA_RESP_ERR_NO_ERROR && hdrs) {
      const char* name;
      const void* value;
      size_t size;
      for (size_t h = 0;
           rd_kafka_header_get_all(hdrs, h, &name, &value, &size) == RD_KAFKA_RESP_ERR_NO_ERROR;
           ++h)
        headers[i].push_back(
            {name, std::strlen(name), value, value ? static_cast<int64_t>(size) : -1});
      r.headers = headers[i].data();
      r.header_count = headers[i].size();
    }
    if (same_partition_) {
      if (auto st = check_partition(names.back(), m->partition); !st.ok()) return st;
    }
    records.push_back(r);
    batch.next_offsets[{rd_kafka_topic_name(m->rkt), m->partition}] = m->offset + 1;
  }
  auto st = host().emit(records, batch.token);
  if (!st.ok()) return st;
  pending_.push_back(std::move(batch));
  return plugin::ok();
}

void bridge_in::ack(uint64_t token) {
  while (!pending_.empty() && pending_.front().token <= token) {
    for (auto& [tp, offset] : pending_.front().next_offsets) acked_offsets_[tp] = offset;
    pending_.pop_front();
    commit_due_ = true;
  }
}

void bridge_in::commit(bool async) {
  if (!commit_due_ || !consumer_) return;
  auto* list = rd_kafka_topic_partition_list_new(static_cast<int>(acked_offsets_.size()));
  for (auto& [tp, offset] : acked_offsets_)
    rd_kafka_topic_partition_list_add(list, tp.first.c_str(), tp.second)->offset = offset;
  const rd_kafka_resp_err_t rc = rd_kafka_commit(consumer_, list, async ? 1 : 0);
  rd_kafka_topic_partition_list_destroy(list);
  last_commit_ms_ = host().now_ms();
  if (rc != RD_KAFKA_RESP_ERR_NO_ERROR) {
    // Not lost: the records are in LKSTREAM; a later commit covers them, or a restart reads
    // them again (duplicates, never gaps).
    host().warn("committing Kafka offsets failed: " + describe(rc));
    return;
  }
  commit_due_ = false;
}

plugin::status bridge_in::stop() {
  if (!consumer_) return plugin::ok();
  commit(false);
  rd_kafka_consumer_close(consumer_);
  rd_kafka_destroy(consumer_);
  consumer_ = nullptr;
  return plugin::ok();
}

}  // namespace lkstream::connectors::kafka_bridge

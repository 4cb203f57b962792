#include "bridge_out.hpp"

#include <chrono>
#include <cstdint>
#include <fstream>

#include "error_class.hpp"
#include "posix_io.hpp"

namespace lkstream::connectors::kafka_bridge {
namespace {

const char empty_bytes[1] = {0};  // a non-null pointer for empty keys and values
// offset_mode = "preserve": a placeholder for a source offset that has no record.
const char gap_key[] = "__lkstream_gap";
const char* const gap_header = "lkstream.gap";
const char* const preserved_file = "preserved_partitions";

const void* bytes_or_empty(const void* p, int64_t len) {
  if (len < 0) return nullptr;
  return len == 0 || !p ? static_cast<const void*>(empty_bytes) : p;
}

}  // namespace

bridge_out::bridge_out(plugin::host h)
    : plugin::sink(h),
      mode_(parse_partitioning(h.get_string(partitioning_key))),
      flush_timeout_ms_(h.get_int(flush_timeout_key, 30000)),
      sync_interval_ms_(h.get_int(topic_sync_interval_key, 60000)) {
  sync_options_.create = h.get_bool(topic_sync_key, true);
  sync_options_.mode = mode_;
  sync_options_.replication_factor = h.get_int(replication_factor_key, -1);
  sync_options_.timeout_ms = flush_timeout_ms_;
  preserve_offsets_ = h.get_string(offset_mode_key) == "preserve";
  map_topic_ = h.get_string(offset_map_topic_key, "lkstream.offset-map");
}

bridge_out::~bridge_out() {
  (void)stop();
}

plugin::status bridge_out::start() {
  if (auto st = topic_map::parse(host().get_string(topic_map_key), topics_); !st.ok()) return st;
  if (auto st = topics_.set_template(host().get_string(topic_name_key, "{topic}")); !st.ok())
    return st;
  if (sync_options_.replication_factor == 0 || sync_options_.replication_factor < -1)
    return plugin::config_error("replication_factor must be -1 (the cluster's default) or >= 1");
  if (preserve_offsets_ && mode_ != partitioning::preserve)
    return plugin::config_error("offset_mode = \"preserve\" needs partitioning = \"preserve\" "
                                "(target partition p must be source partition p)");
  {
    std::ifstream in(host().state_dir() + "/" + preserved_file);
    for (std::string line; std::getline(in, line);)
      if (!line.empty()) preserved_.insert(line);
  }
  conf_ptr conf;
  // Kafka must never create a target by itself (with its default of one partition): the
  // bridge creates targets (topic_sync) or refuses a missing one. A user may still allow it.
  std::vector<std::pair<const char*, std::string>> defaults{
      {"linger.ms", "5"},
      {"client.id", "lkstream-bridge." + std::string(host().connector_name())},
      {"allow.auto.create.topics", "false"}};
  // by-key: the Java client's partitioner (murmur2 of the key; unkeyed records spread), so a
  // keyed record lands where a Kafka producer would put it.
  if (mode_ == partitioning::by_key) defaults.emplace_back("partitioner", "murmur2_random");
  auto st = make_conf(host(),
                      {{"enable.idempotence", "true", {"true"}},
                       {"acks", "all", {"all", "-1"}},
                       {"request.required.acks", "all", {"all", "-1"}}},
                      defaults, conf);
  if (!st.ok()) return st;
  rd_kafka_conf_set_dr_msg_cb(conf.get(), &on_delivery);
  st = new_client(RD_KAFKA_PRODUCER, std::move(conf), {this, &on_error, &on_log}, producer_);
  if (!st.ok()) return st;
  sync_ = std::make_unique<topic_sync>(host(), producer_, sync_options_);
  if (st = sync_->load(); !st.ok()) return st;
  if (!map_topic_.empty()) {
    if (st = sync_->ensure_plain(map_topic_, 1); !st.ok()) {
      if (st.code == LKS_ERR_FATAL)
        st.message += " (the offset map topic; offset_map_topic = \"\" writes no map)";
      return st;
    }
  }
  std::string names;
  for (std::string_view t : host().topics()) {
    target_topic* target = nullptr;
    if (st = target_of(t, 0, target); !st.ok()) return st;
    names += (names.empty() ? "" : ", ") + std::string(t) + " -> " + target->name + " (" +
             std::to_string(target->partitions) + " partitions)";
  }
  next_sync_ms_ = host().now_ms() + sync_interval_ms_;
  host().info("mirroring to Kafka " + host().get_string("bootstrap.servers") + ": " + names);
  return plugin::ok();
}

plugin::status bridge_out::target_of(std::string_view source, int32_t partition,
                                     target_topic*& out) {
  if (last_target_ && source == last_source_ && partition < last_target_->source_partitions) {
    out = last_target_;
    return plugin::ok();
  }
  auto it = targets_.find(source);
  if (it == targets_.end() || partition >= it->second.source_partitions) {
    target_topic t = it == targets_.end() ? target_topic{} : it->second;
    if (auto st = sync_->sync(source, topics_.to(source), t); !st.ok()) return st;
    if (partition >= t.source_partitions)
      return plugin::retry("a record of LKSTREAM topic \"" + std::string(source) +
                           "\" partition " + std::to_string(partition) + ", which has " +
                           std::to_string(t.source_partitions) + " partitions");
    it = targets_.insert_or_assign(std::string(source), std::move(t)).first;
    by_target_[it->second.name] = &it->second;
    last_dr_topic_ = nullptr;  // a report's topic may now have a target
  }
  last_source_.assign(source);
  last_target_ = &it->second;
  out = last_target_;
  return plugin::ok();
}

plugin::status bridge_out::periodic_sync() {
  if (host().now_ms() < next_sync_ms_) return plugin::ok();
  for (auto& [source, target] : targets_)
    if (auto st = sync_->sync(source, target.name, target); !st.ok()) return st;
  next_sync_ms_ = host().now_ms() + sync_interval_ms_;
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
    self.on_record_delivered(m);
    return;
  }
  if (self.first_failure_.empty()) {
    self.first_failure_err_ = m->err;
    self.first_failure_ = "delivery to Kafka topic " + std::string(rd_kafka_topic_name(m->rkt)) +
                          " partition " + std::to_string(m->partition) +
                          " failed: " + describe(m->err);
  }
}

void bridge_out::on_record_delivered(const rd_kafka_message_t* m) {
  const char* name = rd_kafka_topic_name(m->rkt);
  if (name != last_dr_topic_) {
    auto it = by_target_.find(std::string_view(name));
    last_dr_target_ = it == by_target_.end() ? nullptr : it->second;
    last_dr_topic_ = name;
  }
  target_topic* t = last_dr_target_;
  if (!t || m->partition < 0 || static_cast<size_t>(m->partition) >= t->offsets.size())
    return;  // the offset map topic
  const auto source = static_cast<int64_t>(reinterpret_cast<intptr_t>(m->_private));
  auto& ps = t->offsets[static_cast<size_t>(m->partition)];
  if (preserve_offsets_ && m->offset != source && !offset_drift_) {
    offset_drift_ = true;
    first_failure_ = "offset_mode = \"preserve\": LKSTREAM " + t->source_name + " offset " +
                     std::to_string(source) + " was written to Kafka topic " + t->name +
                     " partition " + std::to_string(m->partition) + " at offset " +
                     std::to_string(m->offset) + "; what to do: something else writes to the "
                     "Kafka topic: stop it and mirror into an empty topic, or set offset_mode "
                     "= \"map\"";
  }
  // The map is per partition: only partitioning = "preserve" keeps one source partition in
  // one target partition alone.
  if (mode_ == partitioning::preserve &&
      (source != ps.last_source + 1 || m->offset != ps.last_target + 1))
    pending_pairs_.push_back({t->name, m->partition, t->source_name, source, m->offset});
  ps.last_source = source;
  ps.last_target = m->offset;
}

void bridge_out::on_log(const rd_kafka_t* rk, int level, const char* facility, const char* text) {
  log_to_host(static_cast<bridge_out*>(rd_kafka_opaque(rk))->host(), level, facility, text);
}

void bridge_out::on_error(rd_kafka_t* rk, int err, const char* reason, void* opaque) {
  auto& self = *static_cast<bridge_out*>(opaque);
  self.last_error_ = reason;
  if (err == RD_KAFKA_RESP_ERR__FATAL) {
    char fatal[512];
    // The underlying error decides whether a new producer can do better.
    const auto cause = rd_kafka_fatal_error(rk, fatal, sizeof fatal);
    if (self.first_failure_.empty()) {
      self.first_failure_err_ = cause;
      self.first_failure_ = std::string("fatal producer error: ") + fatal;
    }
  } else if (err == RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN && !self.unreachable_) {
    self.unreachable_ = true;
    self.host().set_condition(std::string("Kafka unreachable (all brokers down: ") + reason +
                              "); retrying, the LKSTREAM position waits");
  }
}

plugin::status bridge_out::failure_status() const {
  if (offset_drift_) return plugin::fatal(first_failure_);
  // A target deleted behind the bridge's back: the next instance's topic sync creates it.
  if (sync_options_.create && (first_failure_err_ == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART ||
                               first_failure_err_ == RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC))
    return plugin::retry(first_failure_ + " (the topic is created again after a restart)");
  const error_class c = classify(first_failure_err_);
  if (c.permanent)
    return plugin::fatal(first_failure_ + " (permanent: not retried); what to do: " +
                         c.what_to_do);
  return plugin::retry(first_failure_ + " (the batch is sent again after a restart)");
}

plugin::status bridge_out::produce(const lks_record& r, int64_t deadline_ms) {
  target_topic* target = nullptr;
  if (auto st = target_of(plugin::topic_of(r), r.partition, target); !st.ok()) return st;
  const int32_t partition = mode_ == partitioning::preserve ? r.partition
                            : mode_ == partitioning::hash   ? r.partition % target->partitions
                                                            : RD_KAFKA_PARTITION_UA;
  if (!preserve_offsets_)
    return send(target->name, partition, &r, r.offset, r.timestamp, deadline_ms);
  auto& ps = target->offsets[static_cast<size_t>(partition)];
  if (ps.next_source < 0) {
    if (auto st = start_preserving(*target, partition); !st.ok()) return st;
    if (ps.next_source == 0 && r.offset > 0)  // the source starts later: a leading gap
      delete_before_[target->name + "/" + std::to_string(partition)] = r.offset;
  }
  if (r.offset < ps.next_source) return plugin::ok();  // an earlier instance wrote it
  for (; ps.next_source < r.offset; ++ps.next_source)  // a gap: placeholders keep offsets equal
    if (auto st = send(target->name, partition, nullptr, ps.next_source, r.timestamp, deadline_ms);
        !st.ok())
      return st;
  if (auto st = send(target->name, partition, &r, r.offset, r.timestamp, deadline_ms); !st.ok())
    return st;
  ps.next_source = r.offset + 1;
  return plugin::ok();
}

plugin::status bridge_out::start_preserving(target_topic& target, int32_t partition) {
  int64_t low = 0, high = 0;
  const auto err = rd_kafka_query_watermark_offsets(producer_, target.name.c_str(), partition,
                                                    &low, &high,
                                                    static_cast<int>(flush_timeout_ms_));
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR)
    return plugin::retry("end offset of Kafka topic " + target.name + " partition " +
                         std::to_string(partition) + ": " + describe(err));
  const std::string key = target.name + "/" + std::to_string(partition);
  if (!preserved_.count(key)) {
    if (high > 0)
      return plugin::fatal(
          "offset_mode = \"preserve\" needs an empty target, but Kafka topic " + target.name +
          " partition " + std::to_string(partition) + " holds offsets " + std::to_string(low) +
          ".." + std::to_string(high - 1) + " that this connector did not write; what to do: "
          "mirror into a new (or emptied) topic, or set offset_mode = \"map\"");
    if (auto st = remember_preserved(key); !st.ok()) return st;
  }
  target.offsets[static_cast<size_t>(partition)].next_source = high;
  return plugin::ok();
}

plugin::status bridge_out::remember_preserved(const std::string& key) {
  preserved_.insert(key);
  std::string content;
  for (auto& k : preserved_) content += k + "\n";
  return write_file_atomically(host().state_dir() + "/" + preserved_file, content);
}

plugin::status bridge_out::send(const std::string& topic, int32_t partition, const lks_record* r,
                                int64_t source_offset, int64_t timestamp, int64_t deadline_ms) {
  rd_kafka_headers_t* headers = nullptr;
  void* key = const_cast<char*>(gap_key);
  size_t key_len = sizeof gap_key - 1;
  void* value = nullptr;
  size_t value_len = 0;
  if (!r) {
    headers = rd_kafka_headers_new(1);
    rd_kafka_header_add(headers, gap_header, -1, "1", 1);
  } else {
    if (r->header_count > 0) {
      headers = rd_kafka_headers_new(r->header_count);
      for (size_t i = 0; i < r->header_count; ++i) {
        const lks_header& h = r->headers[i];
        rd_kafka_header_add(headers, h.key, static_cast<ssize_t>(h.key_len),
                            bytes_or_empty(h.value, h.value_len),
                            h.value_len < 0 ? 0 : static_cast<ssize_t>(h.value_len));
      }
    }
    key = const_cast<void*>(bytes_or_empty(r->key, r->key_len));
    key_len = r->key_len < 0 ? 0 : static_cast<size_t>(r->key_len);
    value = const_cast<void*>(bytes_or_empty(r->value, r->value_len));
    value_len = r->value_len < 0 ? 0 : static_cast<size_t>(r->value_len);
  }
  for (;;) {
    rd_kafka_resp_err_t err = rd_kafka_producev(
        producer_, RD_KAFKA_V_TOPIC(topic.c_str()), RD_KAFKA_V_PARTITION(partition),
        RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_KEY(key, key_len),
        RD_KAFKA_V_VALUE(value, value_len), RD_KAFKA_V_TIMESTAMP(timestamp),
        RD_KAFKA_V_HEADERS(headers),
        RD_KAFKA_V_OPAQUE(reinterpret_cast<void*>(static_cast<intptr_t>(source_offset))),
        RD_KAFKA_V_END);
    if (err == RD_KAFKA_RESP_ERR_NO_ERROR) {
      ++outstanding_;
      return plugin::ok();  // the producer owns the headers now
    }
    if (err != RD_KAFKA_RESP_ERR__QUEUE_FULL || host().now_ms() >= deadline_ms) {
      if (headers) rd_kafka_headers_destroy(headers);
      const std::string line = "cannot send to Kafka topic " + topic + " partition " +
                               std::to_string(partition) + ": " + describe(err) +
                               (last_error_.empty() ? "" : " (last error: " + last_error_ + ")");
      if (const error_class c = classify(err); c.permanent)
        return plugin::fatal(line + "; what to do: " + c.what_to_do);
      return plugin::retry(line);
    }
    rd_kafka_poll(producer_, 50);  // the local queue is full: let deliveries drain it
  }
}

plugin::status bridge_out::write(std::span<const lks_record> records) {
  if (auto st = periodic_sync(); !st.ok()) return st;
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
  if (auto st = write_offset_map(deadline); !st.ok()) return st;
  return delete_leading_gaps();
}

plugin::status bridge_out::write_offset_map(int64_t deadline_ms) {
  if (map_topic_.empty()) pending_pairs_.clear();
  if (pending_pairs_.empty()) return plugin::ok();
  for (auto& p : pending_pairs_) {
    const std::string key = p.target_topic + "/" + std::to_string(p.partition);
    const std::string value =
        "{\"target_topic\":\"" + p.target_topic + "\",\"target_partition\":" +
        std::to_string(p.partition) + ",\"source_topic\":\"" + p.source_topic +
        "\",\"source_partition\":" + std::to_string(p.partition) + ",\"source_offset\":" +
        std::to_string(p.source_offset) + ",\"target_offset\":" + std::to_string(p.target_offset) +
        ",\"mode\":\"" + (preserve_offsets_ ? "preserve" : "map") + "\"}";
    for (;;) {
      const auto err = rd_kafka_producev(
          producer_, RD_KAFKA_V_TOPIC(map_topic_.c_str()), RD_KAFKA_V_PARTITION(0),
          RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
          RD_KAFKA_V_KEY(const_cast<char*>(key.data()), key.size()),
          RD_KAFKA_V_VALUE(const_cast<char*>(value.data()), value.size()), RD_KAFKA_V_END);
      if (err == RD_KAFKA_RESP_ERR_NO_ERROR) break;
      if (err != RD_KAFKA_RESP_ERR__QUEUE_FULL || host().now_ms() >= deadline_ms)
        return plugin::retry("cannot write the offset map to Kafka topic " + map_topic_ + ": " +
                             describe(err));
      rd_kafka_poll(producer_, 50);
    }
    ++outstanding_;
  }
  while (outstanding_ > 0 && first_failure_.empty()) {
    const int64_t left = deadline_ms - host().now_ms();
    if (left <= 0)
      return plugin::retry("Kafka did not acknowledge the offset map records within " +
                           std::to_string(flush_timeout_ms_) + " ms; the batch is sent again "
                           "after a restart");
    rd_kafka_flush(producer_, static_cast<int>(std::min<int64_t>(left, 500)));
  }
  if (!first_failure_.empty()) return failure_status();
  pending_pairs_.clear();
  return plugin::ok();
}

plugin::status bridge_out::delete_leading_gaps() {
  while (!delete_before_.empty()) {
    auto it = delete_before_.begin();
    const auto slash = it->first.rfind('/');
    const std::string topic = it->first.substr(0, slash);
    const int32_t partition = std::stoi(it->first.substr(slash + 1));
    if (auto st = sync_->delete_records(topic, partition, it->second); !st.ok()) return st;
    host().info("offsets preserved: Kafka topic " + topic + " partition " +
                std::to_string(partition) + " starts at " + std::to_string(it->second) +
                ", as its source");
    delete_before_.erase(it);
  }
  return plugin::ok();
}

plugin::status bridge_out::stop() {
  if (!producer_) return plugin::ok();
  // Whatever is not acknowledged yet is not committed either: drop it, the next instance
  // sends it again.
  rd_kafka_purge(producer_, RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
  rd_kafka_flush(producer_, 1000);  // serves the purged messages' reports
  sync_.reset();
  rd_kafka_destroy(producer_);
  producer_ = nullptr;
  by_target_.clear();
  last_dr_topic_ = nullptr;
  last_dr_target_ = nullptr;
  targets_.clear();
  last_target_ = nullptr;
  return plugin::ok();
}

}  // namespace lkstream::connectors::kafka_bridge

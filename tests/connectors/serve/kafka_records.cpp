#include "kafka_records.hpp"

#include <librdkafka/rdkafka.h>

#include <map>
#include <memory>
#include <set>

namespace lkstream::testing {
namespace {

struct handle_deleter {
  void operator()(rd_kafka_t* rk) const { rd_kafka_destroy(rk); }
};
using handle = std::unique_ptr<rd_kafka_t, handle_deleter>;

void quiet_log(const rd_kafka_t*, int, const char*, const char*) {}

handle make(rd_kafka_type_t type, const std::string& bootstrap,
            std::vector<std::pair<std::string, std::string>> props, std::string& error,
            void (*dr)(rd_kafka_t*, const rd_kafka_message_t*, void*) = nullptr,
            void* opaque = nullptr) {
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  char err[512];
  props.insert(props.begin(), {"bootstrap.servers", bootstrap});
  for (auto& [k, v] : props)
    if (rd_kafka_conf_set(conf, k.c_str(), v.c_str(), err, sizeof err) != RD_KAFKA_CONF_OK) {
      error = k + ": " + err;
      rd_kafka_conf_destroy(conf);
      return nullptr;
    }
  rd_kafka_conf_set_log_cb(conf, &quiet_log);
  if (dr) rd_kafka_conf_set_dr_msg_cb(conf, dr);
  if (opaque) rd_kafka_conf_set_opaque(conf, opaque);
  rd_kafka_t* rk = rd_kafka_new(type, conf, err, sizeof err);
  if (!rk) {
    error = err;
    rd_kafka_conf_destroy(conf);
  }
  return handle(rk);
}

struct delivery_state {
  int pending = 0;
  std::string first_error;
};

void on_delivery(rd_kafka_t*, const rd_kafka_message_t* m, void* opaque) {
  auto& st = *static_cast<delivery_state*>(opaque);
  --st.pending;
  if (m->err && st.first_error.empty()) st.first_error = rd_kafka_err2str(m->err);
}

}  // namespace

std::string create_topic(const std::string& bootstrap, const std::string& topic, int partitions) {
  std::string error;
  handle rk = make(RD_KAFKA_PRODUCER, bootstrap, {}, error);
  if (!rk) return error;
  char err[512];
  rd_kafka_NewTopic_t* nt = rd_kafka_NewTopic_new(topic.c_str(), partitions, 1, err, sizeof err);
  if (!nt) return err;
  rd_kafka_queue_t* q = rd_kafka_queue_new(rk.get());
  rd_kafka_AdminOptions_t* opts =
      rd_kafka_AdminOptions_new(rk.get(), RD_KAFKA_ADMIN_OP_CREATETOPICS);
  rd_kafka_AdminOptions_set_operation_timeout(opts, 30000, err, sizeof err);
  rd_kafka_AdminOptions_set_request_timeout(opts, 60000, err, sizeof err);
  rd_kafka_CreateTopics(rk.get(), &nt, 1, opts, q);
  rd_kafka_event_t* ev = rd_kafka_queue_poll(q, 90000);
  std::string result;
  if (!ev) {
    result = "CreateTopics: no answer within 90 s";
  } else if (rd_kafka_event_error(ev)) {
    result = std::string("CreateTopics: ") + rd_kafka_event_error_string(ev);
  } else {
    size_t n = 0;
    const rd_kafka_topic_result_t** res =
        rd_kafka_CreateTopics_result_topics(rd_kafka_event_CreateTopics_result(ev), &n);
    for (size_t i = 0; i < n; ++i) {
      auto e = rd_kafka_topic_result_error(res[i]);
      if (e && e != RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS)
        result = std::string("CreateTopics ") + topic + ": " + rd_kafka_err2str(e) + " " +
                 (rd_kafka_topic_result_error_string(res[i]) ?: "");
    }
  }
  if (ev) rd_kafka_event_destroy(ev);
  rd_kafka_AdminOptions_destroy(opts);
  rd_kafka_NewTopic_destroy(nt);
  rd_kafka_queue_destroy(q);
  return result;
}

int topic_partitions(const std::string& bootstrap, const std::string& topic) {
  std::string error;
  handle rk = make(RD_KAFKA_PRODUCER, bootstrap, {{"allow.auto.create.topics", "false"}}, error);
  if (!rk) return -1;
  rd_kafka_topic_t* rkt = rd_kafka_topic_new(rk.get(), topic.c_str(), nullptr);
  const rd_kafka_metadata_t* md = nullptr;
  int count = -1;
  if (rd_kafka_metadata(rk.get(), 0, rkt, &md, 30000) == RD_KAFKA_RESP_ERR_NO_ERROR) {
    for (int i = 0; i < md->topic_cnt; ++i) {
      if (topic != md->topics[i].topic) continue;
      if (md->topics[i].err == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART) count = 0;
      else if (md->topics[i].err == RD_KAFKA_RESP_ERR_NO_ERROR) count = md->topics[i].partition_cnt;
    }
    rd_kafka_metadata_destroy(md);
  }
  rd_kafka_topic_destroy(rkt);
  return count;
}

int64_t end_offsets_sum(const std::string& bootstrap, const std::string& topic, int partitions) {
  std::string error;
  handle rk = make(RD_KAFKA_PRODUCER, bootstrap, {}, error);
  if (!rk) return -1;
  int64_t sum = 0;
  for (int p = 0; p < partitions; ++p) {
    int64_t lo = 0, hi = 0;
    if (rd_kafka_query_watermark_offsets(rk.get(), topic.c_str(), p, &lo, &hi, 10000)) return -1;
    sum += hi;
  }
  return sum;
}

std::map<std::string, std::string> topic_configs(const std::string& bootstrap,
                                                 const std::string& topic) {
  std::map<std::string, std::string> out;
  std::string error;
  handle rk = make(RD_KAFKA_PRODUCER, bootstrap, {}, error);
  if (!rk) return out;
  rd_kafka_ConfigResource_t* cr =
      rd_kafka_ConfigResource_new(RD_KAFKA_RESOURCE_TOPIC, topic.c_str());
  rd_kafka_queue_t* q = rd_kafka_queue_new(rk.get());
  rd_kafka_AdminOptions_t* opts =
      rd_kafka_AdminOptions_new(rk.get(), RD_KAFKA_ADMIN_OP_DESCRIBECONFIGS);
  char err[256];
  rd_kafka_AdminOptions_set_request_timeout(opts, 30000, err, sizeof err);
  rd_kafka_DescribeConfigs(rk.get(), &cr, 1, opts, q);
  rd_kafka_event_t* ev = rd_kafka_queue_poll(q, 40000);
  if (ev && !rd_kafka_event_error(ev)) {
    size_t n = 0;
    const rd_kafka_ConfigResource_t** res =
        rd_kafka_DescribeConfigs_result_resources(rd_kafka_event_DescribeConfigs_result(ev), &n);
    for (size_t i = 0; i < n; ++i) {
      if (rd_kafka_ConfigResource_error(res[i])) continue;
      size_t count = 0;
      const rd_kafka_ConfigEntry_t** entries = rd_kafka_ConfigResource_configs(res[i], &count);
      for (size_t j = 0; j < count; ++j) {
        const char* v = rd_kafka_ConfigEntry_value(entries[j]);
        out[rd_kafka_ConfigEntry_name(entries[j])] = v ? v : "";
      }
    }
  }
  if (ev) rd_kafka_event_destroy(ev);
  rd_kafka_AdminOptions_destroy(opts);
  rd_kafka_ConfigResource_destroy(cr);
  rd_kafka_queue_destroy(q);
  return out;
}

std::string produce_numbered(const std::string& bootstrap, const std::string& topic, int partitions,
                             int from, int to) {
  delivery_state st;
  std::string error;
  handle rk = make(RD_KAFKA_PRODUCER, bootstrap,
                   {{"enable.idempotence", "true"},
                    {"acks", "all"},
                    {"linger.ms", "5"},
                    {"message.timeout.ms", "120000"}},
                   error, &on_delivery, &st);
  if (!rk) return error;
  for (int i = from; i < to; ++i) {
    const std::string key = "k" + std::to_string(i), value = "v" + std::to_string(i),
                      seq = std::to_string(i);
    rd_kafka_headers_t* h = rd_kafka_headers_new(2);
    rd_kafka_header_add(h, "seq", -1, seq.data(), static_cast<ssize_t>(seq.size()));
    rd_kafka_header_add(h, "nothing", -1, nullptr, 0);
    for (;;) {
      auto e = rd_kafka_producev(
          rk.get(), RD_KAFKA_V_TOPIC(topic.c_str()), RD_KAFKA_V_PARTITION(i % partitions),
          RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
          RD_KAFKA_V_KEY(const_cast<char*>(key.data()), key.size()),
          RD_KAFKA_V_VALUE(const_cast<char*>(value.data()), value.size()),
          RD_KAFKA_V_TIMESTAMP(numbered_base_ts + i), RD_KAFKA_V_HEADERS(h), RD_KAFKA_V_END);
      if (e == RD_KAFKA_RESP_ERR_NO_ERROR) {
        ++st.pending;
        break;
      }
      if (e != RD_KAFKA_RESP_ERR__QUEUE_FULL) {
        rd_kafka_headers_destroy(h);
        return std::string("produce: ") + rd_kafka_err2str(e);
      }
      rd_kafka_poll(rk.get(), 50);
    }
    rd_kafka_poll(rk.get(), 0);
  }
  if (rd_kafka_flush(rk.get(), 180000) != RD_KAFKA_RESP_ERR_NO_ERROR)
    return "produce: " + std::to_string(st.pending) + " records unacknowledged after 180 s";
  return st.first_error.empty() ? "" : "produce: " + st.first_error;
}

std::vector<read_record> read_topic(const std::string& bootstrap, const std::string& topic,
                                    int partitions, size_t until_count,
                                    std::chrono::seconds deadline, std::chrono::milliseconds linger,
                                    const std::function<void()>& on_wait) {
  std::vector<read_record> out;
  std::string error;
  handle rk = make(RD_KAFKA_CONSUMER, bootstrap,
                   {{"group.id", "bridge-test-reader"},
                    {"enable.auto.commit", "false"},
                    {"enable.auto.offset.store", "false"}},
                   error);
  if (!rk) return out;
  rd_kafka_poll_set_consumer(rk.get());
  auto* list = rd_kafka_topic_partition_list_new(partitions);
  for (int p = 0; p < partitions; ++p)
    rd_kafka_topic_partition_list_add(list, topic.c_str(), p)->offset = RD_KAFKA_OFFSET_BEGINNING;
  rd_kafka_assign(rk.get(), list);
  rd_kafka_topic_partition_list_destroy(list);
  const auto end = std::chrono::steady_clock::now() + deadline;
  std::optional<std::chrono::steady_clock::time_point> linger_end;
  for (;;) {
    const auto now = std::chrono::steady_clock::now();
    if (now >= end || (linger_end && now >= *linger_end)) break;
    if (!linger_end && out.size() >= until_count) linger_end = now + linger;
    rd_kafka_message_t* m = rd_kafka_consumer_poll(rk.get(), 100);
    if (on_wait) on_wait();
    if (!m) continue;
    if (m->err) {
      rd_kafka_message_destroy(m);
      continue;
    }
    read_record r;
    r.topic = rd_kafka_topic_name(m->rkt);
    r.partition = m->partition;
    r.offset = m->offset;
    if (m->key) r.key = std::string(static_cast<const char*>(m->key), m->key_len);
    if (m->payload) r.value = std::string(static_cast<const char*>(m->payload), m->len);
    r.timestamp = rd_kafka_message_timestamp(m, nullptr);
    rd_kafka_headers_t* h = nullptr;
    if (rd_kafka_message_headers(m, &h) == RD_KAFKA_RESP_ERR_NO_ERROR) {
      const char* name;
      const void* val;
      size_t size;
      for (size_t i = 0; rd_kafka_header_get_all(h, i, &name, &val, &size) == 0; ++i)
        r.headers.emplace_back(
            name, val ? std::optional<std::string>(std::string(static_cast<const char*>(val), size))
                      : std::nullopt);
    }
    rd_kafka_message_destroy(m);
    out.push_back(std::move(r));
  }
  rd_kafka_consumer_close(rk.get());
  return out;
}

std::vector<read_record> consume_in_group(const std::string& bootstrap, const std::string& group,
                                          const std::vector<std::string>& topics,
                                          size_t until_count, std::chrono::seconds deadline,
                                          const std::string& reset,
                                          const std::function<void()>& on_wait,
                                          std::chrono::milliseconds settle) {
  std::vector<read_record> out;
  std::string error;
  handle rk = make(RD_KAFKA_CONSUMER, bootstrap,
                   {{"group.id", group},
                    {"enable.auto.commit", "false"},
                    {"auto.offset.reset", reset},
                    {"session.timeout.ms", "10000"}},
                   error);
  if (!rk) return out;
  rd_kafka_poll_set_consumer(rk.get());
  auto* list = rd_kafka_topic_partition_list_new(static_cast<int>(topics.size()));
  for (auto& t : topics)
    rd_kafka_topic_partition_list_add(list, t.c_str(), RD_KAFKA_PARTITION_UA);
  rd_kafka_subscribe(rk.get(), list);
  rd_kafka_topic_partition_list_destroy(list);
  const auto end = std::chrono::steady_clock::now() + deadline;
  auto last_record = std::chrono::steady_clock::now();
  while (std::chrono::steady_clock::now() < end) {
    if (out.size() >= until_count &&
        std::chrono::steady_clock::now() - last_record >= settle)
      break;
    rd_kafka_message_t* m = rd_kafka_consumer_poll(rk.get(), 100);
    if (on_wait) on_wait();
    if (!m) continue;
    last_record = std::chrono::steady_clock::now();
    if (m->err) {
      rd_kafka_message_destroy(m);
      continue;
    }
    read_record r;
    r.topic = rd_kafka_topic_name(m->rkt);
    r.partition = m->partition;
    r.offset = m->offset;
    if (m->key) r.key = std::string(static_cast<const char*>(m->key), m->key_len);
    if (m->payload) r.value = std::string(static_cast<const char*>(m->payload), m->len);
    rd_kafka_message_destroy(m);
    out.push_back(std::move(r));
  }
  rd_kafka_commit(rk.get(), nullptr, 0);  // the positions: past every record returned
  rd_kafka_consumer_close(rk.get());
  return out;
}

mirror_check check_numbered(const std::vector<read_record>& records, int n, int partitions) {
  mirror_check c;
  std::vector<bool> seen(static_cast<size_t>(n), false);
  std::vector<int64_t> last_first(static_cast<size_t>(partitions), -1);
  auto problem = [&](const std::string& p) {
    if (c.problems.size() < 10) c.problems.push_back(p);
  };
  for (auto& r : records) {
    if (!r.value || r.value->size() < 2 || (*r.value)[0] != 'v') {
      problem("a record that is not numbered: " + r.value.value_or("<null>"));
      continue;
    }
    const int i = std::stoi(r.value->substr(1));
    const std::string where = "record " + std::to_string(i) + " (partition " +
                              std::to_string(r.partition) + " offset " + std::to_string(r.offset) +
                              ")";
    if (i < 0 || i >= n) {
      problem(where + ": out of range");
      continue;
    }
    if (r.partition != i % partitions)
      problem(where + ": expected partition " + std::to_string(i % partitions));
    if (r.key != "k" + std::to_string(i)) problem(where + ": key " + r.key.value_or("<null>"));
    if (r.timestamp != numbered_base_ts + i)
      problem(where + ": timestamp " + std::to_string(r.timestamp));
    const decltype(r.headers) expected_headers{{"seq", std::to_string(i)},
                                               {"nothing", std::nullopt}};
    if (r.headers != expected_headers) problem(where + ": headers differ");
    if (seen[static_cast<size_t>(i)]) {
      ++c.duplicates;
      continue;
    }
    seen[static_cast<size_t>(i)] = true;
    ++c.distinct;
    if (r.partition >= 0 && r.partition < partitions) {
      auto& last = last_first[static_cast<size_t>(r.partition)];
      if (i <= last) problem(where + ": after record " + std::to_string(last) + " (out of order)");
      last = i;
    }
  }
  if (c.distinct != static_cast<size_t>(n)) {
    int missing = -1;
    for (int i = 0; i < n; ++i)
      if (!seen[static_cast<size_t>(i)]) {
        missing = i;
        break;
      }
    problem(std::to_string(n - static_cast<int>(c.distinct)) + " records missing, the first is " +
            std::to_string(missing));
  }
  return c;
}

std::vector<int64_t> committed_offsets(const std::string& bootstrap, const std::string& group,
                                       const std::string& topic, int partitions) {
  std::vector<int64_t> out(static_cast<size_t>(partitions), -1);
  std::string error;
  handle rk = make(RD_KAFKA_CONSUMER, bootstrap, {{"group.id", group}}, error);
  if (!rk) return out;
  auto* list = rd_kafka_topic_partition_list_new(partitions);
  for (int p = 0; p < partitions; ++p) rd_kafka_topic_partition_list_add(list, topic.c_str(), p);
  if (rd_kafka_committed(rk.get(), list, 30000) == RD_KAFKA_RESP_ERR_NO_ERROR)
    for (int i = 0; i < list->cnt; ++i)
      out[static_cast<size_t>(list->elems[i].partition)] = list->elems[i].offset;
  rd_kafka_topic_partition_list_destroy(list);
  return out;
}

}  // namespace lkstream::testing

#include "topic_sync.hpp"

#include <algorithm>
#include <fstream>
#include <memory>
#include <thread>

#include "error_class.hpp"
#include "posix_io.hpp"

namespace lkstream::connectors::kafka_bridge {
namespace {

constexpr const char* created_file = "created_topics";

struct event_deleter {
  void operator()(rd_kafka_event_t* e) const { rd_kafka_event_destroy(e); }
};
using event_ptr = std::unique_ptr<rd_kafka_event_t, event_deleter>;

struct queue_deleter {
  void operator()(rd_kafka_queue_t* q) const { rd_kafka_queue_destroy(q); }
};

std::string quoted(std::string_view s) {
  return "\"" + std::string(s) + "\"";
}

/// A permanent error becomes fatal with what to do, anything else retry.
plugin::status failure(const std::string& what, rd_kafka_resp_err_t err, const std::string& text) {
  const error_class c = classify(err);
  std::string line = what + ": " + rd_kafka_err2name(err) + ": " + text;
  if (c.permanent) return plugin::fatal(line + "; what to do: " + c.what_to_do);
  return plugin::retry(line);
}

/// Sends one admin request (`send(options, queue)`) and waits for its result event; a
/// request-level error is classified.
template <class Send>
plugin::status admin_request(rd_kafka_t* rk, rd_kafka_admin_op_t op, int64_t timeout_ms,
                             const std::string& what, Send&& send, event_ptr& out) {
  std::unique_ptr<rd_kafka_queue_t, queue_deleter> q(rd_kafka_queue_new(rk));
  rd_kafka_AdminOptions_t* o = rd_kafka_AdminOptions_new(rk, op);
  char err[256];
  (void)rd_kafka_AdminOptions_set_request_timeout(o, static_cast<int>(timeout_ms), err, sizeof err);
  // Only some requests have an operation timeout (wait until the change is done everywhere).
  (void)rd_kafka_AdminOptions_set_operation_timeout(o, static_cast<int>(timeout_ms), err,
                                                    sizeof err);
  send(o, q.get());
  rd_kafka_AdminOptions_destroy(o);
  out.reset(rd_kafka_queue_poll(q.get(), static_cast<int>(timeout_ms + 5000)));
  if (!out) return plugin::retry(what + ": Kafka did not answer within " +
                                 std::to_string(timeout_ms) + " ms");
  if (const auto e = rd_kafka_event_error(out.get()); e != RD_KAFKA_RESP_ERR_NO_ERROR)
    return failure(what, e, rd_kafka_event_error_string(out.get()));
  return plugin::ok();
}

/// "compact,delete" and "delete, compact" are the same policy.
std::string normalized_policy(std::string_view p) {
  const bool compact = p.find("compact") != std::string_view::npos;
  const bool del = p.find("delete") != std::string_view::npos;
  return compact && del ? "compact,delete" : compact ? "compact" : "delete";
}

}  // namespace

std::map<std::string, std::string> synced_configs(const plugin::topic_info& source) {
  return {{"retention.ms", std::to_string(source.retention_ms)},
          {"retention.bytes", std::to_string(source.retention_bytes)},
          {"cleanup.policy", normalized_policy(source.cleanup_policy)},
          {"max.message.bytes", std::to_string(source.max_message_bytes)}};
}

topic_sync::topic_sync(plugin::host h, rd_kafka_t* rk, options opts)
    : host_(h), rk_(rk), opts_(opts) {}

plugin::status topic_sync::load() {
  std::ifstream in(host_.state_dir() + "/" + created_file);
  std::string line;
  while (std::getline(in, line))
    if (!line.empty()) created_.insert(line);
  return plugin::ok();
}

plugin::status topic_sync::remember_created(const std::string& topic) {
  created_.insert(topic);
  std::string content;
  for (auto& t : created_) content += t + "\n";
  return write_file_atomically(host_.state_dir() + "/" + created_file, content);
}

plugin::status topic_sync::target_partitions(const std::string& topic, int32_t& count) {
  rd_kafka_topic_t* rkt = rd_kafka_topic_new(rk_, topic.c_str(), nullptr);
  if (!rkt) return plugin::fatal("Kafka topic name " + quoted(topic) + " is not valid");
  const rd_kafka_metadata_t* md = nullptr;
  const auto err = rd_kafka_metadata(rk_, 0, rkt, &md, static_cast<int>(opts_.timeout_ms));
  rd_kafka_topic_destroy(rkt);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR)
    return failure("metadata of Kafka topic " + quoted(topic), err, rd_kafka_err2str(err));
  plugin::status st = plugin::ok();
  count = -1;  // not known yet (a topic being created)
  for (int i = 0; i < md->topic_cnt; ++i) {
    const rd_kafka_metadata_topic_t& t = md->topics[i];
    if (topic != t.topic) continue;
    if (t.err == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART) count = 0;
    else if (t.err == RD_KAFKA_RESP_ERR_NO_ERROR && t.partition_cnt > 0) count = t.partition_cnt;
    else if (t.err != RD_KAFKA_RESP_ERR_LEADER_NOT_AVAILABLE && t.err != RD_KAFKA_RESP_ERR_NO_ERROR)
      st = failure("metadata of Kafka topic " + quoted(topic), t.err, rd_kafka_err2str(t.err));
  }
  rd_kafka_metadata_destroy(md);
  return st;
}

plugin::status topic_sync::create(const std::string& topic, const plugin::topic_info& source) {
  char err[512];
  rd_kafka_NewTopic_t* nt = rd_kafka_NewTopic_new(topic.c_str(), source.partitions,
                                                  static_cast<int>(opts_.replication_factor),
                                                  err, sizeof err);
  if (!nt) return plugin::fatal("cannot create Kafka topic " + quoted(topic) + ": " + err);
  for (auto& [k, v] : synced_configs(source))
    rd_kafka_NewTopic_set_config(nt, k.c_str(), v.c_str());
  event_ptr ev;
  const std::string what = "creating Kafka topic " + quoted(topic);
  auto st = admin_request(rk_, RD_KAFKA_ADMIN_OP_CREATETOPICS, opts_.timeout_ms, what,
                          [&](rd_kafka_AdminOptions_t* o, rd_kafka_queue_t* q) {
                            rd_kafka_CreateTopics(rk_, &nt, 1, o, q);
                          },
                          ev);
  rd_kafka_NewTopic_destroy(nt);
  if (!st.ok()) return st;
  size_t n = 0;
  const rd_kafka_topic_result_t** results =
      rd_kafka_CreateTopics_result_topics(rd_kafka_event_CreateTopics_result(ev.get()), &n);
  for (size_t i = 0; i < n; ++i) {
    const auto e = rd_kafka_topic_result_error(results[i]);
    if (e == RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS) {
      // Someone else (another connector, a producer) created it meanwhile: not ours.
      host_.info("Kafka topic " + quoted(topic) + " was created by someone else meanwhile");
      return plugin::ok();
    }
    if (e != RD_KAFKA_RESP_ERR_NO_ERROR) {
      const char* text = rd_kafka_topic_result_error_string(results[i]);
      return failure(what, e, text ? text : rd_kafka_err2str(e));
    }
  }
  host_.info("created Kafka topic " + quoted(topic) + " with " +
             std::to_string(source.partitions) + " partitions (cleanup.policy " +
             normalized_policy(source.cleanup_policy) + ", retention.ms " +
             std::to_string(source.retention_ms) + ")");
  return remember_created(topic);
}

plugin::status topic_sync::add_partitions(const std::string& topic, int32_t count) {
  char err[512];
  rd_kafka_NewPartitions_t* np =
      rd_kafka_NewPartitions_new(topic.c_str(), static_cast<size_t>(count), err, sizeof err);
  if (!np) return plugin::fatal("cannot grow Kafka topic " + quoted(topic) + ": " + err);
  event_ptr ev;
  const std::string what =
      "adding partitions to Kafka topic " + quoted(topic) + " (to " + std::to_string(count) + ")";
  auto st = admin_request(rk_, RD_KAFKA_ADMIN_OP_CREATEPARTITIONS, opts_.timeout_ms, what,
                          [&](rd_kafka_AdminOptions_t* o, rd_kafka_queue_t* q) {
                            rd_kafka_CreatePartitions(rk_, &np, 1, o, q);
                          },
                          ev);
  rd_kafka_NewPartitions_destroy(np);
  if (!st.ok()) return st;
  size_t n = 0;
  const rd_kafka_topic_result_t** results = rd_kafka_CreatePartitions_result_topics(
      rd_kafka_event_CreatePartitions_result(ev.get()), &n);
  for (size_t i = 0; i < n; ++i) {
    const auto e = rd_kafka_topic_result_error(results[i]);
    if (e != RD_KAFKA_RESP_ERR_NO_ERROR) {
      const char* text = rd_kafka_topic_result_error_string(results[i]);
      return failure(what, e, text ? text : rd_kafka_err2str(e));
    }
  }
  host_.info("grew Kafka topic " + quoted(topic) + " to " + std::to_string(count) +
             " partitions, as its LKSTREAM source");
  return plugin::ok();
}

plugin::status topic_sync::sync_configs(const std::string& topic,
                                        const plugin::topic_info& source) {
  const std::string what = "configs of Kafka topic " + quoted(topic);
  rd_kafka_ConfigResource_t* cr =
      rd_kafka_ConfigResource_new(RD_KAFKA_RESOURCE_TOPIC, topic.c_str());
  event_ptr ev;
  auto st = admin_request(rk_, RD_KAFKA_ADMIN_OP_DESCRIBECONFIGS, opts_.timeout_ms, what,
                          [&](rd_kafka_AdminOptions_t* o, rd_kafka_queue_t* q) {
                            rd_kafka_DescribeConfigs(rk_, &cr, 1, o, q);
                          },
                          ev);
  rd_kafka_ConfigResource_destroy(cr);
  if (!st.ok()) return st;
  // The target's own dynamic configs stay (AlterConfigs replaces the whole set).
  std::map<std::string, std::string> dynamic;
  std::map<std::string, std::string> current;
  size_t n = 0;
  const rd_kafka_ConfigResource_t** resources = rd_kafka_DescribeConfigs_result_resources(
      rd_kafka_event_DescribeConfigs_result(ev.get()), &n);
  for (size_t i = 0; i < n; ++i) {
    if (const auto e = rd_kafka_ConfigResource_error(resources[i]); e != RD_KAFKA_RESP_ERR_NO_ERROR)
      return failure(what, e, rd_kafka_ConfigResource_error_string(resources[i]));
    size_t count = 0;
    const rd_kafka_ConfigEntry_t** entries = rd_kafka_ConfigResource_configs(resources[i], &count);
    for (size_t j = 0; j < count; ++j) {
      const char* value = rd_kafka_ConfigEntry_value(entries[j]);
      const std::string name = rd_kafka_ConfigEntry_name(entries[j]);
      current[name] = value ? value : "";
      if (rd_kafka_ConfigEntry_source(entries[j]) == RD_KAFKA_CONFIG_SOURCE_DYNAMIC_TOPIC_CONFIG &&
          value)
        dynamic[name] = value;
    }
  }
  bool differs = false;
  for (auto& [k, v] : synced_configs(source)) {
    auto it = current.find(k);
    const std::string have = it == current.end()        ? ""
                             : k == "cleanup.policy" ? normalized_policy(it->second)
                                                     : it->second;
    if (have != v) differs = true;
    dynamic[k] = v;
  }
  if (!differs) return plugin::ok();
  cr = rd_kafka_ConfigResource_new(RD_KAFKA_RESOURCE_TOPIC, topic.c_str());
  for (auto& [k, v] : dynamic) rd_kafka_ConfigResource_set_config(cr, k.c_str(), v.c_str());
  st = admin_request(rk_, RD_KAFKA_ADMIN_OP_ALTERCONFIGS, opts_.timeout_ms,
                     "changing " + what,
                     [&](rd_kafka_AdminOptions_t* o, rd_kafka_queue_t* q) {
                       rd_kafka_AlterConfigs(rk_, &cr, 1, o, q);
                     },
                     ev);
  rd_kafka_ConfigResource_destroy(cr);
  if (!st.ok()) return st;
  resources =
      rd_kafka_AlterConfigs_result_resources(rd_kafka_event_AlterConfigs_result(ev.get()), &n);
  for (size_t i = 0; i < n; ++i)
    if (const auto e = rd_kafka_ConfigResource_error(resources[i]); e != RD_KAFKA_RESP_ERR_NO_ERROR)
      return failure("changing " + what, e, rd_kafka_ConfigResource_error_string(resources[i]));
  host_.info("synced the configs of Kafka topic " + quoted(topic) + " with its LKSTREAM source");
  return plugin::ok();
}

plugin::status topic_sync::ensure_plain(const std::string& topic, int32_t partitions) {
  int32_t count = -1;
  const int64_t deadline = host_.now_ms() + opts_.timeout_ms;
  while (count < 0) {
    if (auto st = target_partitions(topic, count); !st.ok()) return st;
    if (count >= 0) break;
    if (host_.now_ms() >= deadline)
      return plugin::retry("Kafka topic " + quoted(topic) + " shows no partitions yet");
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  if (count > 0) return plugin::ok();
  plugin::topic_info info;
  info.partitions = partitions;
  info.retention_ms = -1;
  info.retention_bytes = -1;
  info.max_message_bytes = 1 << 20;
  info.cleanup_policy = "delete";
  return create(topic, info);
}

plugin::status topic_sync::delete_records(const std::string& topic, int32_t partition,
                                          int64_t before) {
  auto* parts = rd_kafka_topic_partition_list_new(1);
  rd_kafka_topic_partition_list_add(parts, topic.c_str(), partition)->offset = before;
  rd_kafka_DeleteRecords_t* del = rd_kafka_DeleteRecords_new(parts);
  rd_kafka_topic_partition_list_destroy(parts);
  event_ptr ev;
  const std::string what = "deleting the gap placeholders before offset " +
                           std::to_string(before) + " of Kafka topic " + quoted(topic) +
                           " partition " + std::to_string(partition);
  auto st = admin_request(rk_, RD_KAFKA_ADMIN_OP_DELETERECORDS, opts_.timeout_ms, what,
                          [&](rd_kafka_AdminOptions_t* o, rd_kafka_queue_t* q) {
                            rd_kafka_DeleteRecords(rk_, &del, 1, o, q);
                          },
                          ev);
  rd_kafka_DeleteRecords_destroy(del);
  if (!st.ok()) return st;
  const rd_kafka_topic_partition_list_t* result = rd_kafka_DeleteRecords_result_offsets(
      rd_kafka_event_DeleteRecords_result(ev.get()));
  for (int i = 0; result && i < result->cnt; ++i)
    if (result->elems[i].err != RD_KAFKA_RESP_ERR_NO_ERROR)
      return failure(what, result->elems[i].err, rd_kafka_err2str(result->elems[i].err));
  return plugin::ok();
}

plugin::status topic_sync::sync(std::string_view source, const std::string& target,
                                target_topic& out) {
  plugin::topic_info src;
  if (auto st = host_.describe_topic(source, src); !st.ok()) return st;
  const int64_t deadline = host_.now_ms() + opts_.timeout_ms;
  // Waits until Kafka's metadata shows at least `want` partitions (a topic just created or
  // grown, or one Kafka creates by itself on the metadata request).
  auto await_partitions = [&](int32_t want, int32_t& count) -> plugin::status {
    for (;;) {
      if (auto st = target_partitions(target, count); !st.ok()) return st;
      if (count >= want || (want == 0 && count >= 0)) return plugin::ok();
      if (host_.now_ms() >= deadline)
        return plugin::retry("Kafka topic " + quoted(target) + " does not show " +
                             std::to_string(want) + " partitions yet (it shows " +
                             std::to_string(std::max(count, 0)) + ")");
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
  };
  int32_t count = 0;
  if (auto st = await_partitions(0, count); !st.ok()) return st;
  // Kafka may be creating it (auto-creation on a metadata request, when the user allows
  // it): a topic being created shows up within moments.
  for (int i = 0; count == 0 && !opts_.create && i < 10; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    if (auto st = await_partitions(0, count); !st.ok()) return st;
  }
  if (count == 0) {
    if (!opts_.create)
      return plugin::fatal("Kafka topic " + quoted(target) + " (the target of LKSTREAM topic " +
                           quoted(source) + ") does not exist and topic_sync = false; what to "
                           "do: create it with " + std::to_string(src.partitions) +
                           " partitions, or set topic_sync = true so that the bridge creates it");
    if (auto st = create(target, src); !st.ok()) return st;
    if (auto st = await_partitions(src.partitions, count); !st.ok()) return st;
  }
  const bool ours = opts_.create && created_.count(target) > 0;
  if (count < src.partitions) {
    if (ours) {
      if (auto st = add_partitions(target, src.partitions); !st.ok()) return st;
      if (auto st = await_partitions(src.partitions, count); !st.ok()) return st;
    } else if (opts_.mode == partitioning::preserve) {
      return plugin::fatal(
          "Kafka topic " + quoted(target) + " has " + std::to_string(count) +
          (count == 1 ? " partition" : " partitions") + ", fewer than the " +
          std::to_string(src.partitions) + " of LKSTREAM topic " + quoted(source) +
          " (partitioning = \"preserve\" sends partition p to partition p); what to do: add "
          "partitions on Kafka (kafka-topics.sh --alter --topic " + target + " --partitions " +
          std::to_string(src.partitions) + "), or set partitioning = \"hash\" (p mod " +
          std::to_string(count) + ") or \"by-key\"");
    }
  }
  if (ours && (out.source.partitions == 0 || out.source.retention_ms != src.retention_ms ||
               out.source.retention_bytes != src.retention_bytes ||
               out.source.max_message_bytes != src.max_message_bytes ||
               out.source.cleanup_policy != src.cleanup_policy)) {
    if (auto st = sync_configs(target, src); !st.ok()) return st;
  }
  if (count > src.partitions && opts_.mode == partitioning::preserve && out.partitions != count)
    host_.info("Kafka topic " + quoted(target) + " has " + std::to_string(count) +
               " partitions, more than the " + std::to_string(src.partitions) + " of " +
               quoted(source) + ": partitions " + std::to_string(src.partitions) + ".." +
               std::to_string(count - 1) + " stay empty");
  out.name = target;
  out.source_name.assign(source);
  out.source_partitions = src.partitions;
  out.partitions = count;
  if (out.offsets.size() < static_cast<size_t>(count)) out.offsets.resize(count);
  out.created_by_us = ours;
  out.source = std::move(src);
  return plugin::ok();
}

}  // namespace lkstream::connectors::kafka_bridge

#include "kafka_admin_client.hpp"

#include <algorithm>
#include <memory>

namespace lkstream::app {

namespace {

struct event_deleter {
  void operator()(rd_kafka_event_t* ev) const noexcept { rd_kafka_event_destroy(ev); }
};
using event_ptr = std::unique_ptr<rd_kafka_event_t, event_deleter>;

struct queue_deleter {
  void operator()(rd_kafka_queue_t* q) const noexcept { rd_kafka_queue_destroy(q); }
};
struct options_deleter {
  void operator()(rd_kafka_AdminOptions_t* o) const noexcept { rd_kafka_AdminOptions_destroy(o); }
};
struct partition_list_deleter {
  void operator()(rd_kafka_topic_partition_list_t* l) const noexcept {
    rd_kafka_topic_partition_list_destroy(l);
  }
};
using partition_list_ptr = std::unique_ptr<rd_kafka_topic_partition_list_t, partition_list_deleter>;

struct metadata_deleter {
  void operator()(const rd_kafka_metadata_t* md) const noexcept { rd_kafka_metadata_destroy(md); }
};

error server_error(const std::string& what, rd_kafka_resp_err_t err, const char* text = nullptr) {
  errc code = errc::io_error;
  if (err == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART) code = errc::unknown_topic;
  if (err == RD_KAFKA_RESP_ERR__TIMED_OUT || err == RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT) {
    code = errc::timeout;
    text = "no answer within --timeout; is the server overloaded, or not a Kafka server?";
  }
  if (err == RD_KAFKA_RESP_ERR__TRANSPORT || err == RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN)
    text = "the connection to the server failed; is it an lkstream/Kafka server?";
  if (err == RD_KAFKA_RESP_ERR_INVALID_CONFIG || err == RD_KAFKA_RESP_ERR_INVALID_PARTITIONS ||
      err == RD_KAFKA_RESP_ERR_TOPIC_EXCEPTION)
    code = errc::invalid_argument;
  std::string msg = what + ": " + rd_kafka_err2str(err);
  if (text && *text && std::string_view(text) != rd_kafka_err2str(err))
    msg += " (" + std::string(text) + ")";
  return error{code, std::move(msg)};
}

/// Runs one admin operation: `start(options, queue)` sends it; waits for the result event.
template <class Start>
result<event_ptr> run_admin(rd_kafka_t* rk, const connection_options& opts, rd_kafka_admin_op_t op,
                            const std::string& what, Start&& start) {
  std::unique_ptr<rd_kafka_queue_t, queue_deleter> queue{rd_kafka_queue_new(rk)};
  std::unique_ptr<rd_kafka_AdminOptions_t, options_deleter> options{
      rd_kafka_AdminOptions_new(rk, op)};
  char errstr[512];
  rd_kafka_AdminOptions_set_request_timeout(options.get(), timeout_ms(opts), errstr, sizeof errstr);
  if (op == RD_KAFKA_ADMIN_OP_CREATETOPICS || op == RD_KAFKA_ADMIN_OP_DELETETOPICS)
    rd_kafka_AdminOptions_set_operation_timeout(options.get(), timeout_ms(opts), errstr,
                                                sizeof errstr);
  start(options.get(), queue.get());
  // The request timeout bounds the operation; the extra second lets librdkafka report it.
  event_ptr ev{rd_kafka_queue_poll(queue.get(), timeout_ms(opts) + 1000)};
  if (!ev) return error{errc::timeout, what + ": no answer from " + opts.bootstrap};
  if (auto err = rd_kafka_event_error(ev.get()); err != RD_KAFKA_RESP_ERR_NO_ERROR)
    return server_error(what, err, rd_kafka_event_error_string(ev.get()));
  return ev;
}

partition_list_ptr to_partition_list(const committed_offsets& offsets) {
  partition_list_ptr list{rd_kafka_topic_partition_list_new(static_cast<int>(offsets.size()))};
  for (auto& [tp, offset] : offsets)
    rd_kafka_topic_partition_list_add(list.get(), tp.topic.c_str(), tp.partition)->offset = offset;
  return list;
}

// The outcome of a one-topic CreateTopics/DeleteTopics: `expected_err` (already exists, does not
// exist) becomes `expected`, any other error a server error about `what`.
status topic_result(const rd_kafka_topic_result_t** results, size_t n, const std::string& what,
                    rd_kafka_resp_err_t expected_err, error expected) {
  for (size_t i = 0; i < n; ++i)
    if (auto err = rd_kafka_topic_result_error(results[i]); err) {
      if (err == expected_err) return expected;
      return server_error(what, err, rd_kafka_topic_result_error_string(results[i]));
    }
  return ok();
}

}  // namespace

result<kafka_admin_client> kafka_admin_client::connect(const connection_options& opts,
                                                       const handle_options& how) {
  LK_TRY_STATUS(probe(opts));
  LK_ASSIGN_OR_RETURN(auto rk, make_handle(opts, how));
  return kafka_admin_client(opts, std::move(rk));
}

void kafka_admin_client::abandon() {
  if (rk_) rd_kafka_destroy_flags(rk_.release(), RD_KAFKA_DESTROY_F_NO_CONSUMER_CLOSE);
}

result<std::vector<topic_listing>> kafka_admin_client::list_topics() {
  const rd_kafka_metadata_t* raw = nullptr;
  // all_topics=1 asks for every topic without naming one, so nothing gets auto-created.
  if (auto err = rd_kafka_metadata(rk_.get(), 1, nullptr, &raw, timeout_ms(opts_)); err)
    return server_error("listing topics", err);
  std::unique_ptr<const rd_kafka_metadata_t, metadata_deleter> md{raw};
  std::vector<topic_listing> out;
  for (int i = 0; i < md->topic_cnt; ++i) {
    const auto& t = md->topics[i];
    if (t.err == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART) continue;
    out.push_back({t.topic, t.partition_cnt});
  }
  std::sort(out.begin(), out.end(),
            [](const topic_listing& a, const topic_listing& b) { return a.name < b.name; });
  return out;
}

result<int32_t> kafka_admin_client::partition_count(const std::string& topic) {
  LK_ASSIGN_OR_RETURN(auto topics, list_topics());
  for (auto& t : topics)
    if (t.name == topic) return t.partitions;
  return error{errc::unknown_topic, "topic '" + topic + "' does not exist"};
}

status kafka_admin_client::create_topic(
    const std::string& topic, int32_t partitions,
    const std::vector<std::pair<std::string, std::string>>& configs) {
  char errstr[512];
  rd_kafka_NewTopic_t* nt =
      rd_kafka_NewTopic_new(topic.c_str(), partitions, -1, errstr, sizeof errstr);
  if (!nt) return error{errc::invalid_argument, "topic '" + topic + "': " + errstr};
  for (auto& [k, v] : configs) rd_kafka_NewTopic_set_config(nt, k.c_str(), v.c_str());
  auto ev = run_admin(rk_.get(), opts_, RD_KAFKA_ADMIN_OP_CREATETOPICS,
                      "creating topic '" + topic + "'", [&](auto* options, auto* queue) {
                        rd_kafka_CreateTopics(rk_.get(), &nt, 1, options, queue);
                      });
  rd_kafka_NewTopic_destroy(nt);
  if (!ev) return std::move(ev).take_error();
  size_t n = 0;
  auto** results =
      rd_kafka_CreateTopics_result_topics(rd_kafka_event_CreateTopics_result(ev->get()), &n);
  return topic_result(results, n, "creating topic '" + topic + "'",
                      RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS,
                      {errc::topic_exists, "topic '" + topic + "' already exists"});
}

status kafka_admin_client::delete_topic(const std::string& topic) {
  rd_kafka_DeleteTopic_t* dt = rd_kafka_DeleteTopic_new(topic.c_str());
  auto ev = run_admin(rk_.get(), opts_, RD_KAFKA_ADMIN_OP_DELETETOPICS,
                      "deleting topic '" + topic + "'", [&](auto* options, auto* queue) {
                        rd_kafka_DeleteTopics(rk_.get(), &dt, 1, options, queue);
                      });
  rd_kafka_DeleteTopic_destroy(dt);
  if (!ev) return std::move(ev).take_error();
  size_t n = 0;
  auto** results =
      rd_kafka_DeleteTopics_result_topics(rd_kafka_event_DeleteTopics_result(ev->get()), &n);
  return topic_result(results, n, "deleting topic '" + topic + "'",
                      RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART,
                      {errc::unknown_topic, "topic '" + topic + "' does not exist"});
}

result<std::vector<config_entry>> kafka_admin_client::topic_configs(const std::string& topic) {
  rd_kafka_ConfigResource_t* res =
      rd_kafka_ConfigResource_new(RD_KAFKA_RESOURCE_TOPIC, topic.c_str());
  auto ev = run_admin(rk_.get(), opts_, RD_KAFKA_ADMIN_OP_DESCRIBECONFIGS,
                      "describing the configuration of topic '" + topic + "'",
                      [&](auto* options, auto* queue) {
                        rd_kafka_DescribeConfigs(rk_.get(), &res, 1, options, queue);
                      });
  rd_kafka_ConfigResource_destroy(res);
  if (!ev) return std::move(ev).take_error();
  size_t n = 0;
  auto** resources = rd_kafka_DescribeConfigs_result_resources(
      rd_kafka_event_DescribeConfigs_result(ev->get()), &n);
  std::vector<config_entry> out;
  for (size_t i = 0; i < n; ++i) {
    if (auto err = rd_kafka_ConfigResource_error(resources[i]); err) {
      if (err == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART)
        return error{errc::unknown_topic, "topic '" + topic + "' does not exist"};
      return server_error("describing the configuration of topic '" + topic + "'", err,
                          rd_kafka_ConfigResource_error_string(resources[i]));
    }
    size_t m = 0;
    auto** entries = rd_kafka_ConfigResource_configs(resources[i], &m);
    for (size_t j = 0; j < m; ++j) {
      const char* value = rd_kafka_ConfigEntry_value(entries[j]);
      // Only a topic's own settings are not defaults; broker-level values (static or built
      // in) are what the topic inherits.
      out.push_back({rd_kafka_ConfigEntry_name(entries[j]), value ? value : "",
                     rd_kafka_ConfigEntry_source(entries[j]) !=
                         RD_KAFKA_CONFIG_SOURCE_DYNAMIC_TOPIC_CONFIG});
    }
  }
  std::sort(out.begin(), out.end(),
            [](const config_entry& a, const config_entry& b) { return a.name < b.name; });
  return out;
}

result<partition_offsets> kafka_admin_client::offsets(const std::string& topic, int32_t partition) {
  partition_offsets out{partition, -1, -1};
  if (auto err = rd_kafka_query_watermark_offsets(rk_.get(), topic.c_str(), partition, &out.start,
                                                  &out.end, timeout_ms(opts_));
      err)
    return server_error("offsets of " + topic + "-" + std::to_string(partition), err);
  return out;
}

result<std::vector<group_listing>> kafka_admin_client::list_groups() {
  LK_ASSIGN_OR_RETURN(auto ev, run_admin(rk_.get(), opts_, RD_KAFKA_ADMIN_OP_LISTCONSUMERGROUPS,
                                         "listing groups", [&](auto* options, auto* queue) {
                                           rd_kafka_ListConsumerGroups(rk_.get(), options, queue);
                                         }));
  const auto* res = rd_kafka_event_ListConsumerGroups_result(ev.get());
  size_t n_err = 0;
  auto** errors = rd_kafka_ListConsumerGroups_result_errors(res, &n_err);
  if (n_err > 0)
    return error{errc::io_error,
                 std::string("listing groups: ") + rd_kafka_error_string(errors[0])};
  size_t n = 0;
  auto** valid = rd_kafka_ListConsumerGroups_result_valid(res, &n);
  std::vector<group_listing> out;
  for (size_t i = 0; i < n; ++i)
    out.push_back(
        {rd_kafka_ConsumerGroupListing_group_id(valid[i]),
         rd_kafka_consumer_group_state_name(rd_kafka_ConsumerGroupListing_state(valid[i]))});
  std::sort(out.begin(), out.end(),
            [](const group_listing& a, const group_listing& b) { return a.group_id < b.group_id; });
  return out;
}

result<group_description> kafka_admin_client::describe_group(const std::string& group) {
  const char* groups[] = {group.c_str()};
  LK_ASSIGN_OR_RETURN(
      auto ev, run_admin(rk_.get(), opts_, RD_KAFKA_ADMIN_OP_DESCRIBECONSUMERGROUPS,
                         "describing group '" + group + "'", [&](auto* options, auto* queue) {
                           rd_kafka_DescribeConsumerGroups(rk_.get(), groups, 1, options, queue);
                         }));
  size_t n = 0;
  auto** descs = rd_kafka_DescribeConsumerGroups_result_groups(
      rd_kafka_event_DescribeConsumerGroups_result(ev.get()), &n);
  if (n != 1) return error{errc::io_error, "describing group '" + group + "': no answer for it"};
  const auto* d = descs[0];
  if (const rd_kafka_error_t* e = rd_kafka_ConsumerGroupDescription_error(d)) {
    if (rd_kafka_error_code(e) == RD_KAFKA_RESP_ERR_GROUP_ID_NOT_FOUND)
      return error{errc::not_found, "group '" + group + "' does not exist"};
    return error{errc::io_error, "describing group '" + group + "': " + rd_kafka_error_string(e)};
  }
  group_description out;
  out.group_id = group;
  out.state = rd_kafka_consumer_group_state_name(rd_kafka_ConsumerGroupDescription_state(d));
  if (const char* a = rd_kafka_ConsumerGroupDescription_partition_assignor(d)) out.assignor = a;
  for (size_t i = 0; i < rd_kafka_ConsumerGroupDescription_member_count(d); ++i) {
    const auto* m = rd_kafka_ConsumerGroupDescription_member(d, i);
    group_member member;
    if (const char* s = rd_kafka_MemberDescription_consumer_id(m)) member.member_id = s;
    if (const char* s = rd_kafka_MemberDescription_client_id(m)) member.client_id = s;
    if (const char* s = rd_kafka_MemberDescription_host(m)) member.host = s;
    if (const auto* a = rd_kafka_MemberDescription_assignment(m))
      if (const auto* parts = rd_kafka_MemberAssignment_partitions(a))
        for (int j = 0; j < parts->cnt; ++j)
          member.assignment.push_back({parts->elems[j].topic, parts->elems[j].partition});
    std::sort(member.assignment.begin(), member.assignment.end());
    out.members.push_back(std::move(member));
  }
  return out;
}

result<committed_offsets> kafka_admin_client::committed(const std::string& group) {
  // librdkafka 2.0.2 sends "all partitions" (a NULL list) as an empty topic array, which a
  // broker answers with nothing (only a null array means all, as in Kafka). So ask for every
  // partition of every topic explicitly: a single node has few.
  LK_ASSIGN_OR_RETURN(auto topics, list_topics());
  partition_list_ptr all{rd_kafka_topic_partition_list_new(1)};
  for (auto& t : topics)
    for (int32_t p = 0; p < t.partitions; ++p)
      rd_kafka_topic_partition_list_add(all.get(), t.name.c_str(), p);
  if (all->cnt == 0) return committed_offsets{};
  auto* request = rd_kafka_ListConsumerGroupOffsets_new(group.c_str(), all.get());
  auto ev =
      run_admin(rk_.get(), opts_, RD_KAFKA_ADMIN_OP_LISTCONSUMERGROUPOFFSETS,
                "committed offsets of group '" + group + "'", [&](auto* options, auto* queue) {
                  rd_kafka_ListConsumerGroupOffsets(rk_.get(), &request, 1, options, queue);
                });
  rd_kafka_ListConsumerGroupOffsets_destroy(request);
  if (!ev) return std::move(ev).take_error();
  size_t n = 0;
  auto** groups = rd_kafka_ListConsumerGroupOffsets_result_groups(
      rd_kafka_event_ListConsumerGroupOffsets_result(ev->get()), &n);
  committed_offsets out;
  for (size_t i = 0; i < n; ++i) {
    if (const rd_kafka_error_t* e = rd_kafka_group_result_error(groups[i]))
      return error{errc::io_error,
                   "committed offsets of group '" + group + "': " + rd_kafka_error_string(e)};
    const auto* parts = rd_kafka_group_result_partitions(groups[i]);
    for (int j = 0; parts && j < parts->cnt; ++j) {
      const auto& p = parts->elems[j];
      if (p.err)
        return server_error(
            "committed offset of " + std::string(p.topic) + "-" + std::to_string(p.partition),
            p.err);
      if (p.offset >= 0) out[{p.topic, p.partition}] = p.offset;
    }
  }
  return out;
}

status kafka_admin_client::commit(const std::string& group, const committed_offsets& offsets) {
  auto list = to_partition_list(offsets);
  auto* request = rd_kafka_AlterConsumerGroupOffsets_new(group.c_str(), list.get());
  auto ev =
      run_admin(rk_.get(), opts_, RD_KAFKA_ADMIN_OP_ALTERCONSUMERGROUPOFFSETS,
                "committing offsets of group '" + group + "'", [&](auto* options, auto* queue) {
                  rd_kafka_AlterConsumerGroupOffsets(rk_.get(), &request, 1, options, queue);
                });
  rd_kafka_AlterConsumerGroupOffsets_destroy(request);
  if (!ev) return std::move(ev).take_error();
  size_t n = 0;
  auto** groups = rd_kafka_AlterConsumerGroupOffsets_result_groups(
      rd_kafka_event_AlterConsumerGroupOffsets_result(ev->get()), &n);
  for (size_t i = 0; i < n; ++i) {
    if (const rd_kafka_error_t* e = rd_kafka_group_result_error(groups[i]))
      return error{errc::io_error,
                   "committing offsets of group '" + group + "': " + rd_kafka_error_string(e)};
    const auto* parts = rd_kafka_group_result_partitions(groups[i]);
    for (int j = 0; parts && j < parts->cnt; ++j)
      if (parts->elems[j].err)
        return server_error("committing offsets of group '" + group + "' for " +
                                std::string(parts->elems[j].topic) + "-" +
                                std::to_string(parts->elems[j].partition),
                            parts->elems[j].err);
  }
  return ok();
}

std::optional<kafka_admin_client> connect_admin(const parsed_args& args, int& exit_code,
                                                const handle_options& how) {
  auto opts = connection_options_from(args);
  if (!opts) {
    exit_code = args.usage_error(opts.err().message);
    return std::nullopt;
  }
  auto client = kafka_admin_client::connect(*opts, how);
  if (!client) {
    exit_code = args.failure(client.err().message);
    return std::nullopt;
  }
  return std::move(*client);
}

status kafka_admin_client::add_partitions(const std::string& topic, int32_t partitions) {
  const std::string what = "adding partitions to topic '" + topic + "'";
  char errstr[512];
  rd_kafka_NewPartitions_t* np =
      rd_kafka_NewPartitions_new(topic.c_str(), static_cast<size_t>(partitions), errstr,
                                 sizeof errstr);
  if (!np) return error{errc::invalid_argument, what + ": " + errstr};
  auto ev = run_admin(rk_.get(), opts_, RD_KAFKA_ADMIN_OP_CREATEPARTITIONS, what,
                      [&](auto* options, auto* queue) {
                        rd_kafka_CreatePartitions(rk_.get(), &np, 1, options, queue);
                      });
  rd_kafka_NewPartitions_destroy(np);
  if (!ev) return std::move(ev).take_error();
  size_t n = 0;
  auto** results = rd_kafka_CreatePartitions_result_topics(
      rd_kafka_event_CreatePartitions_result(ev->get()), &n);
  return topic_result(results, n, what, RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART,
                      {errc::unknown_topic, "topic '" + topic + "' does not exist"});
}

status kafka_admin_client::alter_topic_configs(
    const std::string& topic, const std::vector<std::pair<std::string, std::string>>& set,
    const std::vector<std::string>& reset) {
  LK_ASSIGN_OR_RETURN(auto current, topic_configs(topic));
  std::map<std::string, std::string> wanted;
  for (auto& c : current)
    if (!c.is_default) wanted[c.name] = c.value;
  for (auto& name : reset) wanted.erase(name);
  for (auto& [k, v] : set) wanted[k] = v;
  const std::string what = "changing the configuration of topic '" + topic + "'";
  rd_kafka_ConfigResource_t* res =
      rd_kafka_ConfigResource_new(RD_KAFKA_RESOURCE_TOPIC, topic.c_str());
  for (auto& [k, v] : wanted) rd_kafka_ConfigResource_set_config(res, k.c_str(), v.c_str());
  auto ev = run_admin(rk_.get(), opts_, RD_KAFKA_ADMIN_OP_ALTERCONFIGS, what,
                      [&](auto* options, auto* queue) {
                        rd_kafka_AlterConfigs(rk_.get(), &res, 1, options, queue);
                      });
  rd_kafka_ConfigResource_destroy(res);
  if (!ev) return std::move(ev).take_error();
  size_t n = 0;
  auto** resources = rd_kafka_AlterConfigs_result_resources(
      rd_kafka_event_AlterConfigs_result(ev->get()), &n);
  for (size_t i = 0; i < n; ++i)
    if (auto err = rd_kafka_ConfigResource_error(resources[i]); err) {
      if (err == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART)
        return error{errc::unknown_topic, "topic '" + topic + "' does not exist"};
      return server_error(what, err, rd_kafka_ConfigResource_error_string(resources[i]));
    }
  return ok();
}

result<int64_t> kafka_admin_client::delete_records(const std::string& topic, int32_t partition,
                                                   int64_t before) {
  const std::string what =
      "deleting records of " + topic + "[" + std::to_string(partition) + "]";
  committed_offsets offsets{{{topic, partition}, before < 0 ? RD_KAFKA_OFFSET_END : before}};
  auto list = to_partition_list(offsets);
  rd_kafka_DeleteRecords_t* dr = rd_kafka_DeleteRecords_new(list.get());
  auto ev = run_admin(rk_.get(), opts_, RD_KAFKA_ADMIN_OP_DELETERECORDS, what,
                      [&](auto* options, auto* queue) {
                        rd_kafka_DeleteRecords(rk_.get(), &dr, 1, options, queue);
                      });
  rd_kafka_DeleteRecords_destroy(dr);
  if (!ev) return std::move(ev).take_error();
  const auto* result = rd_kafka_DeleteRecords_result_offsets(
      rd_kafka_event_DeleteRecords_result(ev->get()));
  if (!result || result->cnt != 1) return error{errc::io_error, what + ": no answer"};
  const auto& p = result->elems[0];
  if (p.err == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART)
    return error{errc::unknown_topic, "topic '" + topic + "' has no partition " +
                                          std::to_string(partition)};
  if (p.err == RD_KAFKA_RESP_ERR_OFFSET_OUT_OF_RANGE)
    return error{errc::offset_out_of_range,
                 what + ": offset " + std::to_string(before) + " is past the partition's end"};
  if (p.err) return server_error(what, p.err);
  return p.offset;
}

status kafka_admin_client::delete_group(const std::string& group) {
  const std::string what = "deleting group '" + group + "'";
  rd_kafka_DeleteGroup_t* dg = rd_kafka_DeleteGroup_new(group.c_str());
  auto ev = run_admin(rk_.get(), opts_, RD_KAFKA_ADMIN_OP_DELETEGROUPS, what,
                      [&](auto* options, auto* queue) {
                        rd_kafka_DeleteGroups(rk_.get(), &dg, 1, options, queue);
                      });
  rd_kafka_DeleteGroup_destroy(dg);
  if (!ev) return std::move(ev).take_error();
  size_t n = 0;
  auto** groups =
      rd_kafka_DeleteGroups_result_groups(rd_kafka_event_DeleteGroups_result(ev->get()), &n);
  for (size_t i = 0; i < n; ++i) {
    const rd_kafka_error_t* err = rd_kafka_group_result_error(groups[i]);
    if (!err) continue;
    switch (rd_kafka_error_code(err)) {
      case RD_KAFKA_RESP_ERR_GROUP_ID_NOT_FOUND:
        return error{errc::not_found, "group '" + group + "' does not exist"};
      case RD_KAFKA_RESP_ERR_NON_EMPTY_GROUP:
        return error{errc::invalid_argument,
                     "group '" + group + "' has members: stop its consumers first"};
      default:
        return server_error(what, rd_kafka_error_code(err), rd_kafka_error_string(err));
    }
  }
  return ok();
}

}  // namespace lkstream::app

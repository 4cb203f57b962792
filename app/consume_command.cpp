#include "consume_command.hpp"

#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <iostream>
#include <nlohmann/json.hpp>

#include "kafka_admin_client.hpp"

namespace lkstream::app {

namespace {

volatile std::sig_atomic_t stop_requested = 0;

void on_stop_signal(int) {
  stop_requested = 1;
}

struct message_deleter {
  void operator()(rd_kafka_message_t* m) const noexcept { rd_kafka_message_destroy(m); }
};
using message_ptr = std::unique_ptr<rd_kafka_message_t, message_deleter>;

/// Errors librdkafka reports outside of messages (error_cb, called from our poll calls).
struct connection_state {
  bool all_brokers_down = false;
  bool fatal = false;
  std::string text;
};

void on_error(rd_kafka_t*, int err, const char* reason, void* opaque) {
  auto* st = static_cast<connection_state*>(opaque);
  if (err == RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN) {
    st->all_brokers_down = true;
  } else if (err == RD_KAFKA_RESP_ERR__FATAL) {
    st->fatal = true;
    st->text = reason;
  }
}

enum class output_format { key_value, value_only, json };

void print_record(const rd_kafka_message_t& m, output_format format) {
  std::string_view value(static_cast<const char*>(m.payload), m.payload ? m.len : 0);
  std::string_view key(static_cast<const char*>(m.key), m.key ? m.key_len : 0);
  if (format == output_format::json) {
    rd_kafka_timestamp_type_t type;
    nlohmann::json j{{"topic", rd_kafka_topic_name(m.rkt)},
                     {"partition", m.partition},
                     {"offset", m.offset},
                     {"timestamp", rd_kafka_message_timestamp(&m, &type)},
                     {"key", m.key ? nlohmann::json(std::string(key)) : nlohmann::json()},
                     {"value", std::string(value)}};
    std::string line = j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
    std::fwrite(line.data(), 1, line.size(), stdout);
    return;
  }
  if (format == output_format::key_value && m.key) {
    std::fwrite(key.data(), 1, key.size(), stdout);
    std::fputc('\t', stdout);
  }
  std::fwrite(value.data(), 1, value.size(), stdout);
  std::fputc('\n', stdout);
}

int run_consume(const parsed_args& args) {
  auto count = args.get_int("count", 1, INT64_MAX);
  if (!count) return args.usage_error(count.err().message);
  if (args.has("json") && args.has("value-only"))
    return args.usage_error("--json and --value-only exclude each other");
  const auto format = args.has("json")         ? output_format::json
                      : args.has("value-only") ? output_format::value_only
                                               : output_format::key_value;
  const std::string& topic = args.positional[0];
  const auto group = args.get("group");
  const bool from_beginning = args.has("from-beginning");

  handle_options how;
  how.type = RD_KAFKA_CONSUMER;
  how.properties = {{"enable.partition.eof", "false"}};
  if (group) {
    how.properties.insert(how.properties.end(),
                          {{"group.id", *group},
                           {"auto.offset.reset", from_beginning ? "earliest" : "latest"},
                           {"enable.auto.commit", "true"},
                           {"auto.commit.interval.ms", "1000"},
                           {"enable.auto.offset.store", "false"}});
  } else {
    // librdkafka needs a group.id to poll even for assign(); this one never joins or commits,
    // so the server keeps no state for it.
    how.properties.insert(how.properties.end(),
                          {{"group.id", "lkstream-cli-" + std::to_string(::getpid())},
                           {"enable.auto.commit", "false"}});
  }
  // Connected to every broker it knows, the client sees them all go down when the server
  // stops, and librdkafka reports ALL_BROKERS_DOWN (with sparse connections a broker never
  // connected to does not count as down, and the event may never come).
  how.properties.emplace_back("enable.sparse.connections", "false");
  connection_state conn;
  how.setup = [&conn](rd_kafka_conf_t* conf) {
    rd_kafka_conf_set_error_cb(conf, on_error);
    rd_kafka_conf_set_opaque(conf, &conn);
  };
  int rc = exit_failure;
  auto client = connect_admin(args, rc, how);
  if (!client) return rc;
  auto partitions = client->partition_count(topic);
  if (!partitions) return args.failure(partitions.err().message);
  rd_kafka_t* rk = client->handle();
  rd_kafka_poll_set_consumer(rk);

  std::unique_ptr<rd_kafka_topic_partition_list_t, void (*)(rd_kafka_topic_partition_list_t*)> list{
      rd_kafka_topic_partition_list_new(*partitions), rd_kafka_topic_partition_list_destroy};
  rd_kafka_resp_err_t err;
  if (group) {
    rd_kafka_topic_partition_list_add(list.get(), topic.c_str(), RD_KAFKA_PARTITION_UA);
    err = rd_kafka_subscribe(rk, list.get());
  } else {
    for (int32_t p = 0; p < *partitions; ++p)
      rd_kafka_topic_partition_list_add(list.get(), topic.c_str(), p)->offset =
          from_beginning ? RD_KAFKA_OFFSET_BEGINNING : RD_KAFKA_OFFSET_END;
    err = rd_kafka_assign(rk, list.get());
  }
  if (err) return args.failure("consuming " + topic + ": " + kafka_error_text(err));

  stop_requested = 0;
  auto previous_int = std::signal(SIGINT, on_stop_signal);
  auto previous_term = std::signal(SIGTERM, on_stop_signal);
  int64_t printed = 0;
  std::string failure;
  while (!stop_requested && (!count->has_value() || printed < **count)) {
    message_ptr m{rd_kafka_consumer_poll(rk, 0)};
    if (!m) {
      std::fflush(stdout);  // about to wait: show what we have
      m.reset(rd_kafka_consumer_poll(rk, 200));
    }
    // A single server: when it is gone, waiting for it would be a hang, not a retry.
    if (conn.all_brokers_down) {
      failure = "lost the connection to " + client->options().bootstrap +
                " (the server stopped or is unreachable)";
      break;
    }
    if (conn.fatal) {
      failure = "consuming " + topic + ": " + conn.text;
      break;
    }
    if (!m) continue;
    if (m->err) {
      // Transient errors (a reconnect) are retried by librdkafka; these are not.
      if (m->err == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART ||
          m->err == RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC) {
        failure = "topic '" + topic + "' does not exist (any more)";
        break;
      }
      if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) continue;
      if (m->err == RD_KAFKA_RESP_ERR__FATAL ||
          m->err == RD_KAFKA_RESP_ERR_GROUP_AUTHORIZATION_FAILED ||
          m->err == RD_KAFKA_RESP_ERR_INVALID_GROUP_ID) {
        failure = "consuming " + topic + ": " + rd_kafka_message_errstr(m.get());
        break;
      }
      std::cerr << args.program << ": " << rd_kafka_message_errstr(m.get()) << " (retrying)"
                << std::endl;
      continue;
    }
    print_record(*m, format);
    ++printed;
    if (group) rd_kafka_offset_store(m->rkt, m->partition, m->offset);  // commits offset + 1
  }
  std::fflush(stdout);
  std::signal(SIGINT, previous_int);
  std::signal(SIGTERM, previous_term);
  if (conn.all_brokers_down || conn.fatal) {
    // Committing or leaving the group would wait for a server that is not there.
    client->abandon();
    return args.failure(failure);
  }
  if (group && printed > 0) {
    // Synchronous: the stored offsets are durable on the server before we exit.
    if (auto c = rd_kafka_commit(rk, nullptr, 0); c && c != RD_KAFKA_RESP_ERR__NO_OFFSET)
      if (failure.empty())
        failure = "committing offsets of group '" + *group + "': " + kafka_error_text(c);
  }
  rd_kafka_consumer_close(rk);
  if (!failure.empty()) return args.failure(failure);
  return exit_ok;
}

}  // namespace

command_spec consume_command() {
  auto flags = connection_flags({
      {"group", "G", "consume as a member of group G and commit what was printed"},
      {"from-beginning", "",
       "start at the first record (with --group: where nothing is committed)"},
      {"count", "N", "exit after N records"},
      {"value-only", "", "print only values, also for keyed records"},
      {"json", "", "print one JSON object per record"},
  });
  return {
      .name = "consume",
      .summary = "print records of a topic (optionally as a group member)",
      .synopsis =
          "consume TOPIC [--group G] [--from-beginning] [--count N] [--value-only | "
          "--json] [--bootstrap HOST:PORT]",
      .description =
          "Prints one line per record: KEY<TAB>VALUE for keyed records, VALUE "
          "otherwise (what `produce` reads). Without --group: all partitions from "
          "their end, or their start with --from-beginning. With --group: continues "
          "from the group's committed offsets and commits what it printed. Runs until "
          "--count records were printed or until interrupted (Ctrl-C).",
      .flags = std::move(flags),
      .max_positional = 1,
      .run = run_consume,
      .subcommands = {},
      .min_positional = 1,
  };
}

}  // namespace lkstream::app

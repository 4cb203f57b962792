#include "produce_command.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <iostream>

#include "kafka_admin_client.hpp"

namespace lkstream::app {

namespace {

constexpr size_t max_line_bytes = 1024 * 1024;

struct delivery_state {
  uint64_t delivered = 0;
  uint64_t failed = 0;
  std::string first_error;
};

void on_delivery(rd_kafka_t*, const rd_kafka_message_t* msg, void* opaque) {
  auto* st = static_cast<delivery_state*>(opaque);
  if (msg->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
    ++st->delivered;
  } else {
    if (st->failed++ == 0) st->first_error = rd_kafka_err2str(msg->err);
  }
}

/// Reads stdin in blocks and hands out lines without their '\n'. The last line may lack one.
class line_reader {
 public:
  /// false at end of input; `too_long` set when a line exceeds max_line_bytes; `io_error` set
  /// (errno text) when read() fails.
  bool next(std::string& line) {
    for (;;) {
      if (auto nl = buffer_.find('\n', scanned_); nl != std::string::npos) {
        line.assign(buffer_, 0, nl);
        buffer_.erase(0, nl + 1);
        scanned_ = 0;
        return true;
      }
      scanned_ = buffer_.size();
      if (buffer_.size() > max_line_bytes) {
        too_long = true;
        return false;
      }
      if (eof_) {
        if (buffer_.empty()) return false;
        line = std::move(buffer_);
        buffer_.clear();
        scanned_ = 0;
        return true;
      }
      char block[65536];
      ssize_t n = ::read(STDIN_FILENO, block, sizeof block);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) {
        io_error = std::strerror(errno);
        return false;
      }
      if (n == 0) eof_ = true;
      buffer_.append(block, static_cast<size_t>(n));
    }
  }

  bool too_long = false;
  std::string io_error;

 private:
  std::string buffer_;
  size_t scanned_ = 0;  // bytes of buffer_ known to hold no '\n'
  bool eof_ = false;
};

int run_produce(const parsed_args& args) {
  auto partition = args.get_int("partition", 0, INT32_MAX);
  if (!partition) return args.usage_error(partition.err().message);
  const std::string& topic = args.positional[0];
  const bool keys = !args.has("no-keys");

  delivery_state st;
  auto opts = connection_options_from(args);
  if (!opts) return args.usage_error(opts.err().message);
  handle_options how;
  how.properties = {{"acks", "all"},
                    {"enable.idempotence", "true"},
                    {"linger.ms", "5"},
                    {"message.timeout.ms", std::to_string(timeout_ms(*opts))}};
  how.setup = [&st](rd_kafka_conf_t* conf) {
    rd_kafka_conf_set_dr_msg_cb(conf, on_delivery);
    rd_kafka_conf_set_opaque(conf, &st);
  };
  int rc = exit_failure;
  auto client = connect_admin(args, rc, how);
  if (!client) return rc;
  auto count = client->partition_count(topic);
  if (!count) {
    if (count.code() == errc::unknown_topic)
      return args.failure("topic '" + topic + "' does not exist (create it with `lkstream " +
                          "topic create " + topic + "`)");
    return args.failure(count.err().message);
  }
  if (partition->has_value() && **partition >= *count)
    return args.failure("--partition " + std::to_string(**partition) + " is out of range: " +
                        "topic '" + topic + "' has " + std::to_string(*count) + " partitions");
  const int32_t target =
      partition->has_value() ? static_cast<int32_t>(**partition) : RD_KAFKA_PARTITION_UA;

  rd_kafka_t* rk = client->handle();
  line_reader reader;
  std::string line;
  uint64_t sent = 0;
  while (st.failed == 0 && reader.next(line)) {
    std::string_view key, value = line;
    bool has_key = false;
    if (keys) {
      if (auto tab = line.find('\t'); tab != std::string::npos) {
        key = std::string_view(line).substr(0, tab);
        value = std::string_view(line).substr(tab + 1);
        has_key = true;
      }
    }
    for (;;) {
      auto err = rd_kafka_producev(
          rk, RD_KAFKA_V_TOPIC(topic.c_str()), RD_KAFKA_V_PARTITION(target),
          RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
          RD_KAFKA_V_VALUE(const_cast<char*>(value.data()), value.size()),
          RD_KAFKA_V_KEY(has_key ? key.data() : nullptr, has_key ? key.size() : 0), RD_KAFKA_V_END);
      if (err == RD_KAFKA_RESP_ERR__QUEUE_FULL) {  // backpressure: serve callbacks, retry
        rd_kafka_poll(rk, 100);
        continue;
      }
      if (err) {
        rd_kafka_flush(rk, timeout_ms(*opts));
        return args.failure("record " + std::to_string(sent + 1) + ": " + kafka_error_text(err));
      }
      break;
    }
    ++sent;
    rd_kafka_poll(rk, 0);
  }
  // Wait for every acknowledgement. Each record times out after --timeout (message.timeout.ms),
  // so flush returns within about that; the margin covers the callbacks.
  if (rd_kafka_flush(rk, timeout_ms(*opts) + 5000) != RD_KAFKA_RESP_ERR_NO_ERROR)
    return args.failure("records still unacknowledged by " + opts->bootstrap + " after " +
                        std::to_string(timeout_ms(*opts)) +
                        " ms: " + std::to_string(rd_kafka_outq_len(rk)));
  if (reader.too_long)
    return args.failure("line " + std::to_string(sent + 1) + " is longer than " +
                        std::to_string(max_line_bytes) +
                        " bytes; records produced before it: " + std::to_string(st.delivered));
  if (!reader.io_error.empty()) return args.failure("reading stdin: " + reader.io_error);
  if (st.failed > 0)
    return args.failure("records not produced to " + topic + ": " + std::to_string(st.failed) +
                        " of " + std::to_string(sent) + ": " + st.first_error);
  std::cout << "produced " << st.delivered << (st.delivered == 1 ? " record" : " records") << " to "
            << topic << std::endl;
  return exit_ok;
}

}  // namespace

command_spec produce_command() {
  auto flags = connection_flags({
      {"partition", "N", "write every record to partition N (default: by key, Kafka's hash)"},
      {"no-keys", "", "do not split lines at TAB: the whole line is the value"},
  });
  return {
      .name = "produce",
      .summary = "write lines from stdin as records to a topic",
      .synopsis = "produce TOPIC [--partition N] [--no-keys] [--bootstrap HOST:PORT]",
      .description =
          "Each line of stdin becomes one record. A line KEY<TAB>VALUE is a keyed "
          "record (split at the first TAB), other lines have no key. Waits until "
          "every record is acknowledged (acks=all, idempotent producer), then prints "
          "how many were produced. The topic must exist.",
      .flags = std::move(flags),
      .max_positional = 1,
      .run = run_produce,
      .subcommands = {},
      .min_positional = 1,
  };
}

}  // namespace lkstream::app

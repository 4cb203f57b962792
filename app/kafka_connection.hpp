#pragma once
// What every client command (topic, group, produce, consume) shares: the --bootstrap and
// --timeout flags, a fast reachability check, and librdkafka handles owned by RAII.
//
// Bounded waiting: a client command never hangs on an unreachable server. probe() opens (and
// closes) a TCP connection to the bootstrap address first, bounded by the timeout, so "nothing
// listens" becomes one clear error within milliseconds instead of librdkafka's endless
// reconnects. Every later librdkafka call is also given the timeout.
//
// librdkafka's own log lines are dropped (the commands report errors themselves); set
// LKSTREAM_KAFKA_DEBUG=1 to see them on stderr, or to librdkafka debug contexts
// (LKSTREAM_KAFKA_DEBUG=protocol,cgrp) for its debug log as well.
//
// Threading: a handle is used by the thread that made it (librdkafka's handles are thread-safe,
// but the commands are single-threaded).

#include <librdkafka/rdkafka.h>

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "cli.hpp"
#include "lkstream/base/result.hpp"

namespace lkstream::app {

struct connection_options {
  std::string bootstrap = "127.0.0.1:9092";  // HOST:PORT of a running `lkstream serve`
  std::chrono::milliseconds timeout{10000};  // bound for connecting and for each request
};

/// A client command's flags: `own`, then --bootstrap HOST:PORT and --timeout DURATION.
std::vector<flag_spec> connection_flags(std::vector<flag_spec> own = {});

/// Reads (and checks) --bootstrap and --timeout; invalid_argument with a message otherwise.
result<connection_options> connection_options_from(const parsed_args& args);

/// Connects to the bootstrap address with a plain TCP connection and closes it again. io_error
/// naming the address and the reason ("connection refused", "timed out after 10s") and hinting
/// at `lkstream serve` when nothing listens.
status probe(const connection_options& opts);

struct rd_kafka_deleter {
  void operator()(rd_kafka_t* rk) const noexcept;
};
using kafka_handle = std::unique_ptr<rd_kafka_t, rd_kafka_deleter>;

/// What kind of librdkafka handle to make and how to configure it beyond the connection.
struct handle_options {
  rd_kafka_type_t type = RD_KAFKA_PRODUCER;
  std::vector<std::pair<std::string, std::string>> properties;  // librdkafka config
  std::function<void(rd_kafka_conf_t*)> setup;                  // callbacks, opaque
};

/// A librdkafka handle for `opts` (after probe() succeeded), with bootstrap.servers, the
/// timeouts and the log callback set, then `how`. A property librdkafka rejects is an
/// invalid_argument naming it.
result<kafka_handle> make_handle(const connection_options& opts, const handle_options& how = {});

/// "Broker: Unknown topic or partition" style text for an error code.
std::string kafka_error_text(rd_kafka_resp_err_t err);

/// The timeout in whole milliseconds as the int librdkafka calls take.
int timeout_ms(const connection_options& opts);

}  // namespace lkstream::app

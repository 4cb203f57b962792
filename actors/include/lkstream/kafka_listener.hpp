#pragma once
// The Kafka wire-protocol listener: serves an engine to every Kafka client (librdkafka, kcat,
// the Java client, ...) over TCP. kafka-protocol-notes.md §1.4 lists the APIs and versions.
//
//   auto eng = lkstream::engine::open({.config_file = "lkstream.toml"});
//   auto lst = lkstream::kafka_listener::start(**eng,
//       lkstream::listener_options::from_config((*eng)->configuration().broker));
//   if (!lst) { std::cerr << lst.err().to_string() << '\n'; return 1; }
//   std::cout << "listening on " << (*lst)->bound_address() << '\n';
//   ...                       // until SIGTERM
//   (*lst)->stop();           // before the engine closes
//
// Threading: one io thread (standalone Asio) owns every socket; requests go to the engine's
// actors and their answers come back to that thread. Each connection's responses leave in
// request order; pipelined requests are processed concurrently. start() and stop() may be
// called from any thread, bound_address() too. The public API has no CAF or Asio types.
//
// Lifetime: the listener borrows the engine. stop() it (or destroy it) before the engine is
// destroyed; an engine closed while the listener runs stops it first (close() runs the
// listener's stop, then shuts down), and start() on a closed engine fails with errc::closed.
// The listener object must still be destroyed before the engine. stop() stops accepting, stops reading new requests, lets in-flight
// requests finish (at most limits.stop_grace_ms: a JoinGroup may be parked for a whole
// rebalance), sends their responses, closes every connection and joins the io thread.
//
// Limits: connections beyond max_connections or max_connections_per_ip are accepted and closed
// at once. When the process runs out of descriptors (EMFILE/ENFILE), the listener does what
// nginx and libuv do: it pauses accepting (50 ms, doubling up to 1 s, while the error lasts)
// instead of retrying in a busy loop, and uses a descriptor it keeps in reserve to accept the
// waiting connections and close them, so their clients see a prompt close instead of a hang.
// Every repeated log line (refusals, accept errors, connection errors) is rate-limited.
//
// Errors: start() fails with invalid_argument for an address it cannot parse or resolve, and
// io_error naming the address and the OS reason when it cannot bind or listen. Per-connection
// problems (malformed frames, oversize requests, unknown APIs) close that connection with one
// log line and never affect other connections.

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "lkstream/base/result.hpp"
#include "lkstream/config/config.hpp"

namespace lkstream {

class engine;

struct listener_limits {
  /// Largest request frame accepted (Kafka's socket.request.max.bytes). A larger size prefix
  /// closes the connection with a log line before anything is allocated for it.
  uint64_t max_request_bytes = 100ull << 20;
  /// All connections' request bytes held at once (frames being read or still being processed).
  /// When it is reached, connections stop reading until earlier requests complete.
  uint64_t max_buffered_bytes = 128ull << 20;
  /// Requests of one connection processed concurrently; more wait in the socket. Each may pin
  /// a frame of up to 1 MiB until it is answered, so this bounds a producer's memory here (64
  /// made 64 MiB of frames the broker's peak heap at max rate; Kafka itself processes one
  /// request per connection at a time). 5 is what Kafka clients pipeline by default
  /// (max.in.flight.requests.per.connection), so they never wait on this limit.
  uint32_t max_in_flight_per_connection = 5;
  /// A connection that sends no complete request for this long is closed (Kafka's
  /// connections.max.idle.ms). 0 = never.
  int64_t idle_timeout_ms = 10 * 60 * 1000;
  /// How long stop() waits for in-flight requests before closing connections anyway.
  int64_t stop_grace_ms = 5000;
  /// Connections open at once (Kafka's max.connections): a count, config::connections_auto
  /// (process::auto_max_connections of the open-files limit when start() runs) or
  /// config::connections_unlimited. One connection more is accepted and closed at once (the
  /// client sees the close, not a hang), with a rate-limited log line.
  int64_t max_connections = config::connections_auto;
  /// The same per client address (Kafka's max.connections.per.ip); a count or
  /// config::connections_unlimited.
  int64_t max_connections_per_ip = config::connections_unlimited;
};

/// What the listener has done so far, for a metrics endpoint: gauges (now) and counters (since
/// start, never decreasing). A snapshot; the fields are read one by one, not atomically together.
struct listener_stats {
  uint64_t connections_open = 0;      // gauge: connections being served
  uint64_t connections_accepted = 0;  // counter: connections accepted and served
  /// counter: closed at accept because broker.max_connections was reached
  uint64_t connections_refused_limit = 0;
  /// counter: closed at accept because their address held max_connections_per_ip
  uint64_t connections_refused_per_ip = 0;
  /// counter: closed at accept because the process was out of descriptors (EMFILE/ENFILE: the
  /// listener's reserved descriptor let it accept them only to close them)
  uint64_t connections_refused_no_descriptors = 0;
  uint64_t accept_errors = 0;         // counter: failed accept() calls, EMFILE/ENFILE included
  uint64_t accept_pauses = 0;         // counter: times accepting paused for lack of descriptors
  uint64_t open_files = 0;            // gauge: descriptors the process has open
  uint64_t open_files_limit = 0;      // gauge: RLIMIT_NOFILE (soft); UINT64_MAX = none
  uint64_t max_connections = 0;       // the limit in force; UINT64_MAX = none
  uint64_t max_connections_per_ip = 0;  // the limit in force; UINT64_MAX = none
};

/// Authentication (issue 17). With config::security_protocol::sasl_plaintext a connection is
/// served nothing but ApiVersions, SaslHandshake and SaslAuthenticate until it authenticated
/// with one of `sasl_mechanisms` against the SCRAM credentials of the engine's data directory
/// (DATA_DIR/scram-credentials, security/credential_store.hpp). A failed authentication is
/// answered with Kafka's error after `failed_authentication_delay_ms`, then the connection is
/// closed. Until authenticated, a frame above 512 KiB closes the connection (Kafka's
/// sasl.server.max.receive.size).
struct listener_security {
  config::security_protocol protocol = config::security_protocol::plaintext;
  std::vector<std::string> sasl_mechanisms{"SCRAM-SHA-256", "SCRAM-SHA-512"};
  /// KIP-368: sessions end after this long (SaslAuthenticate v1+ tells the client, which
  /// re-authenticates on the connection); a request after the end closes it. 0 = never.
  int64_t sasl_session_lifetime_ms = 0;
  int64_t failed_authentication_delay_ms = 100;
};

struct listener_options {
  std::string listen = "127.0.0.1:9092";  // HOST:PORT to bind; port 0 picks a free port
  std::string advertised;  // HOST:PORT clients are told (Metadata, FindCoordinator); empty =
                           // the bound address (with the port actually bound)
  listener_limits limits;
  listener_security security;

  /// listen, advertised, max_request_bytes, max_buffered_bytes, max_connections,
  /// max_connections_per_ip and the security keys of [broker].
  static listener_options from_config(const config::broker_settings& broker);
};

class kafka_listener {
 public:
  /// Binds, listens and starts the io thread. The node id and topic defaults come from the
  /// engine's configuration ([broker] node_id, auto_create_topics, [topic_defaults]).
  static result<std::unique_ptr<kafka_listener>> start(engine& eng, listener_options opts);

  ~kafka_listener();  // stop()
  kafka_listener(const kafka_listener&) = delete;
  kafka_listener& operator=(const kafka_listener&) = delete;

  /// "HOST:PORT" actually bound (the real port when listen asked for port 0). IPv6 hosts are
  /// bracketed.
  std::string bound_address() const;
  uint16_t bound_port() const;
  /// "HOST:PORT" announced to clients.
  std::string advertised_address() const;

  /// Connections, refusals, accept errors and descriptors (listener_stats). Any thread; valid
  /// after stop() too (the values at stop).
  listener_stats stats() const;

  /// Stops accepting, finishes in-flight requests (up to stop_grace_ms), closes connections
  /// and joins the io thread. Idempotent; blocks the caller until done.
  void stop();

  struct impl;

 private:
  explicit kafka_listener(std::unique_ptr<impl> i);
  std::unique_ptr<impl> impl_;
};

}  // namespace lkstream

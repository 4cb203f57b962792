#pragma once
// connection: one Kafka client connection (design.md §5, kafka-protocol-notes.md §5 P2, P3).
//
// Reading: int32 size prefix, then exactly that many bytes. A size below the 8-byte header
// minimum or above limits.max_request_bytes closes the connection with a log line before any
// allocation; otherwise the frame's bytes are reserved in the listener's global budget first
// (reading pauses while the budget is exhausted or max_in_flight_per_connection requests are
// in progress). A frame up to large_frame_bytes (1 MiB) is allocated at its announced size at
// once, without zero-filling (the socket read overwrites it); a larger one starts at 1 MiB and
// grows by doubling with the bytes actually received, so a lying size prefix holds budget
// (until the idle timeout) but at most 1 MiB of memory more than was sent. Frames up to
// spare_frame_bytes reuse one buffer per connection when no earlier request still holds it
// and no handler handed it over to another thread (frame_handed_over: Produce batches).
// Frames are decoded by the codec and dispatched in arrival order: a `concurrent` request
// at once (pipelined requests run concurrently, their messages reaching each actor in arrival
// order), an `exclusive` one (it changes which topics exist) only once every earlier request
// was answered, holding back the later ones until it is answered (handlers/handler.hpp).
//
// Writing: every request gets a sequence number; complete() stores its encoded response and
// responses leave strictly in sequence order, gathered into one writev with the Fetch record
// chunks referenced, not copied. A request answered with nullopt (Produce acks=0) sends
// nothing and does not hold back later responses.
//
// Errors: a request the codec cannot decode (truncated header, unknown API, unsupported
// version, malformed body) closes the connection with a log line, except an ApiVersions of an
// unsupported version, which is answered in v0 with UNSUPPORTED_VERSION (KIP-511).
//
// Threading: io thread only. Lifetime: shared_ptr; pending handlers and reply slots keep it
// alive; after close() completions are ignored.

#include <array>
#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "lkstream/kafka/request.hpp"
#include "lkstream/kafka/request_header.hpp"
#include "lkstream/kafka/response.hpp"
#include "lkstream/security/sasl_exchange.hpp"
#include "net/asio.hpp"

namespace lkstream::net {

class listener_core;

class connection : public std::enable_shared_from_this<connection> {
 public:
  connection(listener_core& core, asio::ip::tcp::socket socket, uint64_t id);

  void start();
  /// Stop reading new requests; close once every in-flight request was answered.
  void drain();
  /// Closes the socket now (idempotent). `why` is logged when not empty.
  void close(const std::string& why);
  /// Delivers the answer to request `seq`: a response to encode and send, or nullopt for none.
  void complete(uint64_t seq, std::optional<kafka::response_body> body);
  /// Called by the core when buffer budget was released.
  void resume_reading();
  /// A handler gave (parts of) the request frame `frame` to other threads, which may write and
  /// keep them: this connection never reads a later request into that buffer. io thread only.
  void frame_handed_over(const std::byte* frame) noexcept;

  /// Authentication state (issue 17; handlers/sasl.hpp drives it). On a PLAINTEXT listener
  /// every connection is `authenticated` as User:ANONYMOUS from the start.
  struct auth_state {
    bool authenticated = false;
    std::string principal = "User:ANONYMOUS";
    std::string mechanism;  // of the last successful SaslHandshake
    std::optional<security::sasl_exchange> exchange;  // from SaslHandshake to the last step
    std::optional<std::chrono::steady_clock::time_point> session_end;  // KIP-368
    bool failed = false;  // an authentication failed: the connection is closing
  };
  auth_state& auth() noexcept { return auth_; }

  uint64_t id() const noexcept { return id_; }
  bool is_open() const noexcept { return !closed_; }
  const std::string& peer() const noexcept { return peer_; }
  const std::string& peer_host() const noexcept { return peer_host_; }

 private:
  struct pending {
    int32_t correlation_id = 0;
    int16_t version = 0;
    kafka::api_key key = kafka::api_key::api_versions;
    size_t frame_bytes = 0;
    bool done = false;
    bool running = false;    // dispatched, not answered yet
    bool exclusive = false;  // request_order::exclusive
    std::optional<kafka::wire_writer> out;
  };

  // A decoded request that waits for its turn (an exclusive request ahead of it, or it is
  // exclusive and earlier ones are still running).
  struct waiting_request {
    uint64_t seq;
    kafka::request_header header;
    kafka::request_body body;
    std::shared_ptr<std::byte[]> frame;
    size_t frame_capacity;
  };

  void read_size();
  void start_body();
  void read_body();
  void read_body_chunk();
  void on_frame(std::shared_ptr<std::byte[]> frame, size_t size);
  void dispatch_waiting();
  void flush();
  void write_ready();
  void arm_idle_timer();
  void check_drained();
  /// Why a request of `key` must not be served now (not authenticated yet, session over), or
  /// nullopt to serve it.
  std::optional<std::string> refuse_before_authentication(kafka::api_key key) const;

  listener_core& core_;
  // Reset by close(): a closed connection owns no Asio object, so it may outlive the
  // io_context (reply slots held by actors keep it alive after the listener stopped).
  std::optional<asio::ip::tcp::socket> socket_;
  std::optional<asio::steady_timer> idle_timer_;
  const uint64_t id_;
  std::string peer_;       // "host:port" for logs
  std::string peer_host_;  // for group member descriptions

  std::array<std::byte, 4> size_buf_{};
  size_t want_ = 0;                   // size of the frame being read
  size_t reserved_ = 0;               // budget reserved for it
  size_t got_ = 0;                    // bytes of it read so far
  std::shared_ptr<std::byte[]> frame_;  // being read; uninitialised beyond got_
  size_t frame_capacity_ = 0;           // bytes allocated in frame_
  std::shared_ptr<std::byte[]> spare_;  // spare_frame_bytes, reused by small frames
  bool reading_ = false;              // an async read is outstanding
  bool paused_ = false;               // waiting for budget or in-flight room
  bool draining_ = false;
  bool closed_ = false;
  bool active_since_timer_ = false;   // a complete request arrived since the idle timer armed

  uint64_t next_seq_ = 0;
  std::map<uint64_t, pending> pending_;  // in-flight requests by sequence number
  std::deque<waiting_request> waiting_;  // decoded, not dispatched yet, in arrival order
  size_t running_ = 0;                   // dispatched and not answered
  bool exclusive_running_ = false;
  bool dispatching_ = false;             // inside dispatch_waiting() (handlers may answer at once)
  std::deque<kafka::wire_writer> queued_;   // encoded, in order, not yet being written
  std::deque<kafka::wire_writer> writing_;  // owned by the outstanding async_write
  bool writing_now_ = false;
  auth_state auth_;
};

}  // namespace lkstream::net

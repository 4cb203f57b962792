#pragma once
// What every Kafka API handler gets, and the dispatch from a decoded request to its handler.
//
// One file pair per API (produce.hpp/.cpp, fetch.hpp/.cpp, ...), Redpanda style. The version
// range each handler serves is the row of lkstream/kafka/supported_apis.hpp for its key: the
// codec rejects other versions before dispatch, and each handler branches on ctx.version()
// only where the semantics (not just the layout) differ between versions.
//
// Contract for a handler: runs on the io thread, never blocks (actors are asked through
// listener_core::ask or partition sinks), and calls exactly one of reply.send(...) /
// reply.no_response() exactly once, possibly later from another io-thread callback.

#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "lkstream/kafka/messages.hpp"
#include "lkstream/kafka/request_header.hpp"
#include "net/connection.hpp"
#include "net/listener_core.hpp"

namespace lkstream::net {

struct request_context {
  listener_core& core;
  std::shared_ptr<connection> conn;
  kafka::request_header header;
  // The request's bytes; decoded views (Produce records) point into it. Keep it only on the io
  // thread: the connection reuses a frame buffer once it holds the only reference. A handler
  // that gives parts of it to other threads (Produce: batches to partition actors, which stamp
  // and keep them) calls conn->frame_handed_over() first, so it is never reused.
  std::shared_ptr<const std::byte[]> frame;
  size_t frame_capacity = 0;  // bytes allocated for `frame` (at least the request's size)

  int16_t version() const noexcept { return header.api_version; }
  std::weak_ptr<listener_core> weak_core() const { return core.weak_from_this(); }
};

/// The reply channel of one request: answers in request order through its connection.
class reply_slot {
 public:
  reply_slot(std::shared_ptr<connection> conn, uint64_t seq) : conn_(std::move(conn)), seq_(seq) {}

  template <class Body>
  void send(Body&& body) const {
    conn_->complete(seq_, kafka::response_body{std::forward<Body>(body)});
  }
  /// Produce with acks=0: nothing goes back on the wire.
  void no_response() const { conn_->complete(seq_, std::nullopt); }

 private:
  std::shared_ptr<connection> conn_;
  uint64_t seq_;
};

/// How a request is ordered against the other requests of its connection (Kafka handles a
/// connection's requests one at a time; clients rely on the effects following send order).
///
/// `concurrent`: everything it asks of actors goes through the io thread's single ordered
/// channel (listener_core.hpp), so it reaches each actor behind whatever the connection sent
/// before; it may start while earlier requests are still in flight (Produce pipelining,
/// asynchronous commits, parked Fetches).
///
/// `exclusive`: it changes which topics exist, and the io thread itself reads that (the
/// metadata board) when it dispatches later requests: it starts only once every earlier
/// request of its connection was answered, and later ones start only once it was answered.
enum class request_order { concurrent, exclusive };

/// The order class of a request (on the io thread, at the moment it would be dispatched).
request_order order_of(const listener_core& core, const kafka::request_body& body);

/// Calls the handler of the request's API.
void dispatch(request_context ctx, kafka::request_body body, reply_slot reply);

}  // namespace lkstream::net

#pragma once
// Blocking calls from an application thread to the group manager (embedded consumers, admin).
// Each call is one request/response through a scoped_actor, made inside the engine
// (engine::impl::enter): a call racing close() gets errc::closed, never a destroyed actor
// system; errors from CAF (shutdown) come back as lkstream errors.

#include "engine_impl.hpp"
#include "lkstream/group/group_requests.hpp"

namespace lkstream::actors {

class group_client {
 public:
  explicit group_client(engine::impl& eng) : eng_(eng) {}

  result<group::join_response> join(const group::join_request& rq);
  result<group::sync_response> sync(const group::sync_request& rq);
  result<group::group_error> heartbeat(const group::heartbeat_request& rq);
  result<group::leave_response> leave(const group::leave_request& rq);
  result<group::offset_commit_response> commit(const group::offset_commit_request& rq);
  result<group::offset_fetch_response> fetch_offsets(const group::offset_fetch_request& rq);
  result<group::group_description> describe(const std::string& group_id);
  result<std::vector<group::group_listing>> list();

 private:
  template <class T, class... Ts>
  result<T> ask(Ts&&... xs);

  engine::impl& eng_;
};

}  // namespace lkstream::actors

#pragma once
// Blocking calls from an application thread to the group manager: offset commits and fetches of
// embedded consumers, describe and list for admin. (Membership, join/sync/heartbeat/leave, is the
// consumer member actor's, consumer_member.cpp.)
// Each call is one request/response through a scoped_actor, made inside the engine
// (engine::impl::enter): a call racing close() gets errc::closed, never a destroyed actor
// system; errors from CAF (shutdown) come back as lkstream errors.

#include "engine_impl.hpp"
#include "lkstream/group/group_requests.hpp"

namespace lkstream::actors {

class group_client {
 public:
  explicit group_client(engine::impl& eng) : eng_(eng) {}

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

#include "group_client.hpp"

#include "group/group_api.hpp"

namespace lkstream::actors {

template <class T, class... Ts>
result<T> group_client::ask(Ts&&... xs) {
  auto call = eng_.enter();
  if (!call) return error{errc::closed, "the engine is closed"};
  return blocking_request<T>(*eng_.sys, eng_.groups, std::forward<Ts>(xs)...);
}

result<group::join_response> group_client::join(const group::join_request& rq) {
  return ask<group::join_response>(group::join_group_atom::value, rq);
}

result<group::sync_response> group_client::sync(const group::sync_request& rq) {
  return ask<group::sync_response>(group::sync_group_atom::value, rq);
}

result<group::group_error> group_client::heartbeat(const group::heartbeat_request& rq) {
  return ask<group::group_error>(group::heartbeat_atom::value, rq);
}

result<group::leave_response> group_client::leave(const group::leave_request& rq) {
  return ask<group::leave_response>(group::leave_group_atom::value, rq);
}

result<group::offset_commit_response> group_client::commit(const group::offset_commit_request& rq) {
  return ask<group::offset_commit_response>(group::commit_offsets_atom::value, rq);
}

result<group::offset_fetch_response> group_client::fetch_offsets(
    const group::offset_fetch_request& rq) {
  return ask<group::offset_fetch_response>(group::fetch_offsets_atom::value, rq);
}

result<group::group_description> group_client::describe(const std::string& group_id) {
  return ask<group::group_description>(group::describe_group_atom::value, group_id);
}

result<std::vector<group::group_listing>> group_client::list() {
  return ask<group::group_listing_list>(group::list_groups_atom::value);
}

}  // namespace lkstream::actors

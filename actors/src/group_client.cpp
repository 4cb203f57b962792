#include "group_client.hpp"

#include "group/group_coordinator_api.hpp"

namespace lkstream::actors {
result<group::join_response> group_client::join(const group::join_request& rq) {
  return blocking_request<group::join_response>(sys_, manager_, group::join_group_atom::value, rq);
}

result<group::sync_response> group_client::sync(const group::sync_request& rq) {
  return blocking_request<group::sync_response>(sys_, manager_, group::sync_group_atom::value, rq);
}

result<group::group_error> group_client::heartbeat(const group::heartbeat_request& rq) {
  return blocking_request<group::group_error>(sys_, manager_, group::heartbeat_atom::value, rq);
}

result<group::leave_response> group_client::leave(const group::leave_request& rq) {
  return blocking_request<group::leave_response>(sys_, manager_, group::leave_group_atom::value, rq);
}

result<group::offset_commit_response> group_client::commit(const group::offset_commit_request& rq) {
  return blocking_request<group::offset_commit_response>(sys_, manager_, group::commit_offsets_atom::value, rq);
}

result<group::offset_fetch_response> group_client::fetch_offsets(
    const group::offset_fetch_request& rq) {
  return blocking_request<group::offset_fetch_response>(sys_, manager_, group::fetch_offsets_atom::value, rq);
}

result<group::group_description> group_client::describe(const std::string& group_id) {
  return blocking_request<group::group_description>(sys_, manager_, group::describe_group_atom::value, group_id);
}

result<std::vector<group::group_listing>> group_client::list() {
  return blocking_request<group::group_listing_list>(sys_, manager_, group::list_groups_atom::value);
}

}  // namespace lkstream::actors

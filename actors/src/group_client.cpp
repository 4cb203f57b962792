#include "group_client.hpp"

#include "group/group_api.hpp"

namespace lkstream::actors {

template <class T, class... Ts>
result<T> group_client::ask(Ts&&... xs) {
  auto call = eng_.enter();
  if (!call) return error{errc::closed, "the engine is closed"};
  return eng_.ask<T>(eng_.groups, std::forward<Ts>(xs)...);
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

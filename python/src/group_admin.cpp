#include "group_admin.hpp"

#include "engine_impl.hpp"
#include "group_client.hpp"

namespace lkstream::python {

namespace {

result<actors::group_client> client(engine& eng) {
  auto& im = eng.internals();
  if (im.closed || !im.sys) return error{errc::closed, "the engine is closed"};
  return actors::group_client{*im.sys, im.groups};
}

}  // namespace

result<std::vector<group::group_listing>> list_groups(engine& eng) {
  LK_ASSIGN_OR_RETURN(auto c, client(eng));
  return c.list();
}

result<group::group_description> describe_group(engine& eng, const std::string& group_id) {
  LK_ASSIGN_OR_RETURN(auto c, client(eng));
  return c.describe(group_id);
}

result<group::offset_fetch_response> group_offsets(engine& eng, const std::string& group_id) {
  LK_ASSIGN_OR_RETURN(auto c, client(eng));
  return c.fetch_offsets({group_id, std::nullopt});
}

}  // namespace lkstream::python

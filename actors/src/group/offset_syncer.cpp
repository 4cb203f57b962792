#include "group/offset_syncer.hpp"

#include <string>

namespace lkstream::group {

caf::behavior offset_syncer(caf::event_based_actor* self) {
  self->set_default_handler(caf::drop);
  return {
    [](offset_sync_atom, const offset_store::sync_job& job) -> caf::result<int32_t, std::string> {
      if (!job.file)
        return {static_cast<int32_t>(errc::invalid_argument), "offset sync job without a file"};
      auto st = job.file->sync();
      if (st) return {static_cast<int32_t>(errc::ok), std::string{}};
      return {static_cast<int32_t>(st.code()), st.err().message};
    },
  };
}

}  // namespace lkstream::group

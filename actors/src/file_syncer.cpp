#include "file_syncer.hpp"
#include "messages.hpp"

#include <string>

namespace lkstream::actors {

file_syncer_actor::behavior_type file_syncer(file_syncer_actor::pointer self) {
  self->set_default_handler(log_unexpected_message);
  return {
      [](file_sync_atom, const std::shared_ptr<storage::file>& f)
          -> caf::result<int32_t, std::string> {
        if (!f) return {static_cast<int32_t>(errc::invalid_argument), "sync job without a file"};
        auto st = f->sync();
        if (st) return {static_cast<int32_t>(errc::ok), std::string{}};
        return {static_cast<int32_t>(st.code()), st.err().message};
      },
  };
}

}  // namespace lkstream::actors

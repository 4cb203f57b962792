// A working SDK connector whose descriptor name ("someone_else") does not match the file it is
// built into (liblkstream_misnamed.so): the loader must refuse it.
#include "lkstream/plugin/sdk.hpp"

namespace {

class someone_else final : public lkstream::plugin::sink {
 public:
  static constexpr const char* name = "someone_else";
  static constexpr const char* description = "misnamed on purpose (tests)";
  using sink::sink;
  lkstream::plugin::status write(std::span<const lks_record>) override {
    return lkstream::plugin::ok();
  }
  lkstream::plugin::status flush() override { return lkstream::plugin::ok(); }
};

}  // namespace

LKSTREAM_CONNECTOR(someone_else)

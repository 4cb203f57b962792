// A source that fails on purpose, for the restart tests: every instance appends
// "<now_ms>\n" to <state_dir>/attempts.log when it starts, emits `fail_after` records
// ("ok-<n>"), then fails the way `mode` says:
//   retry   poll returns LKS_ERR_RETRY "flaky_source: injected failure <n>"
//   throw   poll throws std::runtime_error (the SDK reports "unhandled exception: ...")
//   config  start returns LKS_ERR_CONFIG (never restarted)
//   fatal   poll returns LKS_ERR_FATAL (never restarted)
#include <fstream>
#include <stdexcept>

#include "lkstream/plugin/sdk.hpp"

namespace {

namespace lp = lkstream::plugin;

class flaky_source final : public lp::source {
 public:
  static constexpr const char* name = "flaky_source";
  static constexpr const char* description = "fails on purpose (tests)";
  static constexpr lks_config_field schema[] = {
      lp::one_of("mode", "retry|throw|config|fatal", "retry", "how to fail"),
      lp::optional("fail_after", LKS_CONFIG_INT, "0", "records to emit before failing"),
  };

  explicit flaky_source(lp::host h)
      : source(h), mode_(h.get_string("mode")), fail_after_(h.get_int("fail_after")) {}

  lp::status start() override {
    std::ofstream(host().state_dir() + "/attempts.log", std::ios::app)
        << host().now_ms() << "\n";
    if (mode_ == "config") return lp::config_error("flaky_source: injected config error");
    return lp::ok();
  }

  lp::status poll(std::chrono::milliseconds) override {
    if (emitted_ < fail_after_) {
      std::string v = "ok-" + std::to_string(emitted_++);
      lks_record r = lp::make_record(v);
      return host().emit({&r, 1}, static_cast<uint64_t>(emitted_));
    }
    std::string what = "flaky_source: injected failure after " + std::to_string(emitted_);
    if (mode_ == "throw") throw std::runtime_error(what);
    if (mode_ == "fatal") return lp::fatal(what);
    return lp::retry(what);
  }

 private:
  std::string mode_;
  int64_t fail_after_;
  int64_t emitted_ = 0;
};

}  // namespace

LKSTREAM_CONNECTOR(flaky_source)

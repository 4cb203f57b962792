// docs/connectors.md's "a source in under 50 lines": counts down from `from` to 1, one record
// per number, and remembers in its state directory how far the durable records got, so a
// restart continues where it stopped. Built and run by the tests so the text stays true.
#include <cstdio>
#include <fstream>
#include <string>

#include "lkstream/plugin/sdk.hpp"

namespace lp = lkstream::plugin;

class countdown_source final : public lp::source {
 public:
  static constexpr const char* name = "countdown_source";  // liblkstream_countdown_source.so
  static constexpr const char* description = "counts down to 1, one record per number";
  static constexpr lks_config_field schema[] = {
      lp::optional("from", LKS_CONFIG_INT, "10", "the first number"),
  };

  explicit countdown_source(lp::host h) : source(h), next_(h.get_int("from")) {}

  lp::status start() override {  // resume below the last number that was stored
    std::ifstream in(position_file());
    if (int64_t stored; in >> stored) next_ = stored - 1;
    return lp::ok();
  }

  lp::status poll(std::chrono::milliseconds) override {
    if (next_ < 1) return lp::end_of_input();
    const std::string value = std::to_string(next_);
    lks_record r = lp::make_record(value, "countdown");
    return host().emit({&r, 1}, static_cast<uint64_t>(next_--));  // token: the number
  }

  void ack(uint64_t number) override {  // durable: remember it (write + rename is atomic)
    std::ofstream(position_file() + ".tmp") << number;
    std::rename((position_file() + ".tmp").c_str(), position_file().c_str());
  }

 private:
  std::string position_file() const { return host().state_dir() + "/position"; }
  int64_t next_;
};

LKSTREAM_CONNECTOR(countdown_source)

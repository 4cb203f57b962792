// The README's "a connector in under 50 lines" example (plugins/README.md), built and run by
// the tests so the text stays true: prints each record's value to standard output.
#include <cstdio>
#include <string>

#include "lkstream/plugin/sdk.hpp"

namespace lp = lkstream::plugin;

class stdout_sink final : public lp::sink {
 public:
  static constexpr const char* name = "stdout_sink";  // built as liblkstream_stdout_sink.so
  static constexpr const char* description = "prints record values to standard output";
  static constexpr lks_config_field schema[] = {
      lp::optional("prefix", LKS_CONFIG_STRING, "", "text printed before every value"),
      lp::optional("show_offsets", LKS_CONFIG_BOOL, "false", "print topic-partition@offset"),
  };

  explicit stdout_sink(lp::host h)
      : sink(h), prefix_(h.get_string("prefix")), offsets_(h.get_bool("show_offsets")) {}

  lp::status write(std::span<const lks_record> records) override {
    for (const lks_record& r : records) {
      std::string line = prefix_;
      if (offsets_)
        line += std::string(lp::topic_of(r)) + "-" + std::to_string(r.partition) + "@" +
                std::to_string(r.offset) + " ";
      line += lp::value_of(r).value_or("(null)");
      line += '\n';
      if (std::fwrite(line.data(), 1, line.size(), stdout) != line.size())
        return lp::retry("cannot write to standard output");
    }
    return lp::ok();
  }

  // Called before the host commits the position: nothing may stay buffered.
  lp::status flush() override {
    return std::fflush(stdout) == 0 ? lp::ok() : lp::retry("cannot flush standard output");
  }

 private:
  std::string prefix_;
  bool offsets_;
};

LKSTREAM_CONNECTOR(stdout_sink)

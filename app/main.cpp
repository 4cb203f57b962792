// The `lkstream` executable: the composition root. It owns nothing but the command table;
// every command lives in its own file and talks to the engine through the public API.

#include <iostream>
#include <string_view>
#include <vector>

#include "cli.hpp"
#include "serve_command.hpp"

namespace {

lkstream::app::command_spec version_command() {
  return {
      .name = "version",
      .summary = "print the version",
      .synopsis = "version",
      .description = {},
      .flags = {},
      .max_positional = 0,
      .run =
          [](const lkstream::app::parsed_args&) {
            std::cout << "lkstream " << LKSTREAM_VERSION << "\n";
            return lkstream::app::exit_ok;
          },
  };
}

}  // namespace

int main(int argc, char** argv) {
  const std::vector<lkstream::app::command_spec> commands{lkstream::app::serve_command(),
                                                          version_command()};
  std::vector<std::string_view> args(argv + 1, argv + argc);
  return lkstream::app::dispatch("lkstream", commands, args);
}

// The `lkstream` executable: the composition root. It owns nothing but the command table;
// every command lives in its own file and talks to the engine through the public API.

#include <iostream>
#include <string_view>
#include <vector>

#include "cli.hpp"
#include "connector_command.hpp"
#include "consume_command.hpp"
#include "group_command.hpp"
#include "migrate_command.hpp"
#include "produce_command.hpp"
#include "serve_command.hpp"
#include "topic_command.hpp"
#include "user_command.hpp"

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
  namespace app = lkstream::app;
  // One command per line; the order is the order of `lkstream --help`.
  // clang-format off
  const std::vector<app::command_spec> commands{
      app::serve_command(),
      app::topic_command(),
      app::produce_command(),
      app::consume_command(),
      app::group_command(),
      app::migrate_command(),
      app::user_command(),
      app::connector_command(),
      version_command(),
  };
  // clang-format on
  std::vector<std::string_view> args(argv + 1, argv + argc);
  return app::dispatch("lkstream", commands, args);
}

#pragma once
// The command-line surface of the `lkstream` executable: a table of commands, each with its
// flags, and a small parser that turns argv into (command, flag values). A command is added by
// appending a command_spec to the table in main.cpp; the parser and the usage text need no
// change.
//
// Syntax: `lkstream <command> [<subcommand>]... [--flag VALUE | --flag=VALUE | --switch]...
// [ARG]...`. A command either runs (`run`) or groups subcommands (`subcommands`, e.g.
// `lkstream topic create`), each with its own flags, synopsis and --help; groups nest.
// `-h`/`--help` is accepted by every command and group. Flags may appear once; the last wins
// otherwise. Flags shared by several subcommands (e.g. --bootstrap) are listed in each one's
// `flags`: build them with a helper function in the command's file.
//
// Exit codes used by every command (kept here so tests and scripts can rely on them):
//   0 success, 1 runtime failure (bad configuration, locked data directory, I/O),
//   2 usage error (unknown command or flag, missing or malformed flag value).
// Errors never throw: parse() returns errc::invalid_argument with a message for people.

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "lkstream/base/result.hpp"

namespace lkstream::app {

inline constexpr int exit_ok = 0;
inline constexpr int exit_failure = 1;
inline constexpr int exit_usage = 2;

struct flag_spec {
  std::string_view name;        // without dashes: "data-dir"
  std::string_view value_name;  // "DIR"; empty = a switch that takes no value
  std::string_view help;        // one line
};

/// What a command received: flag values by name (switches map to "") and positional args.
struct parsed_args {
  std::map<std::string, std::string, std::less<>> flags;
  std::vector<std::string> positional;
  bool help = false;  // -h / --help was given
  // Set by dispatch, for error messages and the "try --help" hint: the program name
  // ("lkstream") and the words that selected the command ("lkstream topic create").
  std::string program;
  std::string command_path;

  bool has(std::string_view flag) const { return flags.find(flag) != flags.end(); }
  std::optional<std::string> get(std::string_view flag) const;

  /// The flag's value as a decimal integer in [min, max]; nullopt when the flag is absent;
  /// invalid_argument naming the flag when it is not a whole number in range.
  result<std::optional<int64_t>> get_int(std::string_view flag, int64_t min, int64_t max) const;

  /// Prints "<program>: <message>" and the "Try '<command_path> --help'." hint on stderr and
  /// returns exit_usage: for a command's own checks of flag values and combinations.
  int usage_error(std::string_view message) const;

  /// Prints "<program>: <message>" on stderr and returns exit_failure.
  int failure(std::string_view message) const;
};

struct command_spec {
  std::string_view name;         // "serve", or "create" for a subcommand of "topic"
  std::string_view summary;      // one line for the command list
  std::string_view synopsis;     // "serve [--config FILE] ..." (after the program name; for a
                                 // subcommand the full path: "topic create TOPIC ...")
  std::string_view description;  // a paragraph for `<command> --help`, may be empty
  std::vector<flag_spec> flags;
  size_t max_positional = 0;
  std::function<int(const parsed_args&)> run;  // unused when `subcommands` is not empty
  // A command group: the next argument names one of these (each parsed with its own flags).
  std::vector<command_spec> subcommands;
  size_t min_positional = 0;  // fewer positional arguments is a usage error
};

/// Parses the arguments that follow the command name against its flags.
/// invalid_argument for an unknown flag, a missing value or too many positional arguments.
result<parsed_args> parse(const command_spec& cmd, std::span<const std::string_view> args);

/// `lkstream <command> --help`: synopsis, description and one line per flag.
std::string command_usage(std::string_view program, const command_spec& cmd);

/// `lkstream --help`: the command list.
std::string program_usage(std::string_view program, std::span<const command_spec> commands);

/// `lkstream topic --help` for a command group: its description and subcommand list.
std::string group_usage(std::string_view program, const command_spec& group);

/// Runs the program: argv[1] selects the command (argv[2] the subcommand of a group, and so
/// on). Prints usage or errors itself (errors on stderr, prefixed with the program name,
/// followed by a "try --help" hint) and returns the process exit code.
int dispatch(std::string_view program, std::span<const command_spec> commands,
             std::span<const std::string_view> args);

}  // namespace lkstream::app

#include "cli.hpp"

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <iostream>

namespace lkstream::app {

std::optional<std::string> parsed_args::get(std::string_view flag) const {
  auto i = flags.find(flag);
  if (i == flags.end()) return std::nullopt;
  return i->second;
}

result<std::optional<int64_t>> parsed_args::get_int(std::string_view flag, int64_t min,
                                                    int64_t max) const {
  auto v = get(flag);
  if (!v) return std::optional<int64_t>{};
  int64_t n = 0;
  auto [end, ec] = std::from_chars(v->data(), v->data() + v->size(), n);
  if (ec != std::errc{} || end != v->data() + v->size() || n < min || n > max)
    return error{errc::invalid_argument, "invalid value '" + *v + "' for --" + std::string(flag) +
                                             ": expected a whole number from " +
                                             std::to_string(min) + " to " + std::to_string(max)};
  return std::optional<int64_t>{n};
}

int parsed_args::usage_error(std::string_view message) const {
  std::cerr << program << ": " << message << "\n";
  std::cerr << "Try '" << command_path << " --help'.\n";
  return exit_usage;
}

int parsed_args::failure(std::string_view message) const {
  std::cerr << program << ": " << message << std::endl;
  return exit_failure;
}

namespace {

/// `text` as lines of at most `width` columns, broken at spaces.
std::string wrap(std::string_view text, size_t width = 96) {
  std::string out, line;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find(' ', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view word = text.substr(start, end - start);
    if (!line.empty() && line.size() + 1 + word.size() > width) {
      out += line + "\n";
      line.clear();
    }
    if (!line.empty()) line += ' ';
    line += word;
    start = end + 1;
  }
  return out + line;
}

const flag_spec* find_flag(const command_spec& cmd, std::string_view name) {
  for (auto& f : cmd.flags)
    if (f.name == name) return &f;
  return nullptr;
}

}  // namespace

result<parsed_args> parse(const command_spec& cmd, std::span<const std::string_view> args) {
  parsed_args out;
  for (size_t i = 0; i < args.size(); ++i) {
    std::string_view a = args[i];
    if (a == "-h" || a == "--help") {
      out.help = true;
      continue;
    }
    if (a == "--") {  // everything after is positional
      for (++i; i < args.size(); ++i) out.positional.emplace_back(args[i]);
      break;
    }
    if (a.size() > 2 && a.starts_with("--")) {
      std::string_view name = a.substr(2);
      std::optional<std::string_view> inline_value;
      if (auto eq = name.find('='); eq != std::string_view::npos) {
        inline_value = name.substr(eq + 1);
        name = name.substr(0, eq);
      }
      const flag_spec* f = find_flag(cmd, name);
      if (!f)
        return error{errc::invalid_argument, "unknown flag '--" + std::string(name) + "' for '" +
                                                 std::string(cmd.name) + "'"};
      if (f->value_name.empty()) {
        if (inline_value)
          return error{errc::invalid_argument, "flag '--" + std::string(name) + "' takes no value"};
        out.flags[std::string(name)] = "";
        continue;
      }
      if (!inline_value) {
        // A following token that is itself a flag is not taken as the value: `--config --x`
        // almost always means the value was forgotten.
        if (i + 1 >= args.size() || (args[i + 1].starts_with("--") && args[i + 1].size() > 2))
          return error{errc::invalid_argument, "flag '--" + std::string(name) +
                                                   "' needs a value (" +
                                                   std::string(f->value_name) + ")"};
        inline_value = args[++i];
      }
      if (inline_value->empty())
        return error{errc::invalid_argument, "flag '--" + std::string(name) +
                                                 "' needs a non-empty value (" +
                                                 std::string(f->value_name) + ")"};
      out.flags[std::string(name)] = std::string(*inline_value);
      continue;
    }
    if (a.size() > 1 && a.starts_with("-"))
      return error{errc::invalid_argument,
                   "unknown option '" + std::string(a) + "' for '" + std::string(cmd.name) + "'"};
    if (out.positional.size() >= cmd.max_positional)
      return error{errc::invalid_argument, "unexpected argument '" + std::string(a) + "' for '" +
                                               std::string(cmd.name) + "'"};
    out.positional.emplace_back(a);
  }
  if (!out.help && out.positional.size() < cmd.min_positional)
    return error{errc::invalid_argument, "missing argument for '" + std::string(cmd.name) +
                                             "' (usage: " + std::string(cmd.synopsis) + ")"};
  return out;
}

std::string command_usage(std::string_view program, const command_spec& cmd) {
  std::string s = "usage: " + std::string(program) + " " + std::string(cmd.synopsis) + "\n";
  if (!cmd.description.empty()) s += "\n" + wrap(cmd.description) + "\n";
  size_t width = 10;  // "-h, --help"
  for (auto& f : cmd.flags)
    width =
        std::max(width, 2 + f.name.size() + (f.value_name.empty() ? 0 : 1 + f.value_name.size()));
  auto line = [&](std::string left, std::string_view help) {
    left.resize(width, ' ');
    s += "  " + left + "  " + std::string(help) + "\n";
  };
  s += "\nflags:\n";
  for (auto& f : cmd.flags) {
    std::string left = "--" + std::string(f.name);
    if (!f.value_name.empty()) left += " " + std::string(f.value_name);
    line(left, f.help);
  }
  line("-h, --help", "show this help");
  return s;
}

std::string program_usage(std::string_view program, std::span<const command_spec> commands) {
  std::string s = "usage: " + std::string(program) + " <command> [flags]\n\ncommands:\n";
  size_t width = 0;
  for (auto& c : commands) width = std::max(width, c.name.size());
  for (auto& c : commands) {
    std::string name(c.name);
    name.resize(width, ' ');
    s += "  " + name + "  " + std::string(c.summary) + "\n";
  }
  s += "\nRun '" + std::string(program) + " <command> --help' for the flags of a command.\n";
  return s;
}

std::string group_usage(std::string_view program, const command_spec& group) {
  std::string s = "usage: " + std::string(program) + " " + std::string(group.synopsis) + "\n";
  if (!group.description.empty()) s += "\n" + wrap(group.description) + "\n";
  s += "\nsubcommands:\n";
  size_t width = 0;
  for (auto& c : group.subcommands) width = std::max(width, c.name.size());
  for (auto& c : group.subcommands) {
    std::string name(c.name);
    name.resize(width, ' ');
    s += "  " + name + "  " + std::string(c.summary) + "\n";
  }
  return s;
}

namespace {

int usage_error(std::string_view program, const std::string& msg, std::string_view hint_path) {
  std::cerr << program << ": " << msg << "\n";
  std::cerr << "Try '" << hint_path << " --help'.\n";
  return exit_usage;
}

bool is_help(std::string_view a) {
  return a == "-h" || a == "--help" || a == "help";
}

/// Runs `cmd`, selected by the words in `path`, with the arguments that follow them.
int run_command(std::string_view program, const std::string& path, const command_spec& cmd,
                std::span<const std::string_view> args) {
  if (!cmd.subcommands.empty()) {
    if (args.empty()) {
      std::cerr << group_usage(program, cmd);
      std::cerr << "\nRun '" << path << " <subcommand> --help' for its flags.\n";
      return exit_usage;
    }
    if (is_help(args[0])) {
      std::cout << group_usage(program, cmd);
      std::cout << "\nRun '" << path << " <subcommand> --help' for its flags.\n";
      return exit_ok;
    }
    auto sub = std::find_if(cmd.subcommands.begin(), cmd.subcommands.end(),
                            [&](const command_spec& c) { return c.name == args[0]; });
    if (sub == cmd.subcommands.end())
      return usage_error(program,
                         (args[0].starts_with("-") ? "unknown option '" : "unknown subcommand '") +
                             std::string(args[0]) + "' for '" + std::string(cmd.name) + "'",
                         path);
    return run_command(program, path + " " + std::string(sub->name), *sub, args.subspan(1));
  }
  auto parsed = parse(cmd, args);
  if (!parsed) return usage_error(program, parsed.err().message, path);
  if (parsed->help) {
    std::cout << command_usage(program, cmd);
    return exit_ok;
  }
  parsed->program = std::string(program);
  parsed->command_path = path;
  return cmd.run(*parsed);
}

}  // namespace

int dispatch(std::string_view program, std::span<const command_spec> commands,
             std::span<const std::string_view> args) {
  if (args.empty()) {
    std::cerr << program_usage(program, commands);
    return exit_usage;
  }
  std::string_view name = args[0];
  if (is_help(name)) {
    std::cout << program_usage(program, commands);
    return exit_ok;
  }
  auto cmd = std::find_if(commands.begin(), commands.end(),
                          [&](const command_spec& c) { return c.name == name; });
  if (cmd == commands.end()) {
    if (name.starts_with("-"))
      return usage_error(program, "unknown option '" + std::string(name) + "'", program);
    return usage_error(program, "unknown command '" + std::string(name) + "'", program);
  }
  return run_command(program, std::string(program) + " " + std::string(cmd->name), *cmd,
                     args.subspan(1));
}

}  // namespace lkstream::app

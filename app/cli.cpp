#include "cli.hpp"

#include <algorithm>
#include <cstdio>
#include <iostream>

namespace lkstream::app {

std::optional<std::string> parsed_args::get(std::string_view flag) const {
  auto i = flags.find(flag);
  if (i == flags.end()) return std::nullopt;
  return i->second;
}

namespace {

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
  return out;
}

std::string command_usage(std::string_view program, const command_spec& cmd) {
  std::string s = "usage: " + std::string(program) + " " + std::string(cmd.synopsis) + "\n";
  if (!cmd.description.empty()) s += "\n" + std::string(cmd.description) + "\n";
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

int dispatch(std::string_view program, std::span<const command_spec> commands,
             std::span<const std::string_view> args) {
  auto usage_error = [&](const std::string& msg, std::string_view hint_cmd) {
    std::cerr << program << ": " << msg << "\n";
    std::cerr << "Try '" << program << (hint_cmd.empty() ? "" : " ") << hint_cmd << " --help'.\n";
    return exit_usage;
  };
  if (args.empty()) {
    std::cerr << program_usage(program, commands);
    return exit_usage;
  }
  std::string_view name = args[0];
  if (name == "-h" || name == "--help" || name == "help") {
    std::cout << program_usage(program, commands);
    return exit_ok;
  }
  auto cmd = std::find_if(commands.begin(), commands.end(),
                          [&](const command_spec& c) { return c.name == name; });
  if (cmd == commands.end()) {
    if (name.starts_with("-")) return usage_error("unknown option '" + std::string(name) + "'", "");
    return usage_error("unknown command '" + std::string(name) + "'", "");
  }
  auto parsed = parse(*cmd, args.subspan(1));
  if (!parsed) return usage_error(parsed.err().message, cmd->name);
  if (parsed->help) {
    std::cout << command_usage(program, *cmd);
    return exit_ok;
  }
  return cmd->run(*parsed);
}

}  // namespace lkstream::app

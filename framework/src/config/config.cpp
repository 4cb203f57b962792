#include "lkstream/config/config.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <exception>
#include <memory>

#include <toml++/toml.h>

#include "config_parser.hpp"

namespace lkstream::config {

config defaults() {
  config c;
  c.source = "<defaults>";
  return c;
}

result<config> parse(std::string_view toml_text, std::string_view source_name) {
  std::string source(source_name);
  // toml++ is built with exceptions (Debian's shared library); nothing may leave this function.
  try {
    toml::table root;
    try {
      root = toml::parse(toml_text, std::string_view(source));
    } catch (const toml::parse_error& e) {
      diagnostics diag(source);
      const auto& begin = e.source().begin;
      diag.add({std::max(begin.line, 1u), std::max(begin.column, 1u)}, "",
               "TOML syntax error: " + std::string(e.description()));
      return diag.to_error();
    }
    return config_parser(source).parse(root);
  } catch (const std::exception& e) {  // e.g. std::bad_alloc
    return error{errc::config_error, source + ": " + e.what()};
  }
}

result<config> load_file(const std::string& path) {
  auto close = [](std::FILE* f) { std::fclose(f); };
  std::unique_ptr<std::FILE, decltype(close)> file(std::fopen(path.c_str(), "rb"), close);
  if (!file)
    return error{errc::io_error,
                 "cannot open config file " + path + ": " + std::strerror(errno)};
  std::string text;
  char buffer[16384];
  size_t n = 0;
  while ((n = std::fread(buffer, 1, sizeof buffer, file.get())) > 0) text.append(buffer, n);
  if (std::ferror(file.get()))
    return error{errc::io_error,
                 "cannot read config file " + path + ": " + std::strerror(errno)};
  return parse(text, path);
}

}  // namespace lkstream::config

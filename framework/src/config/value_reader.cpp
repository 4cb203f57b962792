#include "value_reader.hpp"

#include <charconv>
#include <cstdio>

#include "lkstream/config/units.hpp"

namespace lkstream::config {

namespace {

constexpr std::string_view size_form = "a size (bytes as an integer, or a string like \"64MiB\")";
constexpr std::string_view duration_form =
    "a duration (milliseconds as an integer, or a string like \"7d\", \"30s\", \"250ms\")";

}  // namespace

std::string quoted(std::string_view s) {
  constexpr size_t max_shown = 80;
  std::string out = "\"";
  for (size_t i = 0; i < s.size() && i < max_shown; ++i) {
    auto c = static_cast<unsigned char>(s[i]);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c < 0x20 || c == 0x7f) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04X", c);
      out += buf;
    } else {
      out += static_cast<char>(c);
    }
  }
  if (s.size() > max_shown) out += "...";
  return out + "\"";
}

namespace {

std::string format_float(double d) {
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, d);
  return ec == std::errc{} ? std::string(buf, end) : std::string("nan");
}

}  // namespace

position position_of(const toml::node& node) {
  const auto& b = node.source().begin;
  return {b.line, b.column};
}

position position_of(const toml::key& key) {
  const auto& b = key.source().begin;
  return {b.line, b.column};
}

std::string describe(const toml::node& node) {
  switch (node.type()) {
    case toml::node_type::string: return quoted(node.as_string()->get());
    case toml::node_type::integer: return "integer " + std::to_string(node.as_integer()->get());
    case toml::node_type::floating_point:
      return "float " + format_float(node.as_floating_point()->get());
    case toml::node_type::boolean:
      return std::string("boolean ") + (node.as_boolean()->get() ? "true" : "false");
    case toml::node_type::date: return "a date";
    case toml::node_type::time: return "a time";
    case toml::node_type::date_time: return "a date-time";
    case toml::node_type::array: return "an array";
    case toml::node_type::table: return "a table";
    case toml::node_type::none: break;
  }
  return "nothing";
}

std::string join_path(std::string_view parent, std::string_view key) {
  bool bare = !key.empty();
  for (char c : key)
    bare = bare && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '_' || c == '-');
  std::string out(parent);
  if (!out.empty()) out += '.';
  out += bare ? std::string(key) : quoted(key);
  return out;
}

void value_reader::fail(std::string_view what) { diag_.add(position_of(node_), path_, what); }

std::optional<bool> value_reader::boolean() {
  if (auto b = node_.as_boolean()) return b->get();
  fail("expected a boolean (true or false), got " + describe(node_));
  return std::nullopt;
}

std::optional<int64_t> value_reader::integer(int64_t min, int64_t max) {
  auto i = node_.as_integer();
  if (i && i->get() >= min && i->get() <= max) return i->get();
  fail("expected an integer in " + std::to_string(min) + ".." + std::to_string(max) + ", got " +
       describe(node_));
  return std::nullopt;
}

std::optional<double> value_reader::ratio() {
  std::optional<double> v;
  if (auto f = node_.as_floating_point()) v = f->get();
  else if (auto i = node_.as_integer()) v = static_cast<double>(i->get());
  if (v && *v >= 0.0 && *v <= 1.0) return v;  // NaN fails both comparisons
  fail("expected a number in 0..1, got " + describe(node_));
  return std::nullopt;
}

std::optional<std::string> value_reader::string() {
  if (auto s = node_.as_string()) return s->get();
  fail("expected a string, got " + describe(node_));
  return std::nullopt;
}

std::optional<uint64_t> value_reader::checked_size(uint64_t value, uint64_t min, uint64_t max) {
  if (value < min) {
    fail("expected a size of at least " + format_size(min) + ", got " + describe(node_));
  } else if (value > max) {
    fail("expected a size of at most " + format_size(max) + ", got " + describe(node_));
  } else {
    return value;
  }
  return std::nullopt;
}

std::optional<uint64_t> value_reader::size(uint64_t min, uint64_t max) {
  if (auto i = node_.as_integer()) {
    if (i->get() < 0) {
      fail("expected " + std::string(size_form) + ", got " + describe(node_));
      return std::nullopt;
    }
    return checked_size(static_cast<uint64_t>(i->get()), min, max);
  }
  if (auto s = node_.as_string()) {
    auto parsed = parse_size(s->get());
    if (!parsed) {
      fail(parsed.err().message);
      return std::nullopt;
    }
    return checked_size(*parsed, min, max);
  }
  fail("expected " + std::string(size_form) + ", got " + describe(node_));
  return std::nullopt;
}

std::optional<int64_t> value_reader::size_or_unlimited(uint64_t min, uint64_t max) {
  if (auto i = node_.as_integer(); i && i->get() == -1) return int64_t{-1};
  if (auto s = node_.as_string()) {
    std::string_view t = s->get();
    if (t == "-1" || t == "forever" || t == "unlimited") return int64_t{-1};
  }
  auto v = size(min, max);
  if (!v) return std::nullopt;
  return static_cast<int64_t>(*v);
}

std::optional<int64_t> value_reader::duration(int64_t min, bool allow_forever) {
  std::optional<int64_t> ms;
  if (auto i = node_.as_integer()) {
    ms = i->get();
  } else if (auto s = node_.as_string()) {
    auto parsed = parse_duration_ms(s->get());
    if (!parsed) {
      fail(parsed.err().message);
      return std::nullopt;
    }
    ms = *parsed;
  } else {
    fail("expected " + std::string(duration_form) + ", got " + describe(node_));
    return std::nullopt;
  }
  if (*ms == -1 && allow_forever) return ms;
  if (*ms < min) {
    std::string what = "expected a duration of at least " + format_duration_ms(min);
    what += allow_forever ? " or -1 / \"forever\"" : " (no \"forever\" here)";
    fail(what + ", got " + describe(node_));
    return std::nullopt;
  }
  return ms;
}

std::optional<size_t> value_reader::one_of(std::span<const std::string_view> choices) {
  if (auto s = node_.as_string()) {
    for (size_t i = 0; i < choices.size(); ++i)
      if (s->get() == choices[i]) return i;
  }
  std::string what = "expected one of ";
  for (size_t i = 0; i < choices.size(); ++i) {
    if (i > 0) what += ", ";
    what += quoted(choices[i]);
  }
  fail(what + ", got " + describe(node_));
  return std::nullopt;
}

std::optional<std::vector<std::string>> value_reader::string_array() {
  auto arr = node_.as_array();
  if (!arr) {
    fail("expected an array of strings, got " + describe(node_));
    return std::nullopt;
  }
  std::vector<std::string> out;
  bool ok = true;
  for (size_t i = 0; i < arr->size(); ++i) {
    const toml::node& element = *arr->get(i);
    if (auto s = element.as_string()) {
      out.push_back(s->get());
    } else {
      diag_.add(position_of(element), path_ + "[" + std::to_string(i) + "]",
                "expected a string, got " + describe(element));
      ok = false;
    }
  }
  if (!ok) return std::nullopt;
  return out;
}

std::optional<std::string> value_reader::scalar_text() {
  switch (node_.type()) {
    case toml::node_type::string: return node_.as_string()->get();
    case toml::node_type::integer: return std::to_string(node_.as_integer()->get());
    case toml::node_type::floating_point: return format_float(node_.as_floating_point()->get());
    case toml::node_type::boolean: return node_.as_boolean()->get() ? "true" : "false";
    default: break;
  }
  fail("expected a string, integer, float or boolean, got " + describe(node_));
  return std::nullopt;
}

}  // namespace lkstream::config

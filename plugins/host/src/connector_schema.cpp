#include "lkstream/plugin_host/connector_schema.hpp"

#include <cctype>
#include <charconv>
#include <set>

#include "lkstream/config/units.hpp"

namespace lkstream::plugin_host {
namespace {

std::string quoted(std::string_view s) { return "\"" + std::string(s) + "\""; }

bool valid_key(std::string_view key) {
  if (key.empty()) return false;
  for (char c : key)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-'))
      return false;
  return true;
}

// A schema key: a plain key, or (ABI 1.1) a pattern "prefix*" whose prefix is a plain key or
// empty.
bool valid_schema_key(std::string_view key) {
  if (key.ends_with('*')) {
    key.remove_suffix(1);
    return key.empty() || valid_key(key);
  }
  return valid_key(key);
}

std::vector<std::string> split_choices(const char* choices) {
  std::vector<std::string> out;
  if (!choices) return out;
  std::string_view rest(choices);
  while (!rest.empty()) {
    auto bar = rest.find('|');
    auto word = rest.substr(0, bar);
    if (!word.empty()) out.emplace_back(word);
    if (bar == std::string_view::npos) break;
    rest.remove_prefix(bar + 1);
  }
  return out;
}

std::string join(const std::vector<std::string>& words, std::string_view sep) {
  std::string out;
  for (auto& w : words) {
    if (!out.empty()) out += sep;
    out += w;
  }
  return out;
}

template <class T>
bool parse_whole(std::string_view text, T& out) {
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc{} && end == text.data() + text.size() && !text.empty();
}

}  // namespace

std::string_view to_string(lks_config_type type) {
  switch (type) {
    case LKS_CONFIG_STRING: return "string";
    case LKS_CONFIG_INT: return "int";
    case LKS_CONFIG_BOOL: return "bool";
    case LKS_CONFIG_DOUBLE: return "double";
    case LKS_CONFIG_SIZE: return "size";
    case LKS_CONFIG_DURATION: return "duration";
    case LKS_CONFIG_ENUM: return "enum";
  }
  return "unknown";
}

result<setting_value> parse_setting(lks_config_type type, std::string_view text,
                                    const std::vector<std::string>& choices) {
  setting_value v;
  v.type = type;
  v.text = std::string(text);
  auto expected = [&](std::string_view what) {
    return error{errc::config_error, "expected " + std::string(what) + ", got " + quoted(text)};
  };
  switch (type) {
    case LKS_CONFIG_STRING:
      return v;
    case LKS_CONFIG_INT:
      if (!parse_whole(text, v.integer)) return expected("an integer");
      v.number = static_cast<double>(v.integer);
      return v;
    case LKS_CONFIG_BOOL:
      if (text != "true" && text != "false") return expected("true or false");
      v.boolean = text == "true";
      return v;
    case LKS_CONFIG_DOUBLE:
      if (!parse_whole(text, v.number)) return expected("a number");
      return v;
    case LKS_CONFIG_SIZE: {
      auto bytes = config::parse_size(text);
      if (!bytes || *bytes > static_cast<uint64_t>(INT64_MAX))
        return expected("a size such as 4096, \"512KiB\" or \"64MiB\"");
      v.integer = static_cast<int64_t>(*bytes);
      return v;
    }
    case LKS_CONFIG_DURATION: {
      auto ms = config::parse_duration_ms(text);
      if (!ms) return expected("a duration such as 250, \"250ms\", \"30s\" or \"5m\"");
      v.integer = *ms;
      return v;
    }
    case LKS_CONFIG_ENUM:
      for (auto& c : choices)
        if (c == text) return v;
      return expected("one of " + join(choices, ", "));
  }
  return error{errc::invalid_argument, "unknown config type " + std::to_string(type)};
}

result<connector_schema> connector_schema::from_descriptor(const lks_connector& d) {
  connector_schema s;
  if (d.config_field_count > 0 && !d.config_fields)
    return error{errc::invalid_argument, "schema: config_field_count is " +
                                             std::to_string(d.config_field_count) +
                                             " but config_fields is NULL"};
  std::set<std::string, std::less<>> seen;
  for (size_t i = 0; i < d.config_field_count; ++i) {
    const lks_config_field& raw = d.config_fields[i];
    std::string where = "schema field " + std::to_string(i);
    if (!raw.key || !valid_schema_key(raw.key))
      return error{errc::invalid_argument,
                   where + ": key must be non-empty text of [A-Za-z0-9._-] (or such a prefix "
                           "followed by '*'), got " +
                       (raw.key ? quoted(raw.key) : std::string("NULL"))};
    config_field f;
    f.key = raw.key;
    where += " (" + quoted(f.key) + ")";
    if (!seen.insert(f.key).second)
      return error{errc::invalid_argument, where + ": key declared twice"};
    if (raw.type < LKS_CONFIG_STRING || raw.type > LKS_CONFIG_ENUM)
      return error{errc::invalid_argument, where + ": unknown type " + std::to_string(raw.type)};
    f.type = static_cast<lks_config_type>(raw.type);
    f.required = raw.required != 0;
    f.choices = split_choices(raw.choices);
    f.description = raw.description ? raw.description : "";
    if (f.is_pattern() && (f.required || raw.default_value))
      return error{errc::invalid_argument,
                   where + ": a key pattern can be neither required nor defaulted"};
    if (f.type == LKS_CONFIG_ENUM && f.choices.empty())
      return error{errc::invalid_argument, where + ": an enum needs choices (\"a|b|c\")"};
    if (raw.default_value) {
      if (f.required)
        return error{errc::invalid_argument, where + ": a required key cannot have a default"};
      auto parsed = parse_setting(f.type, raw.default_value, f.choices);
      if (!parsed)
        return error{errc::invalid_argument, where + ": default: " + parsed.err().message};
      f.default_value = raw.default_value;
    }
    s.fields_.push_back(std::move(f));
  }
  return s;
}

const config_field* connector_schema::find(std::string_view key) const {
  for (auto& f : fields_)
    if (f.key == key) return &f;
  const config_field* best = nullptr;  // the longest matching pattern
  for (auto& f : fields_) {
    if (!f.is_pattern()) continue;
    const std::string_view prefix = std::string_view(f.key).substr(0, f.key.size() - 1);
    if (key.starts_with(prefix) && (!best || best->key.size() < f.key.size())) best = &f;
  }
  return best;
}

result<connector_settings> connector_schema::validate(
    const std::vector<std::pair<std::string, std::string>>& entries) const {
  std::vector<std::string> problems;
  connector_settings out;
  std::set<std::string, std::less<>> given;
  for (auto& [key, text] : entries) {
    const config_field* f = find(key);
    if (!f) {
      std::vector<std::string> known;
      for (auto& k : fields_) known.push_back(k.key);
      problems.push_back("unknown key " + quoted(key) +
                         (known.empty() ? std::string(" (this plugin takes no keys)")
                                        : " (this plugin's keys: " + join(known, ", ") + ")"));
      continue;
    }
    if (!valid_key(key)) {
      problems.push_back("key " + quoted(key) + ": a key is text of [A-Za-z0-9._-]");
      continue;
    }
    given.insert(key);
    auto v = parse_setting(f->type, text, f->choices);
    if (!v) {
      problems.push_back("key " + quoted(key) + " (" + std::string(to_string(f->type)) +
                         "): " + v.err().message);
      continue;
    }
    out.set(key, std::move(*v));
  }
  for (auto& f : fields_) {
    if (given.count(f.key)) continue;
    if (f.required) {
      problems.push_back("missing required key " + quoted(f.key) + " (" +
                         std::string(to_string(f.type)) + ": " + f.description + ")");
    } else if (f.default_value) {
      out.set(f.key, *parse_setting(f.type, *f.default_value, f.choices));
    }
  }
  if (!problems.empty()) return error{errc::config_error, join(problems, "; ")};
  return out;
}

}  // namespace lkstream::plugin_host

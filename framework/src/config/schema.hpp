#pragma once
// Internal to the config parser: the one description of every key (name, type, meaning, how to
// read it, how to show its value). The parser, the unknown-key hints and the Markdown reference
// (render_defaults_reference, docs/configuration.md) all come from these tables, so a key
// cannot be parsed without being documented.

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "lkstream/config/config.hpp"
#include "value_reader.hpp"

namespace lkstream::config {

template <class Settings>
struct key_spec {
  std::string_view name;
  std::string_view type;     // as the reference shows it: "string", "size", "duration", ...
  std::string_view meaning;  // one or two sentences, including the accepted range
  void (*read)(value_reader& reader, Settings& out);  // reports problems through reader
  std::string (*show)(const Settings& s);             // the value as TOML text
};

/// A key the parser handles itself (topic and connector identity), for hints and the reference.
struct key_doc {
  std::string_view name;
  std::string_view type;
  std::string_view default_text;  // TOML text; empty = the key is required
  std::string_view meaning;
};

std::span<const key_spec<broker_settings>> broker_keys();
std::span<const key_spec<topic_settings>> topic_keys();   // [topic_defaults] and [[topic]]
std::span<const key_doc> topic_identity_keys();            // [[topic]] only: name
std::span<const key_doc> connector_keys();                 // [[connector]]

enum class section { root, broker, topic_defaults, topic, connector };

/// The keys allowed directly in a section's table.
std::vector<std::string_view> known_keys(section s);

/// The text after "key.path: " for a key not allowed in `s`: "unknown key" plus a hint, either
/// the closest known key (edit distance <= 2), the section the key belongs to, or the list of
/// keys that are allowed.
std::string unknown_key_message(section s, std::string_view key);

/// Optimal string alignment distance (Levenshtein plus adjacent transpositions).
size_t edit_distance(std::string_view a, std::string_view b);

/// Kafka's topic name rule, also used for connector names.
bool is_valid_name(std::string_view name);
constexpr std::string_view name_rule = "1..249 characters from [A-Za-z0-9._-], not \".\" or \"..\"";
/// Plugin names become part of a file name: 1..128 characters of [A-Za-z0-9_-].
bool is_valid_plugin_name(std::string_view name);

}  // namespace lkstream::config

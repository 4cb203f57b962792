#pragma once
// A plugin's declarative configuration schema in C++ form, checked once when the library is
// loaded, and the validation of a [[connector]]'s [connector.config] against it.
//
// Validation runs before the connector is created, so a connector only ever sees values of the
// declared types: unknown keys, missing required keys, values of the wrong type and enum
// values outside their choices are reported together in one errc::config_error, each problem
// naming the key and what was expected (the caller adds the connector name and file:line:col).
//
// Threading: immutable after construction; any thread may use it.

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "lkstream/base/result.hpp"
#include "lkstream/plugin/connector_abi.h"
#include "lkstream/plugin_host/connector_settings.hpp"

namespace lkstream::plugin_host {

struct config_field {
  std::string key;  // or a pattern "prefix*" (ABI 1.1)
  lks_config_type type = LKS_CONFIG_STRING;
  bool required = false;
  std::optional<std::string> default_value;
  std::vector<std::string> choices;  // LKS_CONFIG_ENUM only
  std::string description;

  /// A key pattern: accepts every key that starts with key minus its trailing '*'.
  bool is_pattern() const { return !key.empty() && key.back() == '*'; }
};

/// "string", "int", "bool", "double", "size", "duration", "enum".
std::string_view to_string(lks_config_type type);

/// Parses one value of the given type: config_error saying what was expected otherwise.
result<setting_value> parse_setting(lks_config_type type, std::string_view text,
                                    const std::vector<std::string>& choices);

class connector_schema {
 public:
  /// Copies and checks the descriptor's schema: keys non-empty, of [A-Za-z0-9._-] (patterns:
  /// such a prefix, possibly empty, and '*'; never required or defaulted) and unique;
  /// known types; enum fields with choices; required fields without a default; defaults that
  /// parse as their type. errc::invalid_argument naming the field otherwise.
  static result<connector_schema> from_descriptor(const lks_connector& descriptor);

  const std::vector<config_field>& fields() const { return fields_; }
  /// The field that governs `key`: the field of that exact name, else the longest pattern
  /// that matches it; nullptr when none does.
  const config_field* find(std::string_view key) const;

  /// Checks the key/value pairs of a [connector.config] (values as text, as the config loader
  /// renders them) and returns every schema key with a value, defaults filled in.
  result<connector_settings> validate(
      const std::vector<std::pair<std::string, std::string>>& entries) const;

 private:
  std::vector<config_field> fields_;
};

}  // namespace lkstream::plugin_host

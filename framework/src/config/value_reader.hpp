#pragma once
// Internal to the config parser: reads one TOML value as the type a key wants, checking type and
// range. Every failed read records one problem ("expected ..., got ...") at the value's position
// under the key's path, and returns nullopt so the caller keeps its default and goes on.

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <toml++/toml.h>

#include "diagnostics.hpp"

namespace lkstream::config {

position position_of(const toml::node& node);
position position_of(const toml::key& key);

/// A found value as an error shows it: strings quoted ("sometimes"), other scalars with their
/// type (integer 5, float 1.5, boolean true), containers by kind (a table, an array).
std::string describe(const toml::node& node);

/// A string as a TOML basic string (quotes, escapes), cut after 80 characters with "...".
std::string quoted(std::string_view s);

/// `parent.key`, quoting keys that are not bare TOML keys: connector[0].config."a.b".
std::string join_path(std::string_view parent, std::string_view key);

class value_reader {
 public:
  value_reader(diagnostics& diag, const toml::node& node, std::string path)
      : diag_(diag), node_(node), path_(std::move(path)) {}

  std::optional<bool> boolean();
  std::optional<int64_t> integer(int64_t min, int64_t max);
  std::optional<std::string> string();
  /// A float or integer in 0..1 (a share, e.g. min_cleanable_dirty_ratio).
  std::optional<double> ratio();
  /// An integer (bytes) or a string with a unit (parse_size), in min..max.
  std::optional<uint64_t> size(uint64_t min, uint64_t max);
  /// As size(), or -1 / "-1" / "forever" / "unlimited" giving -1. max <= INT64_MAX.
  std::optional<int64_t> size_or_unlimited(uint64_t min, uint64_t max);
  /// An integer (ms) or a string with a unit (parse_duration_ms), at least `min`; -1 and its
  /// spellings are accepted only when `allow_forever`.
  std::optional<int64_t> duration(int64_t min, bool allow_forever);
  /// The index of the string in `choices` (exact, case-sensitive match).
  std::optional<size_t> one_of(std::span<const std::string_view> choices);
  /// An array whose every element is a string; bad elements are reported as path[i].
  std::optional<std::vector<std::string>> string_array();
  /// A string, integer, float or boolean as text: strings unquoted, floats in shortest
  /// round-trip form, booleans as "true"/"false".
  std::optional<std::string> scalar_text();

  /// Records a problem with this value.
  void fail(std::string_view what);

  const toml::node& node() const noexcept { return node_; }
  const std::string& path() const noexcept { return path_; }
  diagnostics& diag() noexcept { return diag_; }

 private:
  std::optional<uint64_t> checked_size(uint64_t value, uint64_t min, uint64_t max);

  diagnostics& diag_;
  const toml::node& node_;
  std::string path_;
};

}  // namespace lkstream::config

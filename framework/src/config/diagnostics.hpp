#pragma once
// Internal to the config parser: collects every problem found in one file, each with its
// position and key path, and turns them into one errc::config_error whose message has one line
// per problem, sorted by position ("file:line:col: key.path: what").

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "lkstream/base/result.hpp"

namespace lkstream::config {

struct position {
  uint32_t line = 1;
  uint32_t column = 1;
};

class diagnostics {
 public:
  explicit diagnostics(std::string source) : source_(std::move(source)) {}

  /// "file:line:col".
  std::string where(position pos) const;

  /// Records a problem; `key_path` may be empty (syntax errors).
  void add(position pos, std::string_view key_path, std::string_view what);

  bool empty() const noexcept { return entries_.empty(); }
  const std::string& source() const noexcept { return source_; }

  /// All problems as one error; requires !empty(). At most max_reported lines, then a count.
  error to_error() const;

  static constexpr size_t max_reported = 20;

 private:
  struct entry {
    position pos;
    std::string text;
  };
  std::string source_;
  std::vector<entry> entries_;
};

}  // namespace lkstream::config

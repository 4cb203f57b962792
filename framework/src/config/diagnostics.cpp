#include "diagnostics.hpp"

#include <algorithm>

namespace lkstream::config {

std::string diagnostics::where(position pos) const {
  return source_ + ":" + std::to_string(pos.line) + ":" + std::to_string(pos.column);
}

void diagnostics::add(position pos, std::string_view key_path, std::string_view what) {
  std::string text = where(pos) + ": ";
  if (!key_path.empty()) {
    text += key_path;
    text += ": ";
  }
  text += what;
  entries_.push_back({pos, std::move(text)});
}

error diagnostics::to_error() const {
  std::vector<const entry*> sorted;
  for (const auto& e : entries_) sorted.push_back(&e);
  std::stable_sort(sorted.begin(), sorted.end(), [](const entry* a, const entry* b) {
    return a->pos.line != b->pos.line ? a->pos.line < b->pos.line : a->pos.column < b->pos.column;
  });
  std::string message;
  for (size_t i = 0; i < sorted.size() && i < max_reported; ++i) {
    if (i > 0) message += '\n';
    message += sorted[i]->text;
  }
  if (sorted.size() > max_reported)
    message += "\n(" + std::to_string(sorted.size() - max_reported) + " more problems not shown)";
  return error{errc::config_error, std::move(message)};
}

}  // namespace lkstream::config

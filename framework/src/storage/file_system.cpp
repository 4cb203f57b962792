#include "lkstream/storage/file_system.hpp"

namespace lkstream::storage {

std::string join_path(const std::string& dir, const std::string& name) {
  if (dir.empty()) return name;
  size_t skip = 0;
  while (skip < name.size() && name[skip] == '/') ++skip;
  std::string out = dir;
  if (out.back() != '/') out += '/';
  out.append(name, skip);
  return out;
}

}  // namespace lkstream::storage

#include "lkstream/storage/small_file.hpp"

namespace lkstream::storage {

result<std::string> read_small_file(file_system& fs, const std::string& path) {
  LK_ASSIGN_OR_RETURN(auto f, fs.open(path, open_mode::read_only));
  std::string text(f->size(), '\0');
  LK_ASSIGN_OR_RETURN(size_t n, f->read_at(0, {reinterpret_cast<std::byte*>(text.data()),
                                               text.size()}));
  text.resize(n);
  return text;
}

status write_small_file(file_system& fs, const std::string& dir, const std::string& path,
                        const std::string& text) {
  const auto tmp = path + ".tmp";
  LK_ASSIGN_OR_RETURN(auto f, fs.open(tmp, open_mode::create_truncate));
  LK_TRY_STATUS(f->append(as_bytes(text)));
  LK_TRY_STATUS(f->sync());
  f.reset();
  LK_TRY_STATUS(fs.rename(tmp, path));
  return fs.sync_directory(dir);
}

}  // namespace lkstream::storage

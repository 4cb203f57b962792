#pragma once
// Small whole files of the data directory (checkpoints, catalogs, credential stores): read at
// once, replaced atomically.

#include <string>

#include "lkstream/base/result.hpp"
#include "lkstream/storage/file_system.hpp"

namespace lkstream::storage {

/// The whole content of `path`.
result<std::string> read_small_file(file_system& fs, const std::string& path);

/// Replaces `path` (in directory `dir`) by `text` atomically: `path`.tmp written and synced,
/// renamed over `path`, then `dir` synced.
status write_small_file(file_system& fs, const std::string& dir, const std::string& path,
                        const std::string& text);

}  // namespace lkstream::storage
